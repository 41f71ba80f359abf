// Trace → the lesson as data: the sections a student reads (program, forward values, ① local
// derivatives, ② the backward pass, chains, gradients, warnings), each row made of cells that say
// what they are. Every face (table, markdown, latex, quiz, graphs) prints these; none decides what
// to show, and none needs to know where a number came from in the trace.
import type { Check, CheckReason } from '../check.js'
import { LIMITS } from '../limits.js'
import { symTerms, type Sym } from '../sym.js'
import { operandSym, type Trace } from '../trace.js'
import { factor, grad, local, localSym, product, type Cell, type Phrase } from './cells.js'
import { EXPLAIN, NOT_CHECKED_INTERMEDIATE, andMore, chainSelected, checkReasonText, flagText, notationNote, placeholders, ruleSentence } from './words.js'

export interface LessonOptions {
  /** Limit the backward sections to what reaches these variables. */
  wrt?: string[] | undefined
  /** Include the --explain sentences. */
  explain: boolean
  /** Which chains to list: every path (all), while they are few and short (short, the default), none. */
  chains?: 'all' | 'short' | 'none'
}

export interface ForwardRow {
  node: number
  /** The op id, or "variable". */
  op: string
  expression?: Sym
  /**
   * In a program with many tool-named nodes (t1 … t21), such a node's expression spelled out in the
   * program's own names (t16 = y·t15 = y·log(p)), so the reader need not look each t up.
   */
  spelled?: Sym
  value: Sym
  /** The value is where a NaN or Infinity first appears. */
  flagged: boolean
}

export interface LocalRow {
  edge: number
  local: Cell
  rule: string
  /** The local derivative in terms of the inputs' names, and at the bound values. */
  symbolic: Sym
  value: Sym
  flagged: boolean
}

export type BackwardStep =
  | { kind: 'seed'; gradient: Cell }
  /** One edge's contribution: upstream × local. `k` of `total` when the input feeds several nodes. */
  | { kind: 'contribution'; edge: number; k: number; total: number; gradient: Cell; upstream: Cell; local: Cell; values: Cell; contribution: Sym }
  /** The sum that closes a fan-out. */
  | { kind: 'sum'; node: number; total: number; gradient: Cell; terms: Sym[]; grad: Sym }

export interface ChainPath {
  locals: Cell[]
  values: Cell[]
  product: Sym
  /** Where the product is 0 because an op selected its branch (∞ · 0 taken as 0, as the backward pass takes it). */
  selected?: Phrase
}

export type ChainStep =
  | { kind: 'no-path'; variable: string; gradient: Cell }
  | { kind: 'too-many'; variable: string; gradient: Cell; count: number }
  /** An intermediate chosen with --wrt: chains are listed to variables only. */
  | { kind: 'intermediate'; variable: string; gradient: Cell }
  | { kind: 'paths'; variable: string; gradient: Cell; paths: ChainPath[]; total: Sym }
  /** --chains short (the default): paths too many or too long to read, summarized with the gradient. */
  | { kind: 'long'; variable: string; gradient: Cell; count: number; longest: number; total: Sym; zero: number }

export interface GradientRow {
  variable: string
  grad: Sym
  check: Check | undefined
}

export interface Lesson {
  trace: Trace
  /** The output's label. */
  out: string
  /** Nodes that are statements (assigned, or the output), for the program header. */
  statements: number[]
  /**
   * The three long sections are made as they are read (each call starts again): a big program's
   * rows are written and dropped one section at a time, never held as cells all at once.
   */
  forward: () => Iterable<ForwardRow>
  locals: () => Iterable<LocalRow>
  /** Whether any edge is on the output's path, so section ① has rows. */
  hasLocals: boolean
  /** Lines that tell a local derivative from a gradient, shown once with section ①. */
  notation: Phrase[]
  backward: () => Iterable<BackwardStep>
  chains: ChainStep[]
  gradients: GradientRow[]
  /** One line per distinct reason a check is not plain, with the variables it applies to. */
  reasons: { variables: string[]; text: Phrase }[]
  warnings: Phrase[]
  /** --explain sentences, by where they go (empty without --explain). */
  explain: Record<'forward' | 'locals' | 'localsAfter' | 'backward' | 'backwardAfter' | 'chains' | 'gradients', Phrase[]>
}

