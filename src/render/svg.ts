// --format svg: the DOT graph laid out by Graphviz compiled to WebAssembly (@viz-js/viz), so no
// system Graphviz is needed. It is loaded only for this format: the others start without it.
import { createRequire } from 'node:module'
import type { Trace } from '../trace.js'
import type { RenderOptions } from './index.js'
import { renderDot } from './dot.js'
import { nodeLimit, refuseLarger } from './shared.js'
import { LIMITS } from '../limits.js'

interface Viz {
  renderString(dot: string, options: { format: 'svg'; engine: 'dot' }): string
}

let viz: Promise<Viz> | undefined

/** The WebAssembly Graphviz, instantiated once per process. */
export function graphviz(): Promise<Viz> {
  // require, not import(): the CLI bundle is CommonJS, loaded through node:vm with a code cache.
  viz ??= (createRequire(import.meta.url)('@viz-js/viz') as { instance: () => Promise<Viz> }).instance()
  return viz
}

export const svgTooLarge = nodeLimit(LIMITS.maxDrawnNodes, 'a picture with --format svg', '--format dot writes the graph for a Graphviz of your own')

export async function renderSvg(trace: Trace, options: RenderOptions): Promise<string> {
  // Refused before Graphviz is even loaded: past the limit its layout takes minutes, then overflows.
  refuseLarger(svgTooLarge(trace.nodes))
  const svg = (await graphviz()).renderString(renderDot(trace, options), { format: 'svg', engine: 'dot' })
  return svg.endsWith('\n') ? svg : `${svg}\n`
}
