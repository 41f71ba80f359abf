// The WebAssembly Graphviz in a browser: an ES module import (bundled into the playground, left to
// the reader's bundler in dist/browser.js), in place of src/render/graphviz.ts's require.
import type { Viz } from '../render/graphviz.js'

let viz: Promise<Viz> | undefined

export function graphviz(): Promise<Viz> {
  viz ??= import('@viz-js/viz').then((module) => (module as unknown as { instance: () => Promise<Viz> }).instance())
  return viz
}
