// A symbolic tensor program's trace (--shape): its table, and its JSON, whose gradients are
// formulas in mathjs syntax over the program's own names (2*(W*x + b - y)*x'), the syntax check
// and quiz answers take. Its own face until the one lesson prints symbols and numbers alike.
import type { M, SymbolicTrace } from '../tensor/symbolic.js'
import { mathNames, writeMath, writeText } from '../tensor/symbolic.js'
import { boxLines } from './box.js'
import { DEFAULT_WIDTH, foldProse } from './wrap.js'
import { shapeCell } from '../steps/values.js'
import { PLAIN, type Colors } from '../steps/colors.js'
import { SYMBOLIC_WORDS as W, TENSOR_WORDS } from '../steps/tensor-words.js'

export interface SymbolicRenderOptions {
  ascii: boolean
  width?: number
  chalk?: Colors
}

export function renderSymbolicTable(trace: SymbolicTrace, options: SymbolicRenderOptions): string {
  const width = options.width ?? DEFAULT_WIDTH
  return foldProse(symbolicLines(trace, options), width)
}

function* symbolicLines(trace: SymbolicTrace, options: SymbolicRenderOptions): Generator<string> {
  const chalk = options.chalk ?? PLAIN
  const text = (s: string) => (options.ascii ? TENSOR_WORDS.ascii(s) : s)
  const table = (head: string[], rows: string[][]) =>
    boxLines(
      head.map(text),
      rows.map((r) => r.map(text)),
      options.ascii,
      options.width ?? DEFAULT_WIDTH,
    )
  const { nodes } = trace
  const out = nodes[trace.output]!.label
  yield chalk.bold(W.programTitle)
  for (const line of statements(trace.source)) yield `  ${text(line)}`
  yield `${W.shapesTitle.padEnd(10)}${[...trace.declared].map(([name, shape]) => `${name}: ${shapeCell(shape)}`).join(', ')}`
  yield ''
  yield chalk.bold(W.forwardTitle)
  yield* table(
    W.forwardColumns,
    nodes.flatMap((node) => (node.kind === 'constant' ? [] : [[node.label, node.expression ?? '', shapeCell(node.shape), writeText(node.value)]])),
  )
  yield ''
  yield chalk.bold(W.rulesTitle)
  yield* table(
    W.rulesColumns,
    trace.edges.map((edge) => {
      const consumer = nodes[edge.consumer]!
      return [`${consumer.label} = ${consumer.expression}`, nodes[edge.input]!.label, edge.formula.replace(/[‹›]/g, ''), edge.shapes ?? '']
    }),
  )
  yield ''
  yield chalk.bold(W.backwardTitle(out))
  yield* table(
    W.backwardColumns,
    trace.edges.map((edge) => [`∂${out}/∂${nodes[edge.input]!.label}`, `${nodes[edge.consumer]!.label}`, writeText(edge.contribution)]),
  )
  for (const edge of trace.edges)
    if (edge.known)
      yield text(
        W.knownForm(`∂${out}/∂${nodes[edge.input]!.label}`, writeText(edge.known.target), writeText(edge.known.form), nodes[edge.consumer]!.shape.length === 2),
      )
  yield ''
  yield chalk.bold(W.gradientsTitle)
  for (const g of trace.gradients) yield `  ${text(`∂${out}/∂${g.name} = ${writeText(g.grad)}`)}   (${shapeCell(g.shape)})`
  yield ''
  for (const note of W.notes) yield `  ${note}`
}

/** The JSON contract (README, JSON): value and gradients as formulas in mathjs syntax. */
export function renderSymbolicJson(trace: SymbolicTrace): string {
  const { nodes } = trace
  const names = mathNames(trace)
  const math = (m: M) => writeMath(m, names)
  return `${JSON.stringify(
    {
      symbolic: true,
      output: nodes[trace.output]!.label,
      value: math(nodes[trace.output]!.value),
      shapes: Object.fromEntries([...trace.declared].map(([name, shape]) => [name, shape])),
      gradients: Object.fromEntries(trace.gradients.map((g) => [g.name, math(g.grad)])),
      // Past 40 names and numbers a formula names an intermediate: each defined here, in order.
      ...(trace.where.length ? { where: Object.fromEntries(trace.where.map(({ name, value }) => [math(name), math(value)])) } : {}),
      nodes: nodes.map((node) => ({ label: node.label, kind: node.kind, shape: node.shape, value: math(node.value) })),
      edges: trace.edges.map((edge) => ({
        from: nodes[edge.input]!.label,
        to: nodes[edge.consumer]!.label,
        slot: edge.slot,
        rule: edge.formula.replace(/[‹›]/g, ''),
        contribution: math(edge.contribution),
      })),
    },
    null,
    2,
  ).replace(/\[\s+([\d,\s]*?)\s+\]/g, (_, inner: string) => `[${inner.replace(/\s+/g, ' ')}]`)}\n`
}

/** The program's statements, one a line, comments left out. */
const statements = (source: string) =>
  source
    .split(/[;\n]/)
    .map((line) =>
      line
        .replace(/#.*$/, '')
        .trim()
        .replace(/(?<!\.)\*/g, '·'),
    )
    .filter(Boolean)
