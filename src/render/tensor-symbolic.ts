// A symbolic tensor program's trace (--shape): its table, and its JSON, whose gradients are
// formulas in mathjs syntax over the program's own names (2*(W*x + b - y)*x'), the syntax check
// and quiz answers take. Its own face until the one lesson prints symbols and numbers alike.
import type { M, SymbolicTrace } from '../tensor/symbolic.js'
import { formulaFeatures, mathNames, writeAscii, writeMath, writeText } from '../tensor/symbolic.js'
import { entryName, indexForm, writtenMath, writtenText, type SymbolicEntry } from '../tensor/symbolic-entry.js'
import { boxLines } from './box.js'
import { DEFAULT_WIDTH, foldProse, wrapText } from './wrap.js'
import { shapeCell } from '../steps/values.js'
import { PLAIN, type Colors } from '../steps/colors.js'
import { SYMBOLIC_WORDS as W, TENSOR_WORDS } from '../steps/tensor-words.js'

export interface SymbolicRenderOptions {
  ascii: boolean
  width?: number
  chalk?: Colors
  /** --entry: one entry of a gradient, from the matrix form to the index form. */
  entry?: SymbolicEntry
}

export function renderSymbolicTable(trace: SymbolicTrace, options: SymbolicRenderOptions): string {
  const width = options.width ?? DEFAULT_WIDTH
  return foldProse(symbolicLines(trace, options), width)
}

function* symbolicLines(trace: SymbolicTrace, options: SymbolicRenderOptions): Generator<string> {
  const chalk = options.chalk ?? PLAIN
  // --ascii writes the formulas as the tool reads them (x', .*, ones(3)), and the words without ∂, ḡ or ×.
  const text = (s: string) => (options.ascii ? TENSOR_WORDS.ascii(s) : s)
  const f = (m: M) => (options.ascii ? writeAscii(m) : writeText(m))
  const shape = (s: readonly number[]) => text(shapeCell(s))
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
  for (const line of statements(trace.source)) yield `  ${text(line.replace(/(?<!\.)\*/g, '·'))}`
  yield `${W.shapesTitle.padEnd(10)}${[...trace.declared].map(([name, s]) => `${name}: ${shape(s)}`).join(', ')}`
  yield ''
  yield chalk.bold(text(W.forwardTitle))
  yield* table(
    W.forwardColumns,
    nodes.flatMap((node) => (node.kind === 'constant' ? [] : [[node.label, node.expression ?? '', shapeCell(node.shape), f(node.value)]])),
  )
  yield ''
  yield chalk.bold(text(W.rulesTitle))
  yield* table(
    W.rulesColumns,
    trace.edges.map((edge) => {
      const consumer = nodes[edge.consumer]!
      return [`${consumer.label} = ${consumer.expression}`, nodes[edge.input]!.label, f(edge.rule), edge.shapes ?? '']
    }),
  )
  yield ''
  yield chalk.bold(text(W.backwardTitle(out)))
  yield* table(
    W.backwardColumns,
    trace.edges.map((edge) => [`∂${out}/∂${nodes[edge.input]!.label}`, `${nodes[edge.consumer]!.label}`, f(edge.contribution)]),
  )
  for (const edge of trace.edges)
    if (edge.known)
      yield text(W.knownForm(`∂${out}/∂${nodes[edge.input]!.label}`, f(edge.known.target), f(edge.known.form), nodes[edge.consumer]!.shape.length === 2))
  yield ''
  yield chalk.bold(text(W.gradientsTitle))
  for (const g of trace.gradients) {
    const lead = text(`∂${out}/∂${g.name} = `)
    yield `  ${lead}${f(g.grad)}   (${shape(g.shape)})`
    if (g.collected) yield `  ${' '.repeat(lead.length - 2)}= ${f(g.collected)}   ${W.collected}`
  }
  yield ''
  if (options.entry) yield* entryLines(trace, options.entry, options, chalk)
  for (const note of W.notes(formulaFeatures(trace), options.ascii ? 'ascii' : 'text')) yield `  ${note}`
}

/** --entry: the gradient's matrix form, the entry in index form (Σₖ over each product's inner index), then written out. */
function* entryLines(trace: SymbolicTrace, entry: SymbolicEntry, options: SymbolicRenderOptions, chalk: Colors): Generator<string> {
  const { ascii } = options
  const text = (s: string) => (ascii ? TENSOR_WORDS.ascii(s) : s)
  const out = trace.nodes[trace.output]!.label
  const lead = text(`∂${out}/∂${entryName(entry.of, entry.at, ascii)}`)
  yield chalk.bold(text(W.entryTitle(out, entry.of, entry.index)))
  yield `  ${text(`∂${out}/∂${entry.of} = `)}${ascii ? writeAscii(entry.grad) : writeText(entry.grad)}`
  const index = indexForm(entry, ascii)
  yield `  ${lead} = ${index}`
  const pad = ' '.repeat(lead.length + 1)
  if (entry.written === undefined) yield `  ${pad}${W.entryTooLong}`
  else {
    const written = writtenText(entry.written, ascii)
    if (written !== index) {
      // Folded here, under its = (the fold of prose would break at the first space outside its brackets: after the =).
      const [first, ...rest] = wrapText(written, (options.width ?? DEFAULT_WIDTH) - pad.length - 4)
      yield `  ${pad}= ${first}`
      for (const part of rest) yield `  ${pad}  ${part}`
    }
  }
  if (/Σ|sum_/.test(index)) yield `  ${ascii ? W.entrySigmaAscii : W.entrySigma}`
  yield ''
}

/** The JSON contract (README, JSON): value and gradients as formulas in mathjs syntax. */
export function renderSymbolicJson(trace: SymbolicTrace, entry?: SymbolicEntry): string {
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
      // The same multiplied out and collected, where that is shorter (the logistic loss's X'*(p - y) ./ 4).
      ...(trace.gradients.some((g) => g.collected)
        ? { collected: Object.fromEntries(trace.gradients.flatMap((g) => (g.collected ? [[g.name, math(g.collected)]] : []))) }
        : {}),
      ...(entry ? { entry: { of: entry.of, index: entry.index, formula: entry.written === undefined ? { tooLong: true } : writtenMath(entry.written) } } : {}),
      // Past 40 names and numbers a formula names an intermediate: each defined here, in order.
      ...(trace.where.length ? { where: Object.fromEntries(trace.where.map(({ name, value }) => [math(name), math(value)])) } : {}),
      nodes: nodes.map((node) => ({ label: node.label, kind: node.kind, shape: node.shape, value: math(node.value) })),
      edges: trace.edges.map((edge) => ({
        from: nodes[edge.input]!.label,
        to: nodes[edge.consumer]!.label,
        slot: edge.slot,
        rule: edge.formula,
        contribution: math(edge.contribution),
      })),
    },
    null,
    2,
  ).replace(/\[\s+([\d,\s]*?)\s+\]/g, (_, inner: string) => `[${inner.replace(/\s+/g, ' ')}]`)}\n`
}

/** The program's statements, one a line, comments left out (the notes write them too). */
export const statements = (source: string) =>
  source
    .split(/[;\n]/)
    .map((line) => line.replace(/#.*$/, '').trim())
    .filter(Boolean)
