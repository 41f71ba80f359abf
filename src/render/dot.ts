// --format dot: the computational graph for Graphviz, inputs on the left, each node showing its
// name and operation | value | grad (as micrograd's drawings show data | grad), each edge its
// local derivative. Variables, constants, intermediates and the output are styled apart.
import { printSym, type Sym } from '../sym.js'
import { local } from '../steps/cells.js'
import { GRAPH } from '../steps/words.js'
import { notation } from '../steps/text.js'
import { inputEdges, type Trace } from '../trace.js'
import type { RenderOptions } from './index.js'
import { graphDirection, recordLabel, type Direction } from './layout.js'
import { inChunks, joined } from './shared.js'

/** Text inside a record label: Graphviz's record syntax characters escaped. */
const record = (text: string) => text.replace(/[\\{}|<>"]/g, (c) => `\\${c}`)
/** Text inside a quoted attribute. */
const quoted = (text: string) => text.replace(/[\\"]/g, (c) => `\\${c}`)

const STYLE: Record<'variable' | 'unbound' | 'constant' | 'op' | 'output', string> = {
  variable: 'style=filled, fillcolor="#dbeafe", color="#1d4ed8"',
  unbound: 'style="filled,dashed", fillcolor="#eef2ff", color="#1d4ed8"',
  constant: 'shape=plaintext, fontcolor="#6b7280"',
  op: 'style=filled, fillcolor="#ffffff", color="#374151"',
  output: 'style=filled, fillcolor="#fde68a", color="#b45309", penwidth=2',
}

/** The opening lines of a graph: its direction, and the look of its boxes and edges (scalar and tensor graphs alike). */
export const dotHeader = (direction: Direction) => [
  'digraph backprop {',
  `  rankdir=${direction};`,
  '  node [shape=record, fontname="Helvetica", fontsize=11];',
  '  edge [fontname="Helvetica", fontsize=10, color="#4b5563"];',
]

/** `ids`: give each node and edge an id (node-3, edge-5, by trace index) for a page to find them in the SVG. */
export function renderDot(trace: Trace, options: RenderOptions, { ids = false } = {}): string {
  return joined(dotChunks(trace, options, { ids }))
}

/** The graph in pieces of whole lines, written as they are made (a big program's graph never sits in memory whole). */
export function* dotChunks(trace: Trace, options: RenderOptions, { ids = false } = {}): Generator<string> {
  yield* inChunks(dotLines(trace, options, ids))
}

function* dotLines(trace: Trace, options: RenderOptions, ids: boolean): Generator<string> {
  const nodeId = (i: number) => (ids ? `, id="node-${i}"` : '')
  // Labels in the terminal's notation, --ascii included; a local derivative is written with its operation.
  const n = notation(options)
  const sym = (s: Sym) => printSym(s, n.style)
  const direction = graphDirection(trace.nodes, options.rankdir)
  yield* dotHeader(direction)
  const unbound = new Set(trace.unbound)
  for (const [i, node] of trace.nodes.entries()) {
    const kind = i === trace.output ? 'output' : node.kind === 'variable' && unbound.has(node.id) ? 'unbound' : node.kind
    if (node.kind === 'constant') {
      yield `  n${i} [label="${quoted(node.label)}", ${STYLE.constant}${nodeId(i)}];`
      continue
    }
    const head = node.kind === 'op' ? `${node.label} = ${sym(node.expression!)}` : node.label
    const grad = node.grad === null ? GRAPH.noGrad(options.ascii) : sym(node.grad)
    const fields = [record(head), `${GRAPH.value} ${record(sym(node.value))}`, `${GRAPH.grad} ${record(grad)}`]
    yield `  n${i} [label="${recordLabel(fields, direction)}", ${STYLE[kind]}${nodeId(i)}];`
  }
  for (const { from, to, e } of inputEdges(trace)) {
    const edge = e === undefined ? undefined : trace.edges[e]!
    const label = edge ? `${n.print(local(trace, edge))} = ${sym(edge.localValue)}` : ''
    const id = ids && e !== undefined ? `, id="edge-${e}"` : ''
    yield edge ? `  n${from} -> n${to} [label="${quoted(label)}"${id}];` : `  n${from} -> n${to} [style=dashed, color="#9ca3af"];`
  }
  yield '}'
}
