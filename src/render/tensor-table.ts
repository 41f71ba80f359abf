// The terminal view of a tensor program: the scalar view's sections with a shape beside every
// value, the local rules as vector-Jacobian products (ḡ·xᵀ, with the product's shapes), the
// backward pass as upstream · rule = contribution per edge, and every gradient with its check.
import { PLAIN } from '../steps/colors.js'
import { boxLines, displayWidth } from './box.js'
import { DEFAULT_WIDTH, foldProse } from './wrap.js'
import { shapeCell, valueText } from '../steps/values.js'
import type { TensorRenderOptions } from './index.js'
import type { TensorEdge, TensorTrace } from '../tensor/trace.js'
import type { Tensor } from '../tensor/tensor.js'
import { jacobianOf } from '../tensor/entry.js'
import type { TensorTraining } from '../tensor/train.js'
import { sparkline } from './training.js'
import { formatNumber } from '../format.js'
import {
  TANGENT_WORDS,
  TENSOR_WORDS as W,
  boundValues,
  checkCell,
  contributionsByInput,
  entryLines,
  tensorChainsText,
  tensorSections,
  plainFormula,
  remarks,
  statementsOf,
  tangentSections,
  upstreamTimesRule,
  stepText,
} from '../steps/tensor-words.js'
import type { TensorForwardMode } from '../tensor/forward.js'

/** A matrix wider than this does not share a line with the table's other columns: it is written below the table, named. */
const WIDE_VALUE = 28

/** A value as its cell: the value itself, or a pointer to it below the table where it is a wide matrix. */
function placed(label: string, t: Tensor, style: { precision: number; ascii: boolean }, below: [string, Tensor, string][]): string {
  const text = valueText(t, style)
  if (!text.includes('\n') || Math.max(...text.split('\n').map(displayWidth)) <= WIDE_VALUE) return text
  below.push([label, t, text])
  return W.seeBelow
}

/** A cell whose value a flag below the table explains (a convention, a NaN), marked as the scalar tables mark it. */
const marked = (cell: string, flagged: boolean) => (flagged ? `${cell} ${W.noteMark}` : cell)

/** The wide values of a table, each with its name and shape, after the table. */
function* belowTable(below: [string, Tensor, string][], text: (s: string) => string): Generator<string> {
  if (below.length === 0) return
  yield text(W.belowTitle)
  for (const [label, t, value] of below) {
    yield text(`  ${label}  (${shapeCell(t.shape)})`)
    for (const line of value.split('\n')) yield text(`    ${line}`)
  }
}

/** Entries of a tensor value are shown with at most this many digits unless --precision is given. */
export const TENSOR_PRECISION = 4

export function renderTensorTable(trace: TensorTrace, options: TensorRenderOptions): string {
  const width = options.width ?? DEFAULT_WIDTH
  return foldProse(tensorLines(trace, options), width)
}

/** What each section writes with: color, the value style, text in the face's alphabet, and box tables. */
function writers(options: TensorRenderOptions) {
  const { ascii } = options
  const text = (s: string) => (ascii ? W.ascii(s) : s)
  return {
    chalk: options.chalk ?? PLAIN,
    style: { precision: options.precision, ascii },
    text,
    table: (head: string[], rows: string[][]) =>
      boxLines(
        head.map(text),
        rows.map((r) => r.map(text)),
        ascii,
        options.width ?? DEFAULT_WIDTH,
      ),
  }
}

function* tensorLines(trace: TensorTrace, options: TensorRenderOptions): Generator<string> {
  const { nodes } = trace
  const { chalk, style, text, table } = writers(options)

  yield chalk.bold(W.programTitle(trace))
  for (const statement of statementsOf(trace)) yield `  ${text(statement)}`
  yield `${W.valuesTitle.padEnd(10)}${boundValues(trace).map(text).join(', ')}`
  yield ''

  yield chalk.bold(text(W.forwardTitle))
  const forwardBelow: [string, Tensor, string][] = []
  yield* table(
    W.forwardColumns,
    nodes.flatMap((node) =>
      W.shownInForward(node)
        ? [
            [
              node.label,
              node.kind === 'op' ? W.opName(node) : node.kind,
              node.expression ?? '',
              shapeCell(node.value!.shape),
              marked(
                placed(node.label, node.value!, style, forwardBelow),
                trace.flags.some((f) => f.code === 'value' && f.node === nodes.indexOf(node)),
              ),
            ],
          ]
        : [],
    ),
  )
  yield* belowTable(forwardBelow, text)
  yield ''
  if (options.mode !== 'forward') yield* reverseLines(trace, options)
  if (options.forward) yield* forwardModeLines(trace, options.forward, options)
}

