// The WebAssembly Graphviz (@viz-js/viz) as Node loads it: on first use only, so the formats that
// draw nothing start without it. The playground's bundle swaps this module for
// src/playground/graphviz.ts, which has it inlined (scripts/bundle.mjs).
import { createRequire } from 'node:module'

export interface Viz {
  renderString(dot: string, options: { format: 'svg'; engine: 'dot' }): string
}

let viz: Promise<Viz> | undefined

/** The WebAssembly Graphviz, instantiated once per process. */
export function graphviz(): Promise<Viz> {
  // require, not import(): the CLI bundle is CommonJS, loaded through node:vm with a code cache.
  viz ??= (createRequire(import.meta.url)('@viz-js/viz') as { instance: () => Promise<Viz> }).instance()
  return viz
}
