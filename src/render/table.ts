// --format table, the default: the trace a student would work out by hand, section by section.
// Column widths follow the content only, never the terminal, so the output is the same bytes in a
// terminal, in a pipe and in a file (color aside).
import { LIMITS } from '../limits.js'
import { PLAIN, type Colors } from '../steps/colors.js'
import { formatNumber } from '../format.js'
import { printSym, type Sym } from '../sym.js'
import type { FlagCode, Trace } from '../trace.js'
import type { Check } from '../check.js'
import { mark, product, sum, value, type Phrase } from '../steps/cells.js'
import { lesson, type ChainStep, type Lesson, expand } from '../steps/lesson.js'
import {
  COLUMNS,
  EMPTY,
  FORWARD,
  SEED,
  TITLES,
  checkStatusText,
  contributionOf,
  intermediateChains,
  longChains,
  moreStatements,
  noPath,
  pathLabel,
  sumOf,
  sumOverPaths,
  tooManyPaths,
} from '../steps/words.js'
import type { RenderOptions } from './index.js'
import { boxLines, displayWidth } from './box.js'
import { DEFAULT_WIDTH, TABLE_LINE, foldLine } from './wrap.js'
import type { ForwardMode } from '../modes/forward.js'
import { comparison, tangentLines, tangentResult } from '../steps/tangents.js'
import { inChunks, joined } from './shared.js'
import { notation, type Notation } from '../steps/text.js'

export function renderTable(trace: Trace, options: RenderOptions): string {
  return joined(tableChunks(trace, options))
}

/**
 * The view in pieces of whole lines, for writing as it is made: the tables of a big program are
 * many megabytes, which then never sit in memory whole (see json.ts).
 */
export function tableChunks(trace: Trace, options: RenderOptions): Iterable<string> {
  return inChunks(foldedLines(tableLines(trace, options), options.width ?? DEFAULT_WIDTH))
}

/** Prose folds at the width; tables have folded their own cells. */
function* foldedLines(lines: Iterable<string>, width: number): Generator<string> {
  // (UTF-16 length is never less than the columns, so most lines are passed on without measuring.)
  // A table's own lines have folded their cells already (foldLine leaves them as they are).
  for (const whole of lines) yield whole.length > width && !TABLE_LINE.test(whole) && displayWidth(whole) > width ? foldLine(whole, width).join('\n') : whole
}

/** What every section of the terminal view writes with: the lesson, its notation, its colours. */
interface View {
  trace: Trace
  steps: Lesson
  options: RenderOptions
  n: Notation
  c: Colors
  sym: (s: Sym) => string
  /** The warning mark after a flagged value. */
  warn: string
}

function* tableLines(trace: Trace, options: RenderOptions): Generator<string> {
  const n = notation(options)
  const c = options.chalk ?? PLAIN
  const view: View = {
    trace,
    steps: lesson(trace, { wrt: options.wrt, explain: options.explain, chains: options.chains ?? 'short' }),
    options,
    n,
    c,
    sym: (s) => printSym(s, n.style),
    warn: ` ${c.yellow(n.print([mark('warn')]))}`,
  }
  // Each warning goes under the table of the rows it concerns (the ⚠ there points at it).
  const { steps } = view
  const shown = new Set<number>()
  function* warnings(section: WarningPlace | 'rest'): Generator<string> {
    for (const [k, flag] of trace.flags.entries()) {
      if (shown.has(k) || (section !== 'rest' && warningPlace(flag.code) !== section)) continue
      shown.add(k)
      yield c.yellow(`  ${n.print([mark('warn'), ' ', ...steps.warnings[k]!])}`)
    }
  }
  yield* header(view)
  yield* forwardSection(view)
  yield* warnings('forward')
  const mode = options.mode ?? 'reverse'
  if (mode !== 'forward') {
    yield* localsSection(view)
    yield* warnings('locals')
    yield* backwardSection(view)
    yield* warnings('backward')
    yield* chainsSection(view)
    yield* gradientsSection(view)
    yield* warnings('gradients')
  }
  if (view.options.forward) yield* forwardModeSections(view, view.options.forward, mode === 'both' ? (view.options.chains === 'none' ? 5 : 6) : 2)
  if (shown.size < trace.flags.length) {
    yield* heading(view, [TITLES.warnings], [])
    yield* warnings('rest')
  }
  if (trace.notes.length > 0) {
    yield* heading(view, [TITLES.notes], [])
    for (const note of trace.notes) yield `  ${note}`
  }
}