/** The reverse pass's sections: the rules, the backward pass, the gradients (then --lr's run and --entry's chain). */
function* reverseLines(trace: TensorTrace, options: TensorRenderOptions): Generator<string> {
  const { chalk, text } = writers(options)
  yield* rulesLines(trace, options)
  yield ''
  yield* backwardLines(trace, options)
  yield ''
  if (tensorSections(options).chains !== undefined) {
    yield* chainsLines(trace, options)
    yield ''
  }
  yield* gradientsLines(trace, options)
  if (options.training) {
    const [title, ...rest] = tensorTrainingLines(trace, options.training, options)
    yield ''
    yield chalk.bold(title!)
    yield* rest
  }
  if (options.entry) {
    const [title, ...rest] = entryLines(trace, options.entry, options.precision, tensorSections(options).entry)
    yield ''
    yield chalk.bold(text(title!))
    for (const line of rest) yield text(line)
  }
}

/** Section 2: each operation's rule for each input; with --explain, why each rule holds and the small Jacobians. */
function* rulesLines(trace: TensorTrace, options: TensorRenderOptions): Generator<string> {
  const { nodes } = trace
  const { chalk, style, text, table } = writers(options)
  yield chalk.bold(text(W.rulesTitle))
  for (const line of W.rulesLegend) yield text(line)
  yield* table(
    W.rulesColumns,
    trace.edges.map((edge) => {
      const consumer = nodes[edge.consumer]!
      const input = nodes[edge.input]!
      return [
        `${consumer.label} = ${consumer.expression}`,
        `${input.label} (${shapeCell(input.value!.shape)})`,
        edge.rule.name,
        // A product's shapes follow its rule in the same cell: a column of its own would be mostly empty.
        `${plainFormula(edge.formula)}${edge.shapes ? `  (${edge.shapes})` : ''}`,
      ]
    }),
  )
  if (!options.explain) return
  const seen = new Set<string>()
  for (const edge of trace.edges) {
    if (seen.has(edge.rule.id)) continue
    seen.add(edge.rule.id)
    yield text(`  ${edge.rule.name}: ${edge.rule.why}.`)
  }
  // The Jacobians small enough to print: the rule is ḡ times each, row by row.
  const jacobians = trace.edges.flatMap((edge) => {
    const jacobian = jacobianOf(trace, edge)
    return jacobian ? [{ edge, jacobian }] : []
  })
  if (jacobians.length > 0) {
    yield ''
    yield text(W.jacobiansTitle)
  }
  for (const { edge, jacobian } of jacobians) {
    const consumer = nodes[edge.consumer]!
    const input = nodes[edge.input]!
    yield text(`  ∂(${consumer.expression})/∂${input.label}  (${consumer.value!.data.length} × ${input.value!.data.length})`)
    for (const line of valueText(jacobian, style).split('\n')) yield text(`    ${line}`)
  }
}

/** Section 3: the seed, each contribution (numbered where an input has several) and each sum. */
function* backwardLines(trace: TensorTrace, options: TensorRenderOptions): Generator<string> {
  const { nodes } = trace
  const { chalk, style, text, table } = writers(options)
  const out = nodes[trace.output]!.label
  yield chalk.bold(text(W.backwardTitle(out)))
  yield text(W.backwardLegend)
  const totals = contributionsByInput(trace)
  const rows: string[][] = [[W.grad(out, out), W.seed, W.scalarShape, '1']]
  const done = new Map<number, number>()
  const below: [string, Tensor, string][] = []
  for (const edge of trace.edges) {
    const count = totals.get(edge.input)!.length
    const k = (done.get(edge.input) ?? 0) + 1
    done.set(edge.input, k)
    rows.push(edgeRow(trace, edge, count, k, style, below))
    if (count > 1 && k === count) {
      const name = W.grad(out, nodes[edge.input]!.label)
      rows.push([name, W.sumOf(count), shapeCell(nodes[edge.input]!.value!.shape), placed(name, trace.grads[edge.input]!, style, below)])
    }
  }
  yield* table(W.backwardColumns, rows)
  yield* belowTable(below, text)
  for (const shortcut of trace.shortcuts) yield text(`  ${W.shortcutMark} ${shortcut}.`)
}

/** Section 4 (unless --chains none): every path from the output to each gradient's node, its rules in turn and what it carries. */
function* chainsLines(trace: TensorTrace, options: TensorRenderOptions): Generator<string> {
  const { chalk, text } = writers(options)
  yield chalk.bold(text(W.chainsTitle(trace, tensorSections(options).chains!)))
  yield text(W.chainsLegend)
  for (const line of tensorChainsText(trace, options)) yield text(line)
}

/** Each gradient with its check, then the notes. */
function* gradientsLines(trace: TensorTrace, options: TensorRenderOptions): Generator<string> {
  const { chalk, style, text, table } = writers(options)
  const out = trace.nodes[trace.output]!.label
  yield chalk.bold(text(W.gradientsTitle(trace, tensorSections(options).gradients)))
  const below: [string, Tensor, string][] = []
  yield* table(
    W.gradientsColumns(out),
    trace.gradients.map((g, k) => [g.name, shapeCell(g.grad.shape), placed(W.grad(out, g.name), g.grad, style, below), checkCell(trace.checks[k]!)]),
  )
  yield* belowTable(below, text)
  for (const line of W.checkLegend(trace)) yield text(line)
  for (const note of remarks(trace)) yield text(`  ${W.noteMark} ${note}`)
}

