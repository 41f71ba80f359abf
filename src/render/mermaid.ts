// --format mermaid: the computational graph as a Mermaid flowchart, inputs first. Mermaid's
// own parser needs a browser DOM and Node 22 (mermaid 11, @mermaid-js/parser 2), and
// @mermaid-js/parser has no flowchart grammar, so the tests check this output's structure line by
// line instead.
import { printSym, type Sym } from '../sym.js'
import { local } from '../steps/cells.js'
import { GRAPH } from '../steps/words.js'
import { notation } from '../steps/text.js'
import { inputEdges, type Trace } from '../trace.js'
import type { RenderOptions } from './index.js'
import { graphDirection } from './layout.js'
import { InputError } from '../errors.js'
import { refuseLarger, type Sized, type TooLarge } from './shared.js'

/** Text inside a quoted Mermaid label: quotes and angle brackets as entity codes. */
const quote = (text: string) => text.replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;')

/**
 * What Mermaid draws with its default configuration: at most 500 edges (`maxEdges`) and 50,000
 * characters of text (`maxTextSize`); past either it shows an error instead of the graph.
 */
export const MERMAID = { maxEdges: 500, maxTextSize: 50_000 }

/** Why Mermaid would not draw a graph of these nodes, whatever its labels, or undefined. */
function tooManyEdges(nodes: Sized): string | undefined {
  const edges = nodes.reduce((sum, node) => sum + node.inputs.length, 0)
  return edges > MERMAID.maxEdges ? `${edges} edges; Mermaid draws at most ${MERMAID.maxEdges} by default (maxEdges)` : undefined
}

/** Why Mermaid would not draw this graph, or undefined when it would. */
export function mermaidTooLarge(trace: Trace, text: string): string | undefined {
  const many = tooManyEdges(trace.nodes)
  if (many) return many
  if (text.length > MERMAID.maxTextSize) return `${text.length} characters; Mermaid reads at most ${MERMAID.maxTextSize} by default (maxTextSize)`
  return undefined
}

const refusal = (why: string) => `the graph is too large for Mermaid (${why}); --format dot or svg draws it`

/** --format mermaid's size check before the graph is traced: its edges. */
export const mermaidFormatTooLarge: TooLarge = (nodes) => {
  const why = tooManyEdges(nodes)
  return why ? refusal(why) : undefined
}

/** --format mermaid: refused, with the reason, where Mermaid would not draw it. */
export function renderMermaidFormat(trace: Trace, options: RenderOptions): string {
  refuseLarger(mermaidFormatTooLarge(trace.nodes))
  const text = renderMermaid(trace, options)
  const why = mermaidTooLarge(trace, text)
  if (why) throw new InputError(refusal(why))
  return text
}

/** The closing lines of a flowchart: each kind of node's colours, and which nodes are of each kind. */
export function classLines(classes: Record<'variable' | 'constant' | 'output' | 'op', string[]>): string[] {
  return [
    '  classDef variable fill:#dbeafe,stroke:#1d4ed8',
    '  classDef constant fill:#f3f4f6,stroke:#9ca3af',
    '  classDef op fill:#ffffff,stroke:#374151',
    '  classDef output fill:#fde68a,stroke:#b45309',
    ...Object.entries(classes).flatMap(([name, ids]) => (ids.length > 0 ? [`  class ${ids.join(',')} ${name}`] : [])),
  ]
}

export function renderMermaid(trace: Trace, options: RenderOptions): string {
  // Labels in the terminal's notation, --ascii included; a local derivative is written with its operation.
  const n = notation(options)
  const sym = (s: Sym) => printSym(s, n.style)
  // Mermaid writes top to bottom as TD.
  const lines = [`flowchart ${graphDirection(trace.nodes, options.rankdir) === 'LR' ? 'LR' : 'TD'}`]
  const classes: Record<'variable' | 'constant' | 'output' | 'op', string[]> = { variable: [], constant: [], output: [], op: [] }
  trace.nodes.forEach((node, i) => {
    const id = `n${i}`
    const head = node.kind === 'op' ? `${node.label} = ${sym(node.expression!)}` : node.label
    const text =
      node.kind === 'constant'
        ? head
        : `${head}<br/>${GRAPH.value} ${sym(node.value)}<br/>${GRAPH.grad} ${node.grad === null ? GRAPH.noGrad(options.ascii) : sym(node.grad)}`
    lines.push(`  ${id}["${quote(text).replace(/#lt;br\/#gt;/g, '<br/>')}"]`)
    classes[i === trace.output ? 'output' : node.kind].push(id)
  })
  // Inputs that depend on a variable have an edge with a local derivative; the rest are dotted.
  for (const { from, to, e } of inputEdges(trace)) {
    const edge = e === undefined ? undefined : trace.edges[e]!
    if (edge) {
      lines.push(`  n${from} -->|"${quote(`${n.print(local(trace, edge))} = ${sym(edge.localValue)}`)}"| n${to}`)
    } else {
      lines.push(`  n${from} -.-> n${to}`)
    }
  }
  lines.push(...classLines(classes))
  return `${lines.join('\n')}\n`
}