/** Forward mode: a table of tangents per input, each closed by its derivative; then the two modes compared. */
function* forwardModeSections(view: View, mode: ForwardMode, first: number): Generator<string> {
  const { trace, n, options } = view
  for (const [k, pass] of mode.passes.entries()) {
    yield* heading(view, FORWARD.title(first + k, pass.variable), options.explain ? [FORWARD.explain(pass.variable)] : [])
    const rows = tangentLines(trace, pass).map((line) => [n.print(line.tangent), n.print(line.rule), n.print(line.values), n.print(line.value)])
    yield* boxLines(FORWARD.columns().map(n.print), rows, options.ascii, options.width ?? DEFAULT_WIDTH)
    yield `  ${n.print(tangentResult(trace, pass))}`
  }
  yield* heading(view, FORWARD.compareTitle(first + mode.passes.length), [])
  for (const line of comparison(trace, mode)) yield `  ${n.print(line)}`
}

type WarningPlace = 'forward' | 'locals' | 'backward' | 'gradients'

/** Under which table a flag's warning is written. */
function warningPlace(code: FlagCode): WarningPlace {
  switch (code) {
    case 'value':
      return 'forward'
    case 'local':
    case 'convention':
      return 'locals'
    case 'through':
      return 'gradients'
    default:
      return 'backward'
  }
}

function* explain({ n, c }: View, sentences: Phrase[]): Generator<string> {
  for (const sentence of sentences) yield c.dim(`  ${n.print(sentence)}`)
}

function* heading(view: View, title: Phrase, sentences: Phrase[]): Generator<string> {
  yield ''
  yield view.c.bold(view.n.print(title))
  yield* explain(view, sentences)
}

/** The program as parsed, with every operator's grouping shown; the values; the symbols. */
function* header({ trace, steps, options, n, c }: View): Generator<string> {
  yield c.bold(TITLES.program) + c.dim(TITLES.programAsParsed)
  const shown = steps.statements.slice(0, LIMITS.headerStatements)
  for (const i of shown) yield `  ${trace.nodes[i]!.label} = ${printSym(expand(trace, i), { ...n.style, allParens: true })}`
  if (steps.statements.length > shown.length) yield `  ${moreStatements(steps.statements.length - shown.length)}`
  if (steps.statements.length === 0) yield `  ${steps.out}`
  const bound = Object.entries(trace.bindings)
  yield `${c.bold(TITLES.values)}    ${bound.length ? bound.map(([k, v]) => `${k} = ${formatNumber(v, options.precision)}`).join(', ') : TITLES.none}`
  // A program of thousands of symbols names the first few; the tables name every one.
  const first = trace.unbound.slice(0, LIMITS.headerStatements)
  const names = trace.unbound.length > first.length ? `${first.join(', ')} and ${trace.unbound.length - first.length} more` : first.join(', ')
  yield `${c.bold(TITLES.symbolic)}  ${trace.unbound.length ? `${names} ${TITLES.symbolicWhy}` : TITLES.none}`
}

function* forwardSection(view: View): Generator<string> {
  const { trace, steps, sym, warn } = view
  yield* heading(view, TITLES.table.forward(), steps.explain.forward)
  const forward = table(COLUMNS.forward, view.options)
  for (const row of steps.forward())
    forward.push([
      trace.nodes[row.node]!.label,
      row.op,
      row.expression ? sym(row.expression) + (row.spelled ? ` = ${sym(row.spelled)}` : '') : '',
      sym(row.value) + (row.flagged ? warn : ''),
    ])
  yield* forward.lines()
}

function* localsSection(view: View): Generator<string> {
  const { steps, n, sym, warn } = view
  yield* heading(view, TITLES.table.locals(), steps.explain.locals)
  if (!steps.hasLocals) {
    yield `  ${EMPTY.locals}`
    return
  }
  for (const line of steps.notation) yield `  ${n.print(line)}`
  const locals = table(COLUMNS.locals, view.options)
  for (const row of steps.locals()) locals.push([n.print(row.local), row.rule, sym(row.symbolic), sym(row.value) + (row.flagged ? warn : '')])
  yield* locals.lines()
  yield* explain(view, steps.explain.localsAfter)
}