export function lesson(trace: Trace, options: LessonOptions): Lesson {
  const out = trace.nodes[trace.output]!.label
  const wrt = options.wrt && options.wrt.length > 0 ? new Set(options.wrt) : undefined
  const flaggedEdges = new Set(trace.flags.filter((f) => f.edge !== undefined).map((f) => f.edge!))
  const flaggedNodes = new Set(trace.flags.filter((f) => f.pass === 'forward').map((f) => f.node))
  // gradients, chains and checks are all in variable order: one index reads all three.
  const selected = trace.gradients.flatMap((g, k) => (!wrt || wrt.has(g.name) ? [k] : []))
  const gradients: GradientRow[] = selected.map((k) => ({ variable: trace.gradients[k]!.name, grad: trace.gradients[k]!.grad, check: trace.checks[k] }))
  // Intermediates chosen with --wrt (yhat): their gradients too, which the check does not cover.
  const intermediates = [...(wrt ?? [])].filter((name) => trace.nodes[wrtNode(trace, name) ?? 0]?.kind === 'op')
  for (const name of intermediates) gradients.push({ variable: name, grad: trace.nodes[wrtNode(trace, name)!]!.grad ?? 0, check: undefined })
  const locals = () => localRows(trace, flaggedEdges)
  const example = exampleEdge(trace)
  return {
    trace,
    out,
    statements: statementNodes(trace),
    forward: () => forwardRows(trace, flaggedNodes),
    locals,
    hasLocals: example !== undefined,
    notation: example !== undefined ? notationNote(trace, example) : [],
    backward: () => backwardSteps(trace, wrt),
    chains: [
      ...(options.chains === 'none' ? [] : selected.map((k) => chainStep(trace, k, options.chains === 'all' ? 'all' : 'short'))),
      ...intermediates.map((name): ChainStep => ({ kind: 'intermediate', variable: name, gradient: grad(out, name) })),
    ],
    gradients,
    reasons: [...reasons(trace, gradients), ...(intermediates.length ? [{ variables: intermediates, text: [NOT_CHECKED_INTERMEDIATE] }] : [])],
    warnings: trace.flags.map((flag) => flagText(trace, flag)),
    explain: options.explain
      ? explanations(trace, locals(), backwardSteps(trace, wrt))
      : { forward: [], locals: [], localsAfter: [], backward: [], backwardAfter: [], chains: [], gradients: [] },
  }
}

/** Tool-named nodes (t1, t2, …) past which the forward rows spell each one out in the program's names. */
const SPELL_OUT_AFTER = 6

function* forwardRows(trace: Trace, flaggedNodes: Set<number>): Generator<ForwardRow> {
  const toolNamed = trace.nodes.filter((node, i) => node.kind === 'op' && !node.assigned && i !== trace.output).length
  const spellOut = toolNamed > SPELL_OUT_AFTER
  for (let i = 0; i < trace.nodes.length; i++) {
    const node = trace.nodes[i]!
    if (node.kind === 'constant') continue
    const row: ForwardRow = { node: i, op: node.kind === 'variable' ? 'variable' : node.op!, value: node.value, flagged: flaggedNodes.has(i) }
    if (node.expression) row.expression = node.expression
    if (spellOut && node.kind === 'op' && !node.assigned && i !== trace.output) {
      const spelled = expand(trace, i)
      if (symTerms(spelled) <= LIMITS.maxSymTerms && !sameJson(spelled, node.expression)) row.spelled = spelled
    }
    yield row
  }
}

/** Whether JSON.stringify writes `a` and `b` alike (keys in order), without writing either. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true
  // NaN and ±Infinity are written null, as null is.
  const nullish = (x: unknown) => x === null || (typeof x === 'number' && !Number.isFinite(x))
  if (nullish(a) || nullish(b)) return nullish(a) && nullish(b)
  if (typeof a !== 'object' || typeof b !== 'object' || Array.isArray(a) !== Array.isArray(b)) return false
  if (Array.isArray(a)) {
    const other = b as unknown[]
    if (a.length !== other.length) return false
    for (let k = 0; k < a.length; k++) if (!sameJson(a[k] ?? null, other[k] ?? null)) return false
    return true
  }
  const written = (x: object) => Object.entries(x).filter(([, v]) => v !== undefined && typeof v !== 'function' && typeof v !== 'symbol')
  const left = written(a as object)
  const right = written(b as object)
  if (left.length !== right.length) return false
  for (let k = 0; k < left.length; k++) if (left[k]![0] !== right[k]![0] || !sameJson(left[k]![1], right[k]![1])) return false
  return true
}

/** Every edge into a node on the output's path, with its local derivative as a cell. */
function* localRows(trace: Trace, flaggedEdges: Set<number>): Generator<LocalRow> {
  // At a tie of max or min the formula [x > y] would say 0 beside the value ½: show the ½ the convention takes.
  const ties = new Set(trace.flags.filter((f) => f.convention === 'tie-split').map((f) => f.edge!))
  for (let e = 0; e < trace.edges.length; e++) {
    const edge = trace.edges[e]!
    if (!trace.nodes[edge.to]!.onPath) continue
    const symbolic = ties.has(e) ? localSym(trace, edge) : edge.local
    yield { edge: e, local: local(trace, edge), rule: edge.rule.name, symbolic, value: edge.localValue, flagged: flaggedEdges.has(e) }
  }
}

