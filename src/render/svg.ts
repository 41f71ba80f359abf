// --format svg: the DOT graph laid out by Graphviz compiled to WebAssembly (@viz-js/viz), so no
// system Graphviz is needed. It is loaded only for this format: the others start without it.
import { graphviz } from './graphviz.js'
import type { Trace } from '../trace.js'
import type { RenderOptions } from './index.js'
import { renderDot } from './dot.js'
import { nodeLimit, refuseLarger, type Sized } from './shared.js'
import { LIMITS } from '../limits.js'

export const svgTooLarge = nodeLimit(LIMITS.maxDrawnNodes, 'a picture with --format svg', '--format dot writes the graph for a Graphviz of your own')

export function renderSvg(trace: Trace, options: RenderOptions): Promise<string> {
  return drawn(trace.nodes, () => renderDot(trace, options))
}

/** A graph's DOT (written only once the size is known to fit) laid out as SVG: the scalar and the tensor picture alike. */
export async function drawn(nodes: Sized, dot: () => string): Promise<string> {
  // Refused before Graphviz is even loaded: past the limit its layout takes minutes, then overflows.
  refuseLarger(svgTooLarge(nodes))
  const svg = (await graphviz()).renderString(dot(), { format: 'svg', engine: 'dot' })
  return svg.endsWith('\n') ? svg : `${svg}\n`
}