function* backwardSection(view: View): Generator<string> {
  const { steps, sym } = view
  const print = view.n.print
  yield* heading(view, TITLES.table.backward(steps.out), steps.explain.backward)
  const backward = table(COLUMNS.backward().map(print), view.options)
  for (const step of steps.backward()) {
    if (step.kind === 'seed') backward.push([print(step.gradient), SEED, '', '1'])
    else if (step.kind === 'contribution') {
      const which = step.total > 1 ? ` ${contributionOf(step.k, step.total)}` : ''
      backward.push([print(step.gradient) + which, print(product(step.upstream, step.local)), print(step.values), sym(step.contribution)])
    } else backward.push([print(step.gradient), sumOf(step.total), print(sum(step.terms)), sym(step.grad)])
  }
  yield* backward.lines()
  yield* explain(view, steps.explain.backwardAfter)
}

function* chainsSection(view: View): Generator<string> {
  const { steps } = view
  if (view.options.chains === 'none') return
  yield* heading(view, TITLES.table.chains(steps.out), steps.explain.chains)
  for (const chain of steps.chains) yield* chainLines(chain, steps.out, view.n)
  if (view.trace.chains.length === 0) yield `  ${EMPTY.variables}`
}

function* gradientsSection(view: View): Generator<string> {
  const { steps, sym, options } = view
  yield* heading(view, TITLES.table.gradients(options.chains === 'none' ? 4 : 5), steps.explain.gradients)
  if (steps.gradients.length === 0) {
    yield `  ${EMPTY.variables}`
    return
  }
  const grads = table(COLUMNS.gradients(steps.out).map(view.n.print), options)
  for (const row of steps.gradients) {
    const estimate = row.check?.estimate
    grads.push([row.variable, sym(row.grad), estimate !== undefined ? formatNumber(estimate, options.precision) : '', checkCell(row.check, view.c)])
  }
  yield* grads.lines()
  for (const reason of steps.reasons) yield `  ${reason.variables.join(', ')}: ${view.n.print(reason.text)}`
}

/** One variable's chains: each path's local derivatives, their values, their product; then the sum over paths. */
function* chainLines(chain: ChainStep, out: string, n: Notation): Generator<string> {
  const print = n.print
  const gradient = print(chain.gradient)
  if (chain.kind === 'no-path') {
    yield `  ${gradient} = 0 ${noPath(out, chain.variable)}`
    return
  }
  if (chain.kind === 'intermediate') {
    yield `  ${gradient}: ${intermediateChains(chain.variable)}`
    return
  }
  if (chain.kind === 'too-many') {
    yield `  ${gradient}: ${tooManyPaths(chain.count)}`
    return
  }
  if (chain.kind === 'long') {
    yield `  ${gradient} = ${print(value(chain.total))} ${longChains(chain.count, chain.longest, chain.zero)}`
    return
  }
  const pad = ' '.repeat(gradient.length + 1)
  const times = ` ${n.times} `
  for (const [k, path] of chain.paths.entries()) {
    // Each path is headed by its variable's gradient, so a program with several reads unambiguously.
    const lead = chain.paths.length > 1 ? `  ${gradient}, ${pathLabel(k + 1)}: ` : `  ${gradient} = `
    yield `${lead}${path.locals.map(print).join(times)}`
    const indent = chain.paths.length > 1 ? ' '.repeat(lead.length - 2) : pad
    // A path of one local derivative is its own product: its value once, not "= 4 = 4".
    if (path.values.length > 1) yield `  ${indent}= ${path.values.map(print).join(times)}`
    yield `  ${indent}= ${print(value(path.product))}${path.selected ? ` ${print(path.selected)}` : ''}`
  }
  if (chain.paths.length > 1) {
    yield `  ${gradient} = ${sumOverPaths(chain.paths.length)} = ${print(sum(chain.paths.map((p) => p.product)))} = ${print(value(chain.total))}`
  }
}

function checkCell(check: Check | undefined, c: Colors): string {
  const text = checkStatusText(check?.status, check?.reason)
  return check?.status === 'agree' ? c.green(text) : check?.status === 'disagree' ? c.red(text) : check?.status === 'inconclusive' ? c.yellow(text) : text
}

/** Rows collected for one section's table, then its lines. */
function table(head: string[], options: RenderOptions) {
  const rows: string[][] = []
  return { push: (...more: string[][]) => void rows.push(...more), lines: () => boxLines(head, rows, options.ascii, options.width ?? DEFAULT_WIDTH) }
}