/**
 * The edge that best shows a local derivative beside a gradient: one from a variable used once by
 * an operation other than a plain assignment (in x*x*x, ∂(t1·x)/∂x = 4 beside ∂L/∂x = 12), else
 * the first on the output's path; undefined when no edge is.
 */
function exampleEdge(trace: Trace): number | undefined {
  let first: number | undefined
  for (let e = 0; e < trace.edges.length; e++) {
    const edge = trace.edges[e]!
    const consumer = trace.nodes[edge.to]!
    if (!consumer.onPath) continue
    first ??= e
    const plain = consumer.op !== 'identity' && consumer.inputs.filter((j) => j === edge.from).length === 1
    if (plain && trace.nodes[edge.from]!.kind === 'variable') return e
  }
  return first
}

/** Nodes that are statements: assigned a name, or the output. */
export function statementNodes(trace: Trace): number[] {
  return trace.nodes.flatMap((node, i) => (node.kind === 'op' && (node.assigned || i === trace.output) ? [i] : []))
}

/**
 * The node a --wrt name stands for: a variable, or an intermediate by its label (t2, c#1) or its
 * assigned name (yhat; a name assigned twice stands for its newest value, as in the program).
 */
export function wrtNode(trace: Trace, name: string): number | undefined {
  let found: number | undefined
  trace.nodes.forEach((node, i) => {
    if (node.kind === 'constant') return
    if (node.label === name || (node.kind === 'variable' && node.id === name)) found ??= i
  })
  if (found !== undefined) return found
  trace.nodes.forEach((node, i) => node.assigned === name && (found = i))
  return found
}

/** Which nodes depend on a --wrt node (all nodes when there is no --wrt). */
function reachesVariables(trace: Trace, wrt: Set<string> | undefined): boolean[] {
  if (!wrt) return trace.nodes.map(() => true)
  const chosen = new Set([...wrt].map((name) => wrtNode(trace, name)))
  const reaches: boolean[] = []
  trace.nodes.forEach((node, i) => {
    reaches[i] = chosen.has(i) || node.inputs.some((j) => reaches[j])
  })
  return reaches
}

/**
 * The backward pass in visiting order, limited to edges into nodes that reach a --wrt variable;
 * a node with several contributions gets them numbered "k of total" and then its sum.
 */
export function* backwardSteps(trace: Trace, wrt: Set<string> | undefined): Generator<BackwardStep> {
  const out = trace.nodes[trace.output]!.label
  const label = (i: number) => trace.nodes[i]!.label
  const reaches = reachesVariables(trace, wrt)
  const seen = new Map<number, number>()
  yield { kind: 'seed', gradient: grad(out, out) }
  for (const e of trace.backward) {
    const edge = trace.edges[e]!
    if (!reaches[edge.from]) continue
    const total = trace.nodes[edge.from]!.contributions.length
    const k = (seen.get(edge.from) ?? 0) + 1
    seen.set(edge.from, k)
    yield {
      kind: 'contribution',
      edge: e,
      k,
      total,
      gradient: grad(out, label(edge.from)),
      upstream: grad(out, label(edge.to)),
      local: local(trace, edge),
      values: product(factor(edge.upstream), factor(edge.localValue)),
      contribution: edge.contribution,
    }
    if (total > 1 && k === total) {
      const node = trace.nodes[edge.from]!
      const terms = node.contributions.map((x) => trace.edges[x]!.contribution)
      yield { kind: 'sum', node: edge.from, total, gradient: grad(out, node.label), terms, grad: node.grad ?? 0 }
    }
  }
}

/** --chains short lists a variable's paths while there are at most this many, each of at most SHORT_FACTORS local derivatives. */
const SHORT_PATHS = 3
const SHORT_FACTORS = 6

function chainStep(trace: Trace, k: number, policy: 'all' | 'short'): ChainStep {
  const out = trace.nodes[trace.output]!.label
  const chain = trace.chains[k]!
  const gradient = grad(out, chain.variable)
  if (chain.count === 0) return { kind: 'no-path', variable: chain.variable, gradient }
  if (!chain.paths) return { kind: 'too-many', variable: chain.variable, gradient, count: chain.count }
  const longest = Math.max(...chain.paths.map((path) => path.edges.length))
  if (policy === 'short' && (chain.paths.length > SHORT_PATHS || longest > SHORT_FACTORS)) {
    const zero = chain.paths.filter((path) => path.product === 0).length
    return { kind: 'long', variable: chain.variable, gradient, count: chain.paths.length, longest, total: trace.gradients[k]!.grad, zero }
  }
  const paths = chain.paths.map((path) => ({
    locals: path.edges.map((e) => local(trace, trace.edges[e]!)),
    values: path.edges.map((e) => factor(trace.edges[e]!.localValue)),
    product: path.product,
    ...(path.selected === undefined ? {} : { selected: chainSelected(trace.nodes[trace.edges[path.selected]!.to]!.op!) }),
  }))
  return { kind: 'paths', variable: chain.variable, gradient, paths, total: trace.gradients[k]!.grad }
}

