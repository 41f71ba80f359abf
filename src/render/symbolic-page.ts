// --format html for a program in symbols (--shape): the page steps through the formulas beside the
// graph, each node with its shape and each edge with its rule, as the numeric page steps through
// values: each node's value as a matrix expression, each rule, each contribution, each gradient.
import type { SymbolicTrace } from '../tensor/symbolic.js'
import { writeText } from '../tensor/symbolic.js'
import { pageShell, type PageStep, type Phase } from './html.js'
import { dotHeader } from './dot.js'
import { graphDirection, recordLabel, type Direction } from './layout.js'
import { quoted, record } from './tensor-formats.js'
import { shapeCell } from '../steps/values.js'
import { SYMBOLIC_WORDS as W, TENSOR_PAGE as TP, TENSOR_WORDS } from '../steps/tensor-words.js'
import { GRAPH, PAGE } from '../steps/words.js'
import { DEFAULT_TOLERANCE } from '../modes/claims.js'

export async function renderSymbolicHtml(trace: SymbolicTrace, options: { ascii: boolean; rankdir?: Direction }): Promise<string> {
  const text = (s: string) => (options.ascii ? TENSOR_WORDS.ascii(s) : s)
  const out = trace.nodes[trace.output]!.label
  const phases: Record<Phase, string> = { forward: W.forwardTitle, local: W.rulesTitle, backward: W.backwardTitle(out), gradient: W.gradientsTitle }
  return pageShell({
    source: trace.source,
    values: text(`${[...trace.declared].map(([name, shape]) => `${name}: ${shapeCell(shape)}`).join(', ')} ${W.pageInSymbols}`),
    dot: symbolicDot(trace, options.rankdir ?? 'LR', text),
    steps: symbolicPageSteps(trace).map((step) => ({ ...step, text: text(step.text) })),
    data: {
      quiz: false,
      tolerance: DEFAULT_TOLERANCE,
      names: {},
      words: { value: GRAPH.value, grad: GRAPH.grad, answer: PAGE.answerLabel, fit: PAGE.fit },
      phases: Object.fromEntries(Object.entries(phases).map(([phase, title]) => [phase, text(title)])) as Record<Phase, string>,
      constants: Object.fromEntries(trace.nodes.flatMap((node, i) => (node.kind === 'constant' ? [[i, true]] : []))),
    },
  })
}

/** The table's rows as page steps, in its order: values, rules, the seed and each contribution, the gradients. */
function symbolicPageSteps(trace: SymbolicTrace): PageStep[] {
  const { nodes } = trace
  const out = nodes[trace.output]!.label
  const steps: PageStep[] = []
  nodes.forEach((node, i) => {
    if (node.kind === 'constant') return
    // A variable is its own name in every formula: its shape is what there is to say.
    const text =
      node.kind === 'op'
        ? TP.value(`${node.label} = ${node.expression}`, shapeCell(node.shape), writeText(node.value))
        : `${node.label}  (${shapeCell(node.shape)})`
    steps.push({ phase: 'forward', text, nodes: [i], edges: [], reveal: { values: [i] } })
  })
  trace.edges.forEach((edge, k) => {
    const consumer = nodes[edge.consumer]!
    const input = nodes[edge.input]!
    const rule = `${writeText(edge.rule)}${edge.shapes ? `  (${edge.shapes})` : ''}`
    steps.push({
      phase: 'local',
      text: W.pageRule(`${consumer.label} = ${consumer.expression}`, `${input.label} (${shapeCell(input.shape)})`, rule),
      nodes: [edge.consumer, edge.input],
      edges: [k],
      reveal: { labels: [k] },
    })
  })
  steps.push({ phase: 'backward', text: TP.seed(out), nodes: [trace.output], edges: [], reveal: { grads: [trace.output] } })
  trace.edges.forEach((edge, k) => {
    const text = W.pageContribution(`∂${out}/∂${nodes[edge.input]!.label}`, nodes[edge.consumer]!.label, writeText(edge.contribution))
    steps.push({ phase: 'backward', text, nodes: [edge.input, edge.consumer], edges: [k], reveal: { flows: [k] } })
  })
  for (const g of trace.gradients) {
    const node = nodes.findIndex((n) => n.label === g.name && n.kind !== 'constant')
    const collected = g.collected ? `\n= ${writeText(g.collected)}   ${W.collected}` : ''
    steps.push({
      phase: 'gradient',
      text: `∂${out}/∂${g.name} = ${writeText(g.grad)}  (${shapeCell(g.shape)})${collected}`,
      nodes: [node],
      edges: [],
      reveal: { grads: [node] },
    })
  }
  return steps
}

/** The graph: each node with its shape, each edge with its rule; ids (node-3, edge-5) for the page's outlines. */
function symbolicDot(trace: SymbolicTrace, asked: Direction, text: (s: string) => string): string {
  const direction = graphDirection(trace.nodes, asked)
  const lines = dotHeader(direction)
  trace.nodes.forEach((node, i) => {
    const head = text(node.kind === 'op' ? `${node.label} = ${node.expression}` : node.label)
    const style =
      i === trace.output
        ? 'style=filled, fillcolor="#fde68a", color="#b45309", penwidth=2'
        : node.kind === 'variable'
          ? 'style=filled, fillcolor="#dbeafe", color="#1d4ed8"'
          : 'style=filled, fillcolor="#ffffff", color="#374151"'
    lines.push(`  n${i} [label="${recordLabel([head, text(`shape ${shapeCell(node.shape)}`)].map(record), direction)}", ${style}, id="node-${i}"];`)
  })
  const edgeAt = new Map(trace.edges.map((edge, k) => [`${edge.consumer}:${edge.slot}`, k]))
  trace.nodes.forEach((node, to) =>
    node.inputs.forEach((from, slot) => {
      const k = edgeAt.get(`${to}:${slot}`)
      lines.push(
        k !== undefined
          ? `  n${from} -> n${to} [label="${quoted(text(writeText(trace.edges[k]!.rule)))}", id="edge-${k}"];`
          : `  n${from} -> n${to} [style=dashed, color="#9ca3af"];`,
      )
    }),
  )
  lines.push('}')
  return `${lines.join('\n')}\n`
}