/** --mode forward / both: a table per tangent pass, each closed by what the backward pass says, then the costs. */
function* forwardModeLines(trace: TensorTrace, mode: TensorForwardMode, options: TensorRenderOptions): Generator<string> {
  const { chalk, style, text: face } = writers(options)
  // Tangent formulas and sentences carry marks (⟪x⟫ for ẋ): unmarked before the face's alphabet.
  const text = (s: string) => face(plainFormula(s))
  const first = tensorSections(options).forward
  const sections = tangentSections(trace, mode, first, options.precision)
  for (const [k, section] of sections.entries()) {
    // After the reverse sections a blank line; after the forward pass alone, one is there already.
    if (k > 0 || options.mode !== 'forward') yield ''
    yield chalk.bold(text(section.title))
    // The legend once, under the first pass's title.
    if (k === 0) yield text(TANGENT_WORDS.legend)
    const below: [string, Tensor, string][] = []
    yield* boxLines(
      TANGENT_WORDS.columns.map(text),
      section.rows.map((row) => [row.tangent, row.rule, shapeCell(row.shape), placed(plainFormula(row.tangent), row.value, style, below)].map(text)),
      options.ascii,
      options.width ?? DEFAULT_WIDTH,
    )
    yield* belowTable(below, text)
    yield text(section.result)
  }
  yield ''
  yield chalk.bold(text(TANGENT_WORDS.compareTitle(first + sections.length)))
  for (const line of TANGENT_WORDS.costs(mode)) yield text(line)
}

function edgeRow(
  trace: TensorTrace,
  edge: TensorEdge,
  count: number,
  k: number,
  style: { precision: number; ascii: boolean },
  below: [string, Tensor, string][],
): string[] {
  const { nodes } = trace
  const out = nodes[trace.output]!.label
  const input = nodes[edge.input]!
  const gradient = count > 1 ? W.contribution(out, input.label, k, count, stepText(trace, edge.consumer)) : W.grad(out, input.label)
  const flagged = trace.flags.some((f) => f.edge === edge)
  return [
    gradient,
    plainFormula(upstreamTimesRule(trace, edge)),
    shapeCell(edge.contribution.shape),
    marked(placed(gradient, edge.contribution, style, below), flagged),
  ]
}

/** Steps listed whole up to this many; past it the first and last few. */
const TRAINING_ROWS = 20

/** --lr on a tensor program: the run as one table, a row per step, then each parameter after it. */
export function tensorTrainingLines(trace: TensorTrace, run: TensorTraining, options: TensorRenderOptions): string[] {
  const out = trace.nodes[trace.output]!.label
  const ascii = options.ascii
  const text = (s: string) => (ascii ? W.ascii(s) : s)
  const f = (x: number) => formatNumber(x, options.precision)
  const style = { precision: options.precision, ascii }
  const lines = [text(W.trainingTitle(run.params, run.lr, tensorSections({ ...options, training: run }).training!)), text(W.trainingRule(out, run.heldFixed))]
  const steps = run.gradNorms.map((norm, k) => [String(k + 1), f(run.losses[k]!), f(norm)])
  const shown = steps.length <= TRAINING_ROWS ? steps : [...steps.slice(0, 10), ['⋮', '', ''], ...steps.slice(-5)]
  lines.push(...table(W.trainingColumns(out), shown, options))
  const curve = sparkline(run.losses, ascii)
  const last = f(run.losses[run.losses.length - 1]!)
  lines.push(text(W.trainingAfter(out, run.gradNorms.length, last)), text(W.trainingCurve(out, f(run.losses[0]!), last, curve.bars, curve.log)))
  if (run.everyVariable) lines.push(text(`  ${W.noteMark} ${W.everyVariable(run.params)}`))
  if (run.firstRise !== undefined) lines.push(text(`  ${W.noteMark} ${W.trainingRise(out, run.firstRise, run.lr)}`))
  lines.push(
    ...table(
      W.trainingFinalColumns,
      run.params.map((name) => [name, shapeCell(run.final.get(name)!.shape), valueText(run.final.get(name)!, style)]),
      options,
    ),
  )
  return lines
}

function table(head: string[], rows: string[][], options: TensorRenderOptions): string[] {
  const text = (s: string) => (options.ascii ? W.ascii(s) : s)
  return [
    ...boxLines(
      head.map(text),
      rows.map((r) => r.map(text)),
      options.ascii,
      options.width ?? DEFAULT_WIDTH,
    ),
  ].map((l) => `  ${l}`)
}