/** One line per distinct reason, naming the variables it applies to, in order of first use. */
function reasons(trace: Trace, gradients: GradientRow[]): Lesson['reasons'] {
  const byText = new Map<string, { variables: string[]; text: Phrase; reason: CheckReason }>()
  for (const row of gradients) {
    const reason = row.check?.reason
    if (!reason) continue
    const text = checkReasonText(trace, row.variable, reason)
    // Phrases are compared by their content: the same words and cells make the same line
    // (Infinity and -Infinity kept apart: JSON would write both as null).
    const key = JSON.stringify(text, (_, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v))
    const line = byText.get(key)
    if (line) line.variables.push(row.variable)
    else byText.set(key, { variables: [row.variable], text, reason })
  }
  return [...byText.values()].map(({ variables, text, reason }) => ({
    variables,
    text: variables.length > 1 ? checkReasonText(trace, variables[0]!, reason, true) : text,
  }))
}

function explanations(trace: Trace, locals: Iterable<LocalRow>, backward: Iterable<BackwardStep>): Lesson['explain'] {
  const out = trace.nodes[trace.output]!.label
  const names = placeholders(trace)
  // One sentence per rule, after the local derivatives it explains; a rule that gives the same
  // formula for each argument (a sum's 1) is one sentence for all of them, naming the first few.
  const groups = new Map<string, { rule: Phrase; edges: LocalRow[]; count: number }>()
  for (const row of locals) {
    const edge = trace.edges[row.edge]!
    const op = trace.nodes[edge.to]!.op!
    const rule = ruleSentence(op, edge.slot, names)
    const key = `${op} ${edge.rule.id} ${JSON.stringify(rule.slice(2))}`
    const group = groups.get(key)
    if (!group) groups.set(key, { rule, edges: [row], count: 1 })
    else if (++group.count <= LIMITS.sumTerms) group.edges.push(row)
  }
  const localsAfter = [...groups.values()].map(({ rule, edges, count }) => {
    const phrase: Phrase = []
    edges.forEach((row, k) => phrase.push(...(k > 0 ? [', '] : []), row.local, ' = ', { kind: 'value', value: row.symbolic }))
    if (count > edges.length) phrase.push(andMore(count - edges.length))
    const [first, ...rest] = rule
    return [...phrase, ': ', typeof first === 'string' ? first.charAt(0).toUpperCase() + first.slice(1) : first!, ...rest]
  })
  const backwardAfter: Phrase[] = []
  for (const step of backward) if (step.kind === 'sum') backwardAfter.push(EXPLAIN.fanOut(trace.nodes[step.node]!.label, out, step.total))
  return {
    forward: [EXPLAIN.forward()],
    locals: [EXPLAIN.locals()],
    localsAfter,
    backward: [EXPLAIN.seed(out), EXPLAIN.chainRule()],
    backwardAfter,
    chains: [EXPLAIN.chains()],
    gradients: [EXPLAIN.check(), ...sensitivities(trace)],
  }
}

/** The reading every teacher gives a gradient, for the first few variables whose check measured it. */
function sensitivities(trace: Trace): Phrase[] {
  const out = trace.nodes[trace.output]!.label
  return trace.checks
    .filter((c) => c.status === 'agree' && c.fUp !== undefined && c.fDown !== undefined)
    .slice(0, SENSITIVITIES)
    .map((c) => EXPLAIN.sensitivity(out, c.variable, c.grad!, c.step!, c.fUp!, c.fDown!, c.estimate!))
}

/** Variables given the sensitivity reading under --explain: enough to see the idea, not a list. */
const SENSITIVITIES = 3

/** The statement rooted at node i as one expression, unnamed inner operations spelled out. */
export function expand(trace: Trace, root: number): Sym {
  let budget = LIMITS.headerSize
  const build = (i: number, top: boolean): Sym => {
    const node = trace.nodes[i]!
    if (node.kind !== 'op' || (!top && (node.assigned || budget <= 0))) {
      return operandSym(node)
    }
    budget--
    if (node.op === 'identity') return build(node.inputs[0]!, false)
    return { op: node.op!, args: node.inputs.map((j) => build(j, false)) }
  }
  return build(root, true)
}
