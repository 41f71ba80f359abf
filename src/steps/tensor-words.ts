// The words of a tensor trace, shared by its faces: titles, legends, the check's verdicts and the
// cells built from the trace (upstream · rule, the statements of the header).
import type { FormulaFeatures } from '../tensor/symbolic.js'
import { OPS, type Convention } from '../ops.js'
import { TENSOR_OPS, type TensorOpId } from '../tensor/ops.js'
import { LIMITS } from '../limits.js'
import { countText, formatNumber } from '../format.js'
import type { TensorNode } from '../tensor/graph.js'
import { CHECK_DIRECTIONS, type TensorCheck, type TensorEdge, type TensorTrace } from '../tensor/trace.js'
import { SHOWN_TERMS, type EntryChain, type EntryTerm } from '../tensor/entry.js'
import type { TensorClaim, TensorClaimResult, TensorDiagnosis } from '../tensor/claims.js'
import { indexOf, offsetOf, sameShape, shapeText, shapeWords, tensor, type Shape, type Tensor } from '../tensor/tensor.js'
import { conventionsByEntry, type TensorFlag } from '../tensor/flags.js'
import { shapeCell, valueText } from './values.js'
import { dotted, notation } from './text.js'
import { FORWARD, chainSelected, conventionText, noPath, tooManyPaths } from './words.js'
import { pathValue, tensorChains, type TensorChain } from '../tensor/chains.js'
import { tangentOf } from '../tensor/ops.js'
import type { TensorDirection, TensorForwardMode } from '../tensor/forward.js'

const ASCII: [RegExp, string][] = [
  [/∂/g, 'd'],
  [/·/g, '*'],
  [/ḡ/g, 'g'],
  [/ᵀ/g, '^T'],
  [/⊙/g, '.*'],
  [/⋆/g, '(*)'],
  [/×/g, 'x'],
  [/→/g, '->'],
  [/←/g, '<-'],
  [/Σ/g, 'sum'],
  [/…/g, '...'],
  [/⋮/g, ':'],
  [/²/g, '^2'],
  [/³/g, '^3'],
  [/⚠/g, '(!)'],
  [/①/g, '(1)'],
  [/②/g, '(2)'],
]

/** Each note's signs in the tables' notation, --ascii and LaTeX. */
const NOTE_SIGNS: Record<'text' | 'ascii' | 'tex', string[]> = {
  text: ['·', 'ᵀ', '⊙, / and .^', '𝟏ₙ is a column of n ones: Gᵀ·𝟏ₙ adds up the rows of G, G·𝟏ₙ its columns', '𝟏ₘₓₙ', 'bᵀ', '[a > 0]'],
  ascii: ['*', "'", '.*, ./ and .^', "ones(n) is a column of n ones: G'*ones(n) adds up the rows of G, G*ones(n) its columns", 'ones(m, n)', "b'", '(a > 0)'],
  tex: [
    'Side by side, $A\\,B$',
    '${A}^{\\top}$',
    '$\\odot$, $\\oslash$ and ${A}^{\\circ 2}$',
    '$\\mathbf{1}_{n}$ is a column of n ones: ${G}^{\\top}\\,\\mathbf{1}_{n}$ adds up the rows of G, $G\\,\\mathbf{1}_{n}$ its columns',
    '$\\mathbf{1}_{m\\times n}$',
    '${b}^{\\top}$',
    '$[a > 0]$',
  ],
}

/** A symbolic tensor program's sections (--shape): formulas in the program's names, with their shapes. */
export const SYMBOLIC_WORDS = {
  programTitle: 'Program (in symbols; a vector is a column)',
  shapesTitle: 'Shapes',
  forwardTitle: "1. Forward pass: each node's value as a matrix expression",
  forwardColumns: ['node', 'expression', 'shape', 'value'],
  rulesTitle: '2. Rules: each operation passes ḡ, the gradient arriving at its output, back to each input',
  rulesColumns: ['operation', 'input', 'rule', 'shapes'],
  backwardTitle: (out: string) => `3. Backward pass: each rule applied to the gradient arriving, from ${out} back`,
  backwardColumns: ['gradient', 'through', 'contribution'],
  gradientsTitle: '4. Gradients, as formulas',
  /** The page's steps (--format html with --shape). */
  pageInSymbols: '(in symbols; a vector is a column)',
  pageRule: (operation: string, input: string, rule: string) => `${operation}, to ${input}: passes back ${rule}`,
  pageContribution: (gradient: string, through: string, contribution: string) => `${gradient} += ${contribution}   (through ${through})`,
  /** Beside a gradient's second form: the formula as built, then this. */
  collected: '(the same, simplified)',
  entryTitle: (out: string, of: string, index: number[]) =>
    `5. One entry: ∂${out}/∂${of}${index.length ? ` at [${index.join(', ')}]` : ''}, from the matrix form to the index form`,
  entrySigma:
    "Σₖ, Σₗ, … add up over their index: the inner index of a matrix product, (A·B)ᵢⱼ = Σₖ Aᵢₖ·Bₖⱼ, or the entries a sum adds; ᵀ swaps an entry's indexes.",
  entrySigmaAscii:
    "sum_k, sum_l, ... add up over their index: the inner index of a matrix product, (A*B)[i, j] = sum_k A[i, k]*B[k, j], or the entries a sum adds; ' swaps an entry's indexes.",
  entryTooLong: '(written out, it has more than 60 names and numbers)',
  /** Softmax with cross-entropy: the formula holds for any target; the known form when it sums to 1. */
  knownForm: (gradient: string, target: string, form: string, rows: boolean) =>
    `  Softmax with cross-entropy: where ${rows ? `each row of ${target}` : target} sums to 1 (one-hot labels, or probabilities), ${gradient} is ${form}.`,
  /** The notation's notes under a symbolic trace: only those its formulas use (symbolic.ts formulaFeatures). */
  notes: (f: FormulaFeatures, notation: 'text' | 'ascii' | 'tex'): string[] => {
    const [times, transpose, each, ones, onesMatrix, rowed, indicator] = NOTE_SIGNS[notation]
    return [
      `${times} is the matrix product, ${transpose} the transpose${f.entrywise ? `; ${each} act entry by entry` : ''}.`,
      ...(f.ones ? [`${ones}${f.onesMatrix ? ` (${onesMatrix} an m×n matrix of them)` : ''}.`] : []),
      ...(f.rowed ? [`A vector added to a matrix is added to each row: it is written as a row, ${rowed}.`] : []),
      ...(f.indicator ? [`${indicator} is 1 where a > 0, and 0 elsewhere.`] : []),
    ]
  },
}

export const TENSOR_WORDS = {
  // A tangent's dot (ẋ, ṫ1) first, read from the letters' canonical decomposition: dot(x), dot(t1).
  ascii: (text: string) =>
    ASCII.reduce(
      (t, [from, to]) => t.replace(from, to),
      text
        .normalize('NFD')
        .replace(/(\p{L})\u0307([\p{L}\p{N}_$#]*)/gu, 'dot($1$2)')
        .normalize('NFC'),
    ),
  /** The program's heading: what * means where the values are tensors; a loop of scalars is only unrolled. */
  programTitle: (trace: TensorTrace) => {
    if (trace.nodes.some((n) => n.value!.shape.length > 0)) return 'Program (tensors: * is the matrix product, functions apply entry by entry)'
    const unrolled = unrolledNote(trace)
    return unrolled === undefined ? 'Program' : `Program (${unrolled})`
  },
  valuesTitle: 'Values',
  /** quiz and check with --shape: what the random values are for. */
  atRandom: (names: string[], seed: number) =>
    `Shapes   ${names.join(', ')} declared by --shape: random values of those shapes (rand, --seed ${seed}); a formula is judged at them and again at values moved from them, so it is right only as a formula.`,
  forwardTitle: '1. Forward pass: the value and shape of every node, inputs first',
  forwardColumns: ['node', 'op', 'expression', 'shape', 'value'],
  opName: (node: TensorNode): string =>
    node.op === 'elementwise' ? (OPS[node.params.fn!].call ?? ELEMENTWISE[node.params.fn!] ?? node.params.fn!) : OP_NAMES[node.op!],
  rulesTitle: '2. Local rules: ① what each operation passes back to each input',
  rulesLegend: [
    "  ḡ stands for the gradient arriving at the operation's output, shaped like it; each rule is the operation's vector-Jacobian product: its local derivative applied to ḡ.",
  ],
  rulesColumns: ['operation', 'input', 'rule', 'passes back'],
  rulesNoteColumns: ['operation', 'input', 'rule', 'passes back', 'shapes'],
  backwardTitle: (out: string) => `3. Backward pass: ② each rule with ḡ = ∂${out}/∂(its output), from ${out} back`,
  backwardLegend: '    (upstream · rule = contribution, each with its shape)',
  backwardColumns: ['gradient', 'upstream · rule', 'shape', 'contribution'],
  grad: (of: string, wrt: string) => `∂${of}/∂${wrt}`,
  /** `step`: the loop step the contribution's operation belongs to ("t = 2"), so BPTT's sum reads by time step. */
  contribution: (of: string, wrt: string, k: number, count: number, step?: string) => `∂${of}/∂${wrt} (${k} of ${count}${step ? `, ${step}` : ''})`,
  seed: 'seed',
  scalarShape: 'scalar',
  sumOf: (count: number) => `sum of its ${count} contributions`,
  gradientsTitle: (trace: TensorTrace, n: number) =>
    `${n}. Gradients, each shaped like its ${intermediatesOf(trace).length > 0 ? 'variable or node' : 'variable'}, checked against finite differences`,
  chainsTitle: (trace: TensorTrace, n: number) =>
    `${n}. Chains: the rules applied in turn along every path from ${trace.nodes[trace.output]!.label} to each ${intermediatesOf(trace).length > 0 ? 'variable or node' : 'variable'}`,
  chainsLegend: '    (each path takes the seed through its own rules alone; the paths add up to the gradient)',
  chainRules: 'rules in turn',
  sumOverPaths: (count: number) => `sum over ${count} paths`,
  gradientsColumns: (out: string) => ['variable', 'shape', `∂${out}/∂variable`, 'check'],
  noteMark: '⚠',
  seeBelow: '(below)',
  belowTitle: '  Values too wide for the table:',
  jacobiansTitle:
    "  The local Jacobians small enough to print in full: a row per entry of the operation's output, a column per entry of the input; each entry of the rule's result is ḡ's entries times one column.",
  shortcutMark: '→',
  trainingTitle: (params: string[], lr: number, n: number) =>
    `${n}. Training: gradient descent on ${params.join(', ')} with learning rate η = ${formatNumber(lr)}`,
  trainingRule: (out: string, data: string[]) =>
    `  each step: p ← p - η·∂${out}/∂p, entry by entry${data.length ? `; held fixed (data): ${data.join(', ')}` : ''}`,
  trainingColumns: (out: string) => ['step', `${out} before the step`, '‖gradient‖'],
  trainingAfter: (out: string, steps: number, last: string) => `  after step ${steps}: ${out} = ${last}`,
  trainingCurve: (out: string, first: string, last: string, bars: string, log: boolean) =>
    `  ${out} over the run: ${first} → ${last}  ${bars}${log ? ' (log scale)' : ''}`,
  everyVariable: (params: string[]) =>
    `every variable is trained (${params.join(', ')}), inputs and targets too: hold those fixed with --data NAMES, or name what to train with --params NAMES`,
  trainingRise: (out: string, step: number, lr: number) =>
    `${out} rose over step ${step}: with η = ${formatNumber(lr)} the step overshoots; try a smaller --lr`,
  trainingFinalColumns: ['parameter', 'shape', 'after the last step'],
  /** A number the program writes (the 2 of x .^ 2) is its own label: the forward table leaves it out. */
  shownInForward: (node: TensorNode) => !(node.kind === 'constant' && node.value!.shape.length === 0 && node.label === formatNumber(node.value!.data[0]!)),
  checkLegend: (trace: TensorTrace): string[] => {
    // Nothing measured (every gradient or output not finite): no method to explain.
    const measured = trace.checks.filter((c) => c.status !== 'not-checked')
    if (measured.length === 0) return []
    const method = measured[0]!.method
    return [
      method === 'entries'
        ? '  Checked entry by entry: each entry moved by ±h in turn, (f(+h) - f(-h)) / 2h against its gradient.'
        : `  The variables hold more than ${LIMITS.entrywiseCheck} entries together, so each is checked along ${CHECK_DIRECTIONS} random directions u (as PyTorch's fast gradcheck): (f(x + h·u) - f(x - h·u)) / 2h against ∂L/∂x · u.`,
      "  Agreement within 0.01% of the larger, plus 1e-7 of the output's size (round-off).",
      ...intermediatesLegend(trace),
    ]
  },
}

/** The --wrt nodes among the gradients, computed from others (z), by name. */
const intermediatesOf = (trace: TensorTrace) => trace.gradients.filter((g) => trace.nodes[g.node]!.kind === 'op').map((g) => g.name)

/** How a --wrt node computed from others is checked. */
function intermediatesLegend(trace: TensorTrace): string[] {
  const chosen = intermediatesOf(trace)
  if (chosen.length === 0) return []
  const out = trace.nodes[trace.output]!.label
  if (chosen.length === 1)
    return [
      `  ${chosen[0]} is moved alone, its inputs held fixed and what it reaches computed again, so its check measures ∂${out}/∂${chosen[0]}: the whole effect of ${chosen[0]} on ${out}.`,
    ]
  const list = `${chosen.slice(0, -1).join(', ')} and ${chosen[chosen.length - 1]}`
  return [
    `  ${list} are each moved alone, their inputs held fixed and what each reaches computed again, so each check measures the whole effect of that node on ${out}.`,
  ]
}

/** Every tensor op but the element-wise ones (named by their scalar function): the compiler holds it complete. */
const OP_NAMES: Record<Exclude<TensorOpId, 'elementwise'>, string> = {
  matmul: 'matmul',
  transpose: 'transpose',
  sum: 'sum',
  mean: 'mean',
  dot: 'dot',
  maxall: 'max',
  minall: 'min',
  softmax: 'softmax',
  logsumexp: 'logsumexp',
  norm: 'norm',
  entry: 'entry',
  slice: 'slice',
  conv1d: 'conv1d',
  conv2d: 'conv2d',
  maxpool1d: 'maxpool1d',
  maxpool2d: 'maxpool2d',
  flip: 'flip',
}

const ELEMENTWISE: Record<string, string> = { add: 'add', sub: 'sub', mul: 'mul', div: 'div', pow: 'pow', neg: 'neg', identity: 'assign' }

/** The operations the tutor named (t1 = W·x): no name of the program's own, not the output. What a Where line defines. */
/** What a loop's step names mean, with the first name it assigns (h of h#3) as the example; undefined without a loop. */
export function unrolledNote(trace: TensorTrace): string | undefined {
  const loop = /^(.*)#\d+$/.exec(trace.nodes.find((n) => /#\d+$/.test(n.label))?.label ?? '')?.[1]
  return loop === undefined ? undefined : `the loop unrolled: ${loop}#k is ${loop} after step k`
}

export const namedByTutor = (trace: TensorTrace) => trace.nodes.filter((n, i) => n.kind === 'op' && !n.assigned && i !== trace.output)

/** The Values line's items: each variable with its shape and its value as bound (W: 2×2 ([1,2;3,4])). */
export const boundValues = (trace: TensorTrace, ascii = false, numbers?: { precision: number }): string[] =>
  trace.variables.map((v) => {
    const node = trace.nodes[v]!
    const bound = trace.bindings.get(node.label) ?? ''
    // A value drawn or read (randn(2, 3), @x.csv) with its numbers too, where they are asked (the quiz).
    const drawn = numbers && !/^\s*[[\d.+-]/.test(bound) ? ` = ${valueText(node.value!, { ...numbers, ascii }).replace(/\n\s*/g, '; ')}` : ''
    return `${node.label}: ${shapeCell(node.value!.shape, ascii)} (${bound}${drawn})`
  })

/** --chains short lists a node's paths while there are at most this many, each of at most SHORT_RULES rules (as the scalar lesson's SHORT_PATHS, SHORT_FACTORS). */
const SHORT_PATHS = 3
const SHORT_RULES = 6

/** One node's chains as the lessons list them: each path, its rules in turn and its value, and their sum; or why they are not listed. */
export type TensorChainLines =
  | {
      kind: 'listed'
      gradient: string
      /** `step`: the loop step of the path's last rule; `names` from the output down; `formulas` each rule's, in turn (marked, as edge.formula). */
      /** `roundOff`: the largest entry of a path whose value is round-off (written 0 in `value`). */
      paths: { label: string; step?: string; names: string[]; formulas: string[]; nodes: string; rules: string; value: Tensor; roundOff?: number }[]
      sum?: Tensor
    }
  | { kind: 'summary'; gradient: string; text: string }

export function tensorChainLines(trace: TensorTrace, chain: TensorChain, policy: 'all' | 'short'): TensorChainLines {
  const { nodes } = trace
  const out = nodes[trace.output]!.label
  const label = nodes[chain.node]!.label
  const gradient = TENSOR_WORDS.grad(out, label)
  if (chain.count === 0) return { kind: 'summary', gradient, text: noPath(out, label) }
  if (!chain.paths) return { kind: 'summary', gradient, text: `(${tooManyPaths(chain.count)})` }
  const longest = Math.max(...chain.paths.map((p) => p.edges.length))
  if (policy === 'short' && (chain.paths.length > SHORT_PATHS || longest > SHORT_RULES)) {
    const text =
      chain.count === 1
        ? `(1 path of ${longest} rules; --chains all lists it)`
        : `(${chain.count} paths of up to ${longest} rules, summed; --chains all lists them)`
    return { kind: 'summary', gradient, text }
  }
  const several = chain.paths.length > 1
  const paths = chain.paths.map((path, k) => {
    const step = stepText(trace, path.edges[path.edges.length - 1]!.consumer)
    const name = several ? `${gradient}, path ${k + 1}${step ? ` (${step})` : ''}` : gradient
    // An input used twice by one operation (x .* x) is reached along two paths: each named by its use.
    const reached = (e: TensorEdge) => {
      const slots = nodes[e.consumer]!.inputs.flatMap((i, slot) => (i === e.input ? [slot] : []))
      return slots.length > 1 ? `${nodes[e.input]!.label} (use ${slots.indexOf(e.slot) + 1})` : nodes[e.input]!.label
    }
    const names = [out, ...path.edges.map(reached)]
    const formulas = path.edges.map((e) => e.formula)
    const value = pathValue(trace, path)
    const noise = roundOff(value, trace.grads[chain.node]!)
    return {
      label: name,
      ...(step ? { step } : {}),
      names,
      formulas,
      nodes: names.join(' ← '),
      rules: formulas.map(plainFormula).join('; '),
      ...(noise === undefined ? { value } : { value: tensor(value.shape), roundOff: noise }),
    }
  })
  return { kind: 'listed', gradient, paths, ...(several ? { sum: trace.grads[chain.node]! } : {}) }
}

/** A path's entries this small beside the gradient's largest are the round-off of paths that cancel (batch norm's centring). */
const ROUND_OFF = 1e-12

/** The largest entry of a path's value when every entry is round-off beside the gradient (and some is not 0); undefined otherwise. */
function roundOff(value: Tensor, grad: Tensor): number | undefined {
  let [largest, scale] = [0, 0]
  for (const v of value.data) largest = Math.max(largest, Math.abs(v))
  for (const g of grad.data) scale = Math.max(scale, Math.abs(g))
  return largest > 0 && Number.isFinite(scale) && largest <= ROUND_OFF * scale ? largest : undefined
}

/** What a path written 0 for its round-off says, after its value. */
export const roundOffNote = (largest: number) => `(0 but for round-off: no entry is above ${formatNumber(largest, 2)}, under 1e-12 of the gradient's largest)`

/** The chains section's lines (its title aside), as the terminal and the Markdown notes write them. */
export function tensorChainsText(trace: TensorTrace, options: { precision: number; ascii: boolean; chains?: string }): string[] {
  const style = { precision: options.precision, ascii: options.ascii }
  // A value after its label, a matrix's rows under one another, indented under the first; a
  // matrix too wide to follow its label (the default 80 columns) starts on a line of its own.
  const valueLines = (head: string, value: Tensor) => {
    const [first, ...rest] = valueText(value, style).split('\n')
    if (rest.length && head.length + Math.max(...[first!, ...rest].map((l) => l.length)) > 80)
      return [head.trimEnd(), ...[first!, ...rest].map((line) => `      ${line}`)]
    return [`${head}${first}`, ...rest.map((line) => `${' '.repeat(head.length)}${line}`)]
  }
  const lines: string[] = []
  for (const chain of tensorChains(trace)) {
    const listed = tensorChainLines(trace, chain, options.chains === 'all' ? 'all' : 'short')
    if (listed.kind === 'summary') {
      lines.push(`  ${listed.gradient} ${listed.text}`)
      continue
    }
    for (const path of listed.paths) {
      lines.push(`  ${path.label}: ${path.nodes}`, `      ${TENSOR_WORDS.chainRules}: ${path.rules}`, ...valueLines('      = ', path.value))
      if (path.roundOff !== undefined) lines.push(`        ${roundOffNote(path.roundOff)}`)
    }
    if (listed.sum) lines.push(...valueLines(`  ${listed.gradient} = ${TENSOR_WORDS.sumOverPaths(listed.paths.length)} = `, listed.sum))
  }
  return lines
}

/** The loop step a node was made in ("t = 2"), for a program with a loop; undefined outside one. */
export function stepText(trace: TensorTrace, node: number): string | undefined {
  const at = trace.loopSteps?.[trace.nodes[node]!.statement - 1]
  return at && Object.keys(at).length
    ? Object.entries(at)
        .map(([name, value]) => `${name} = ${value}`)
        .join(', ')
    : undefined
}

/** "ok (6 entries)", "DISAGREES (off by …)", "inconclusive: relu's kink at t2". */
export function checkCell(check: TensorCheck): string {
  const checked = check.count - (check.skipped ?? 0)
  const unit = check.method === 'entries' ? (check.count === 1 ? 'entry' : 'entries') : 'directions'
  // Some entries not finite: the others were checked, and the cell says how many of them.
  const what = check.skipped
    ? `${checked} of ${check.count} ${unit}; ${check.skipped} ${check.notFinite === 'output' ? 'with the output not finite nearby' : 'not finite'}, not checked`
    : `${check.count} ${unit}`
  switch (check.status) {
    case 'agree':
      return `agrees (${what})`
    case 'disagree':
      return `DISAGREES (off by ${formatNumber(check.error, 3)}, allowed ${formatNumber(check.tolerance, 3)}${check.skipped ? `; ${what}` : ''})`
    case 'inconclusive':
      return check.atKink ? `inconclusive: ${check.kink} is not differentiable here (below)` : `inconclusive: ${check.kink} switches branch within h`
    case 'not-checked':
      return check.notFinite === 'output' ? 'not checked (the output is not finite nearby)' : 'not checked (the gradient is not finite)'
  }
}

/** The edges into each node, in the order the backward pass makes them. */
export function contributionsByInput(trace: TensorTrace): Map<number, TensorEdge[]> {
  const byInput = new Map<number, TensorEdge[]>()
  for (const edge of trace.edges) byInput.set(edge.input, [...(byInput.get(edge.input) ?? []), edge])
  return byInput
}

/** A rule's formula (or a sentence) as text: its words unmarked, its tangents dotted (ẋ, ṫ1). */
export const plainFormula = (formula: string) => formula.replace(/[‹›]/g, '').replace(/⟪([^⟫]*)⟫/g, (_, label: string) => dotted(label, false))

/** The edge's rule with ḡ named: ∂L/∂z·xᵀ (words still marked). */
export function upstreamTimesRule(trace: TensorTrace, edge: TensorEdge): string {
  const upstream = `∂${trace.nodes[trace.output]!.label}/∂${trace.nodes[edge.consumer]!.label}`
  // Before a division the upstream is bracketed: (∂L/∂z)/4, not ∂L/∂z/4.
  return edge.formula.replace(/ḡ(\/)?/g, (_, slash: string | undefined) => (slash ? `(${upstream})/` : upstream))
}

/** How tightly a node's expression binds, as mathjs reads it: + - < * / .* < unary - < ^ < calls, entries, transposes. */
function precedence(node: TensorNode): number {
  if (node.op === 'matmul') return 2
  if (node.op !== 'elementwise') return 9
  const notation = OPS[node.params.fn!].notation
  return notation.kind === 'infix' || notation.kind === 'prefix' ? notation.precedence : 9
}

/** The program's statements, one per line (the first LIMITS.headerStatements): each named node written out to the names it uses. */
export function statementsOf(trace: TensorTrace): string[] {
  const { nodes } = trace
  const isNamed = (i: number) => nodes[i]!.kind !== 'op' || nodes[i]!.assigned !== undefined || i === trace.output
  const written: string[] = []
  nodes.forEach((node, i) => {
    if (node.kind !== 'op') return
    const own = precedence(node)
    const infix = node.op === 'matmul' || (node.op === 'elementwise' && OPS[node.params.fn!].notation.kind === 'infix')
    const prefix = node.op === 'elementwise' && OPS[node.params.fn!].notation.kind === 'prefix'
    const postfix = node.op === 'transpose' || node.op === 'entry'
    const labels = node.inputs.map((k, slot) => {
      if (isNamed(k)) return nodes[k]!.label
      const inner = precedence(nodes[k]!)
      // The right operand of - / ^ and the left of ^ group as written only with brackets at equal precedence.
      const tight = infix && ((slot === 1 && own < 4) || (slot === 0 && own === 4))
      const bracket = (infix || prefix) && (inner < own || (tight && inner === own)) ? true : postfix && inner < 9
      return bracket ? `(${written[k]})` : written[k]!
    })
    written[i] = TENSOR_OPS[node.op!].write(labels, node.params)
  })
  const lines = nodes.flatMap((node, i) => (node.kind === 'op' && isNamed(i) ? [`${node.label} = ${written[i]}`] : []))
  return lines.length > LIMITS.headerStatements ? [...lines.slice(0, LIMITS.headerStatements), `… (${lines.length - LIMITS.headerStatements} more)`] : lines
}

/**
 * --entry: one entry of a gradient as the scalar chain rule writes it, each edge's part a sum of
 * upstream entries times partial derivatives, then its place in the matrix rule.
 */
export function entryLines(trace: TensorTrace, chain: EntryChain, precision: number, section = 6): string[] {
  const { nodes } = trace
  const out = nodes[trace.output]!.label
  const f = (x: number) => (x < 0 ? `(${formatNumber(x, precision)})` : formatNumber(x, precision))
  const at = (label: string, index: number[]) => (index.length === 0 ? label : `${label}[${index.map((i) => i + 1).join(', ')}]`)
  const target = at(nodes[chain.node]!.label, chain.index)
  const name = `∂${out}/∂${target}`
  const lines = [`${section}. One entry, scalar by scalar: ${name}, the chain rule inside the matrix rule`]
  const sums: string[] = []
  for (const part of chain.parts) {
    const consumer = nodes[part.edge.consumer]!
    const terms = part.terms
    // In a loop, each part is also its step's: via t13 (t = 3), as the backward pass labels it.
    const step = stepText(trace, part.edge.consumer)
    const share = chain.parts.length > 1 ? `${name} via ${consumer.label}${step ? ` (${step})` : ''}` : name
    const indent = ' '.repeat(share.length + 3)
    if (!terms) {
      lines.push(`  ${share} = ${f(part.value)}  (${consumer.label} has too many entries to list its terms)`)
    } else if (terms.length === 0) {
      // At a tie or kink that 0 is the convention's (named below), not independence.
      const byConvention = conventionsByEntry(trace, chain.node)[offsetOf(nodes[chain.node]!.value!.shape, chain.index)]!.length > 0
      lines.push(
        `  ${share} = 0  (${anyEntry(consumer)}/∂${target} = 0 for every entry of ${consumer.label}${byConvention ? ', by the convention below' : ''})`,
      )
    } else {
      const shown = terms.slice(0, SHOWN_TERMS)
      const more = terms.length > shown.length ? ` + … (${terms.length} terms)` : ''
      const upstream = (t: EntryTerm) => `∂${out}/∂${at(consumer.label, t.at)}`
      // The output's own operation is named by its expression: ∂L/∂v[1] would be the gradient itself.
      const partial = (t: EntryTerm) => (part.edge.consumer === trace.output ? `∂${bracket(consumer.expression!)}` : `∂${at(consumer.label, t.at)}`)
      lines.push(`  ${share} = ${shown.map((t) => `${upstream(t)} · ${partial(t)}/∂${target}`).join(' + ')}${more}`)
      if (shown.every((t) => t.localText !== undefined))
        lines.push(`${indent}= ${shown.map((t) => `${upstream(t)} · ${bracket(t.localText!)}`).join(' + ')}${more}`)
      lines.push(`${indent}= ${shown.map((t) => `${f(t.upstream)} · ${f(t.local)}`).join(' + ')}${more}`)
      // ∞ · 0 taken as 0: the op selected its branch, as the backward pass does.
      const selected = Number.isFinite(part.value) && terms.some((t) => t.local === 0 && !Number.isFinite(t.upstream))
      const why = selected ? ` ${notation({ ascii: false, precision: undefined }).print(chainSelected(TENSOR_WORDS.opName(consumer)))}` : ''
      lines.push(`${indent}= ${formatNumber(part.value, precision)}${why}`)
      const untouched = consumer.value!.data.length - terms.length
      if (untouched > 0)
        lines.push(`${indent}  (${anyEntry(consumer)}/∂${target} = 0 for the other ${untouched === 1 ? 'entry' : `${untouched} entries`} of ${consumer.label})`)
    }
    lines.push(
      `  This is entry ${chain.index.length ? `[${chain.index.map((i) => i + 1).join(', ')}] ` : ''}of ${plainFormula(upstreamTimesRule(trace, part.edge))} in the backward pass: the rule does this for every entry at once.`,
    )
    sums.push(sums.length === 0 ? formatNumber(part.value, precision) : f(part.value))
  }
  if (chain.parts.length > 1) lines.push(`  ${name} = ${sums.join(' + ')} = ${formatNumber(chain.grad, precision)}`)
  // A partial derivative of 0 may be a convention (relu at 0): say which.
  for (const flag of conventionsByEntry(trace, chain.node)[offsetOf(nodes[chain.node]!.value!.shape, chain.index)]!)
    lines.push(`  ⚠ ${tensorFlagText(trace, flag)}`)
  return lines
}

/** "∂t1[i]", "∂t1[i, j]": any entry of a node, in the partial derivative's numerator. */
const anyEntry = (node: TensorNode) => `∂${node.label}${['', '[i]', '[i, j]'][node.value!.shape.length]}`

/**
 * A formula set equal to its value, the value before a "where" that defines its names
 * (p ⊙ (ḡ - Σ(ḡ ⊙ p)) = [0.02, -0.02], where p = softmax(z)): after it, the value would read as p's.
 */
export function equalsValue(formula: string, value: string): string {
  const where = formula.indexOf(', where ')
  return where < 0 ? `${formula} = ${value}` : `${formula.slice(0, where)} = ${value}${formula.slice(where)}`
}

/** A partial derivative as a factor: bracketed when it is a sum or difference, or negative (· (-1), never · -1). */
const bracket = (text: string) => (/ [+-] /.test(text) || text.startsWith('-') ? `(${text})` : text)

/** What each diagnosis's words read: the claim, its node and name, the rules that make the gradient, the true value. */
interface VerdictContext {
  trace: TensorTrace
  nodes: TensorNode[]
  out: string
  claim: TensorClaim
  node: TensorNode
  /** ∂L/∂W, or ∂L/∂W[1, 2] for one entry. */
  name: string
  /** The node's shape and the claimed value's, in words. */
  own: string
  yours: string
  /** Each contribution's upstream · rule, as the backward pass computes it. */
  rules: string[]
  value: (t: Tensor) => string
  truth: Tensor
  precision: number
}

type Diagnosed<K extends TensorDiagnosis['kind']> = (v: VerdictContext, d: Extract<TensorDiagnosis, { kind: K }>) => string[]

/** A fan-out sum written with some contributions left out: one alone, the ones left out, or how many of equal ones. */
const contributionsLeftOut: Diagnosed<'one-contribution' | 'missing'> = ({ trace, nodes, claim, node, name, rules, value, truth }, d) => {
  // x .* x uses x twice in one operation: two contributions, not two operations.
  const edges = trace.edges.filter((e) => e.input === claim.node)
  const consumers = [...new Set(edges.map((e) => e.consumer))]
  const uses =
    consumers.length === 1 ? `${nodes[consumers[0]!]!.label} uses ${node.label} ${edges.length} times` : `${node.label} feeds ${consumers.length} operations`
  const feeds = `${uses}, and ${name} is the sum of ${consumers.length === 1 ? 'the' : 'its'} ${edges.length} contributions: ${equalsValue(rules.join(' + '), value(truth))}`
  if (d.kind === 'one-contribution')
    return [
      `yours is ${consumers.length === 1 ? 'one use' : `the contribution through ${nodes[d.via]!.label}${stepText(trace, d.via) ? ` (${stepText(trace, d.via)})` : ''}`} alone; ${feeds}`,
    ]
  const some = (n: number) => (n === 1 ? 'one' : String(n))
  if (d.left.length === 0)
    return [
      `yours leaves out ${some(d.count)} of the ${d.of} contributions (which ${d.count === 1 ? 'one' : 'ones'} cannot be told: ${d.equal ? 'they are equal here' : 'more than one choice gives your number'}); ${feeds}`,
    ]
  const left = edges.filter((e) => d.left.includes(e.consumer)).map((e) => plainFormula(upstreamTimesRule(trace, e)))
  // A loop's contributions are named by their step, as the backward pass labels them.
  const through = d.left.map((c) => `${nodes[c]!.label}${stepText(trace, c) ? `, ${stepText(trace, c)}` : ''}`)
  return [`yours leaves out ${left.join(' and ')} (through ${through.join(' and ')}); ${feeds}`]
}

/**
 * For wrong entries that rest on a rule taken by convention (abs at 0, a tie): that the number
 * there is the convention's, not the only slope a student could take, with the flag's sentence.
 */
function conventionLines(trace: TensorTrace, claim: TensorClaim, wrong: number[][]): string[] {
  const shape = trace.nodes[claim.node]!.value!.shape
  const byEntry = conventionsByEntry(trace, claim.node)
  const entryOf = (index: number[]) => (claim.index ? offsetOf(shape, claim.index) : offsetOf(shape, index))
  const flags = [...new Set(wrong.flatMap((index) => byEntry[entryOf(index)]!.filter((f) => f.kind === 'non-differentiable')))]
  if (flags.length === 0) return []
  return [`there the derivative does not exist, and the number is the convention's: ${flags.map((f) => tensorFlagText(trace, f)).join('; ')}`]
}

/** The words of each diagnosis, one entry per kind (the compiler holds it complete). */
const DIAGNOSIS_WORDS: { [K in TensorDiagnosis['kind']]: Diagnosed<K> } = {
  shape: ({ node, name, own, yours, rules, value, truth }, d) => [
    `your ${name} is ${yours}, but a gradient is shaped like its variable: ${node.label} is ${own}`,
    ...(d.transposed
      ? [
          `it is the transpose of the right one: the rule is ${rules.join(' + ')}${rules.some((r) => r.includes('·')) ? ', with the factors in that order' : ''}`,
        ]
      : [`the rule is ${rules.join(' + ')}; the right one is ${value(truth)}`]),
  ],
  unsummed: ({ nodes, out, node, name, yours, rules, value, truth }, d) => {
    const consumer = nodes[d.from]!
    return [
      `your ${name} is ${yours}, shaped like ${consumer.label} = ${consumer.expression}: ${node.label} was broadcast there (a bias is added to every row of a batch), so its gradient sums ∂${out}/∂${consumer.label} over the copies: ${rules.join(' + ')}`,
      `summed, yours is right: ${value(truth)}`,
    ]
  },
  transposed: ({ node, name, rules, value, truth }, _d) => [
    `your ${name} is the transpose of the right one (both are ${shapeText(node.value!.shape)}): the rule is ${rules.join(' + ')}, with the factors in that order; the right one is ${value(truth)}`,
  ],
  unflipped: ({ trace, out, name, rules, value, truth }, d) => {
    const conv = trace.nodes[d.via]!
    const kernel = trace.nodes[conv.inputs[1]!]!.label
    const flip = conv.op === 'conv1d' ? 'flip' : 'rot180'
    return [
      `your ${name} is the rule with the kernel not flipped: each entry of ${trace.nodes[conv.inputs[0]!]!.label} meets ${kernel}'s weights in reverse order as the windows slide over it, so ∂${out}/∂${conv.label} (padded) is correlated with ${flip}(${kernel}), not ${kernel}${d.alsoSign ? ` (here ${flip}(${kernel}) is -${kernel}, so yours is also minus the right one)` : ''}: the backward pass computes it as ${rules.join(' + ')}; the right one is ${value(truth)}`,
    ]
  },
  scaled: ({ name, rules, value, truth, precision }, d) => [
    `${name} is ${value(truth)}: ${truth.data.length === 1 ? 'yours is' : 'every entry of yours is'} ${formatNumber(d.by, precision)} times the right one (look for a factor put in or left out: the 2 of a square, the 1/n of a mean)${rules.length ? `; the backward pass computes it as ${rules.join(' + ')}` : ''}`,
  ],
  'from-seed': ({ out, name, value, truth, precision }, d) => [
    `yours follows from your seed ∂${out}/∂${out} = ${formatNumber(d.seed, precision)}, which should be 1: every entry is ${formatNumber(d.seed, precision)} times the right one, so your steps after the seed are right; ${name} = ${value(truth)}`,
  ],
  'no-upstream': ({ nodes, out, name, rules, value, truth }, d) => {
    const consumer = nodes[d.via]!
    return [
      `yours is the rule's own factor without the upstream: the gradient arriving at ${consumer.label} = ${consumer.expression} is ∂${out}/∂${consumer.label}, and ${name} applies the rule to it: ${equalsValue(rules.join(' + '), value(truth))}`,
    ]
  },
  'here-only': ({ name, rules, value, truth }, _d) => [
    `${name} = ${value(truth)} here, but your formula is not its formula: with the variables moved a little it no longer agrees (it holds at these values by a coincidence of their numbers); the backward pass computes it as ${rules.join(' + ')}`,
  ],
  seed: ({ claim, name, value }, _d) => [
    `${name} is 1, not ${value(claim.claimed)}: it is the seed, where the backward pass starts, because the output changes one-for-one with itself; every gradient below is a multiple of it`,
  ],
  untransposed: ({ trace, claim, name, rules, value, truth }, d) => {
    // The matrix product's reason only where the gradient comes through one.
    const product = trace.edges.some((e) => e.input === claim.node && trace.nodes[e.consumer]!.op === 'matmul')
    return [
      `your ${name} is right with ${d.from ? `the transpose on ${d.name} rather than ${d.from}` : d.added ? `${d.name} transposed` : `the transpose of ${d.name} taken away`}: ${d.fixed}${d.added && product ? " (a matrix product's rule for one factor has the other factor transposed)" : ''}; the backward pass computes it as ${rules.join(' + ')}, and it is ${value(truth)}`,
    ]
  },
  axis: ({ name, rules, value, truth }, d) => [
    `your ${name} sums along the other axis: ${d.fixed} is right (an input copied to every row has its gradient summed down the rows, axis 1; one copied to every column, across them, axis 2); the backward pass computes it as ${rules.join(' + ')}, and it is ${value(truth)}`,
  ],
  reordered: ({ name, rules, value, truth }, d) => [
    `your ${name} has the right factors in the wrong order (a matrix product does not commute, and these shapes fit either way): ${d.fixed}; the backward pass computes it as ${rules.join(' + ')}, and it is ${value(truth)}`,
  ],
  sign: ({ name, rules, value, truth }, _d) => [
    `${name} is ${value(truth)}: ${truth.data.length === 1 ? 'yours has its magnitude but the opposite sign' : 'each entry of yours has its magnitude but the opposite sign'}${rules.length ? `; the backward pass computes it as ${rules.join(' + ')}` : ''}`,
  ],
  'one-contribution': (v, d) => contributionsLeftOut(v, d),
  missing: (v, d) => contributionsLeftOut(v, d),
  follows: ({ nodes, out, name, rules }, d) => {
    const upstream = `∂${out}/∂${nodes[d.from]!.label}`
    const how = rules.join(' + ') === upstream ? 'which passes through unchanged' : `as ${rules.join(' + ')}`
    return [`${name} follows correctly from your ${upstream} above, ${how}: the slip is there, not here`]
  },
  entries: ({ trace, claim, name, rules, value, truth, precision }, d) => {
    const listed = d.wrong.slice(0, 3).map((index) => {
      const offset = index.reduce((a, i, k) => a * truth.shape[k]! + i, 0)
      const where = index.length ? `[${index.map((i) => i + 1).join(', ')}]` : name
      const [t, c] = [truth.data[offset]!, claim.claimed.data[offset]!]
      // An entry with the right size and the wrong sign is a sign slip at that entry: said so.
      const sign = t !== 0 && Math.abs(c + t) <= 1e-4 * Math.abs(t) ? ' (its sign flipped)' : ''
      return `${where} is ${formatNumber(t, precision)}, not ${formatNumber(c, precision)}${sign}`
    })
    const more = d.wrong.length > 3 ? `, and ${d.wrong.length - 3} more` : ''
    return [
      d.of === 1
        ? `${name} is ${value(truth)}, not ${value(claim.claimed)}`
        : `${d.wrong.length} of ${d.of} entries of ${name} differ: ${listed.join('; ')}${more}`,
      ...(rules.length ? [`the backward pass computes it as ${rules.join(' + ')}`] : []),
      ...conventionLines(trace, claim, d.wrong),
    ]
  },
}

/** check on a tensor program: what each verdict says, one or more lines. */
export function tensorVerdictLines(trace: TensorTrace, result: TensorClaimResult, precision: number): string[] {
  const { nodes } = trace
  const out = nodes[trace.output]!.label
  if (result.unfit) {
    const node = nodes[result.unfit.node]!
    const rules = trace.edges
      .filter((e) => e.input === result.unfit!.node)
      .map((e) => `${plainFormula(upstreamTimesRule(trace, e))}${e.shapes ? ` (${e.shapes})` : ''}`)
    return [`your ∂${out}/∂${node.label} does not fit together: ${result.unfit.why}; the backward pass computes it as ${rules.join(' + ')}`]
  }
  if (!result.claim) return [`cannot be read: ${result.unreadable}`]
  const claim = result.claim
  const node = nodes[claim.node]!
  const at = claim.index ? `[${claim.index.map((i) => i + 1).join(', ')}]` : ''
  const name = `∂${out}/∂${node.label}${at}`
  const style = { precision, ascii: false }
  const value = (t: Tensor) => valueText(t, style).replace(/\n\s*/g, '; ')
  const truth = result.truth!
  if (claim.undefined) {
    const kinks = conventionsByEntry(trace, claim.node)
    const at = claim.index ? [offsetOf(node.value!.shape, claim.index)] : kinks.map((_, i) => i)
    const flags = [...new Set(at.flatMap((i) => kinks[i]!.filter((f) => f.kind === 'non-differentiable')))]
    if (result.right)
      return [`${name} does not exist here: right. ${flags.map((f) => tensorFlagText(trace, f)).join('; ')}; the backward pass takes ${name} = ${value(truth)}`]
    return [
      `${name} is ${value(truth)} here: ${flags.length ? 'some of its entries exist, with no kink or tie on their way' : 'it exists, with no kink or tie on the way'}`,
    ]
  }
  if (result.right) return [`${name} = ${value(truth)}: right`]
  // Shapes in words (a vector of 3 entries, a 2×3 matrix): a bare "3" would read as a value.
  const own = shapeWords(node.value!.shape)
  const yours = shapeWords(claim.claimed.shape)
  const whole = trace.edges.filter((e) => e.input === claim.node).map((e) => plainFormula(upstreamTimesRule(trace, e)))
  // For one entry, the rules' sum taken at that entry: (∂L/∂z + Wᵀ·∂L/∂t1)[2], never a vector set equal to a number.
  const rules = claim.index && whole.length ? [`${/^∂[^\s·⊙]*$/.test(whole.join()) ? whole[0] : `(${whole.join(' + ')})`}${at}`] : whole
  const d = result.diagnosis!
  return DIAGNOSIS_WORDS[d.kind]({ trace, nodes, out, claim, node, name, own, yours, rules, value, truth, precision }, d as never)
}

/** quiz on a tensor program. */
export const TENSOR_QUIZ = {
  ascii: TENSOR_WORDS.ascii,
  titles: {
    forward: () => '1. Forward pass: the shape of each operation',
    backward: (g: string) => `2. Backward pass: the shape of each gradient, then its rule (${g} is the gradient arriving from above)`,
    entries: () => '3. One entry of each gradient, as a number: the chain rule inside the matrix rule',
  } as Record<'forward' | 'backward' | 'entries', (g: string) => string>,
  // g: the upstream's name in answers, g unless the program has a g of its own.
  intro: (count: number, g: string) =>
    `${count} questions. A shape is answered as 3x2, 3 (a vector) or scalar; a rule as an expression in ${g}, the gradient arriving at the operation's output, and the names of the program (${g}*x', W'*${g}, ${g} .* (1 - tanh(z).^2), sum(${g}, 1)). Enter on an empty line for a hint, q to stop.`,
  valueShape: (label: string, expression: string) => `the shape of ${label} = ${expression}`,
  gradShape: (grad: string) => `the shape of ${grad}`,
  entryContext: (rule: string) => `one entry of ${rule}`,
  entryFromRule: (rule: string) => `take the entry's row and column through ${rule}`,
  whereShape: (label: string, question: number | undefined) =>
    question === undefined ? `${label} is a variable: its shape is on the Values line at the top` : `${label}'s own shape was question ${question}`,
  ruleIngredients: (names: string[], shapes: string | undefined, g: string, copied?: { input: string; over: string }) =>
    `it is written with ${g}${names.length ? ` and ${names.join(', ')}` : ' alone'}${shapes ? `; as a product its shapes are ${shapes}` : ''}${copied ? `; ${copied.input} was copied to fill the output, so its gradient adds the copies back up: ${g} summed over ${copied.over}` : ''}`,
  ruleAtKink: (convention: string, g: string) => `${convention}; the rule is defined everywhere with that convention: type it in ${g}`,
  oneNumber: (shape: string) => `that is ${shape}; type one number (or arithmetic giving one)`,
  via: (consumer: string) => ` (the contribution through ${consumer})`,
  ruleContext: (out: string, consumer: string, expression: string, g: string) => `${consumer} = ${expression}; ${g} = ∂${out}/∂${consumer}`,
  gradShapeHint: (input: string) => `a gradient is shaped like what it is the gradient of: ${input}`,
  unreadableShape: 'cannot read that shape; type it as 3x2, 3 (a vector of 3 entries) or scalar',
  wrongShape: (yours: string, right: string, input: string, transposed: boolean) =>
    `yours is ${yours}, but the gradient of ${input} is ${right}${transposed ? ': it is the transpose of the right one, so swap the factors and transposes' : ''}`,
  wrongValues: 'the shape is right, the numbers are not',
  typedAs: (text: string) => `; typed: ${text}`,
  rightHereOnly: (g: string) => `right numbers here, wrong formula: with the operands and ${g} moved a little it no longer agrees`,
}

// ——— Forward mode: a tangent pass per direction, then what each mode costs ———

/** One tangent pass as its faces print it: sentences and rules with tangents marked ⟪x⟫ and words ‹…›. */
export interface TangentSection {
  title: string
  rows: { tangent: string; rule: string; shape: Shape; value: Tensor }[]
  result: string
}

/** The direction in words: "1 at [1, 2], 0 elsewhere", "1" for a scalar, or where a chosen one came from. */
function directionText(trace: TensorTrace, d: TensorDirection): string {
  if (d.from !== undefined) return d.from
  const shape = trace.nodes[d.node]!.value!.shape
  return shape.length === 0 ? '1' : `1 at [${d.entry!.map((i) => i + 1).join(', ')}], 0 elsewhere`
}

/** The number of forward mode's first section: after the forward pass alone, or after every reverse section printed. */
/**
 * The numbers of the sections after the backward pass (3), in the order every face prints them:
 * the chains (unless --chains none), the gradients, --lr's run, --entry's chain, then forward
 * mode's passes; with --mode forward, its passes follow the forward pass (1).
 */
export function tensorSections(options: { mode?: string; training?: unknown; entry?: unknown; chains?: string }) {
  if (options.mode === 'forward') return { gradients: 0, forward: 2 }
  let n = 4
  const chains = options.chains === 'none' ? undefined : n++
  const gradients = n++
  const training = options.training ? n++ : undefined
  const entry = options.entry ? n++ : undefined
  return { chains, gradients, training, entry, forward: n }
}

/** Each pass of forward mode, numbered from `first`. */
export function tangentSections(trace: TensorTrace, mode: TensorForwardMode, first: number, precision: number): TangentSection[] {
  const f = (x: number) => formatNumber(x, precision)
  const out = trace.nodes[trace.output]!.label
  return mode.passes.map((pass, k) => {
    const d = pass.direction
    const seed = tangentOf(d.variable)
    const scalar = trace.nodes[d.node]!.value!.shape.length === 0
    const rows = [
      { tangent: seed, rule: TENSOR_WORDS.seed, shape: d.seed.shape, value: d.seed },
      ...pass.rows.map((row) => ({
        tangent: tangentOf(trace.nodes[row.node]!.label),
        rule: row.backwardOrder ? `${row.formula} ‹${TANGENT_WORDS.backwardOrder}›` : row.formula,
        shape: row.tangent.shape,
        value: row.tangent,
      })),
    ]
    // The backward pass's side: one entry of the gradient, or its dot product with the direction.
    const reverse =
      d.from !== undefined
        ? `Σ(∂${out}/∂${d.variable} ⊙ ${seed}) = ${f(pass.reverse)} ‹from the backward pass›`
        : `∂${out}/∂${d.variable}${scalar ? '' : `[${d.entry!.map((i) => i + 1).join(', ')}]`} ‹from the backward pass›`
    return {
      title: `${first + k}. Forward mode for ${d.variable} along ${seed} = ${directionText(trace, d)}: each node n carries its tangent ${tangentOf('n')}, the derivative of n along that direction, every other input's tangent 0`,
      rows,
      result: `  ${tangentOf(out)} = ${f(pass.result)} = ${reverse}${pass.agrees ? '‹: the same›' : `‹: NOT the same (the backward pass gives ${f(pass.reverse)}); please report this program›`}`,
    }
  })
}

export const TANGENT_WORDS = {
  backwardOrder: "(the backward pass's order: Infinity or NaN met on the way, where the order of the products decides)",
  legend:
    "  Each rule is the operation's Jacobian-vector product: its local derivative applied to the incoming tangent, shaped like the operation's output; an operation with several inputs adds their rules.",
  columns: ['tangent', 'rule on the incoming tangents', 'shape', 'value'],
  compareTitle: (k: number) => `${k}. Forward or reverse: what each mode costs here`,
  costs: (mode: TensorForwardMode): string[] => {
    const names = mode.variables.map((v) => v.name)
    const list = names.length === 1 ? names[0]! : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`
    const entries = mode.forward.passes
    const agree = mode.passes.every((p) => p.agrees)
    return [
      `  forward mode: ${countText(entries)} ${entries === 1 ? 'pass' : 'passes'} for the whole gradient (one per entry of ${list}), ${countText(mode.forward.operations)} multiply-adds`,
      `  reverse mode: 1 backward pass for ${entries === 1 ? 'its one entry' : `all ${countText(entries)} entries at once`}, ${countText(mode.reverse.operations)} multiply-adds`,
      '  Multiply-adds are counted as m·k·n per matrix product, output entries × kernel entries per convolution, and one per entry for every other rule, forward or backward.',
      agree
        ? `  ${mode.passes.length === 1 ? 'The tangent agrees' : `The tangents agree, along each of the ${mode.passes.length} directions,`} with the backward pass.`
        : '  The two modes disagree along some direction: please report this program.',
      `  ${FORWARD.why()[0] as string}`,
    ]
  },
}

// ——— The page (--format html) on a tensor program ———

export const TENSOR_PAGE = {
  phases: (trace: TensorTrace) => ({
    forward: TENSOR_WORDS.forwardTitle,
    local: TENSOR_WORDS.rulesTitle,
    backward: TENSOR_WORDS.backwardTitle(trace.nodes[trace.output]!.label),
    // The page's fourth phase, as the scalar page numbers it (it has no chains).
    gradient: TENSOR_WORDS.gradientsTitle(trace, 4),
  }),
  /** A node's value with its shape; a matrix below its name. */
  value: (head: string, shape: string, value: string) => (value.includes('\n') ? `${head}  (${shape}) =\n${value}` : `${head} = ${value}  (${shape})`),
  rule: (operation: string, input: string, name: string, formula: string) => `${operation}, to ${input}: ${name}; passes back ${formula}`,
  seed: (out: string) => `∂${out}/∂${out} = 1 (the seed)`,
  check: (verdict: string) => `finite-difference check: ${verdict}`,
  shapeLabel: 'Its shape (3x2, 3 for a vector, or scalar): ',
  chooseLabel: 'Which rule? Choose one: ',
  ruleAsk: (grad: string, operation: string) => `which rule gives ${grad} through ${operation}`,
  entriesLabel: 'Open one entry, scalar by scalar:',
}

// ——— Flags: values first NaN or infinite, rules taken by convention ———

/** At most this many entries of a flag are named; the rest are counted. */
const FLAG_ENTRIES = 4

/** "[2]", "[1, 2] and [2, 1]", "[1], [2], [3], [4] and 6 more" (1-based), or nothing for a scalar. */
function entriesText(shape: Shape, entries: number[]): string {
  if (shape.length === 0) return ''
  const named = entries.slice(0, FLAG_ENTRIES).map(
    (at) =>
      `[${indexOf(shape, at)
        .map((i) => i + 1)
        .join(', ')}]`,
  )
  const rest = entries.length - named.length
  const list = rest > 0 ? `${named.join(', ')} and ${rest} more` : named.length > 1 ? `${named.slice(0, -1).join(', ')} and ${named.at(-1)}` : named[0]!
  return ` at ${entries.length === 1 ? 'entry' : 'entries'} ${list}`
}

/** A flag as the sentence the faces print (after ⚠). */
export function tensorFlagText(trace: TensorTrace, flag: TensorFlag): string {
  const node = trace.nodes[flag.node]!
  const where = node.kind === 'op' ? `${node.label} = ${node.expression}` : node.label
  if (flag.code === 'value') {
    // Only what holds at the point itself: log(-1) has no value nearby, but 0/0 and 1/0 do (x/w for w ≠ 0).
    return `${where} is ${flag.kind === 'nan' ? 'NaN' : 'infinite'}${entriesText(flag.shape, flag.entries)}, from finite inputs: a gradient taken through it is not a derivative there (PyTorch computes it the same way, without a warning)`
  }
  const input = trace.nodes[flag.edge!.input]!.label
  const at = entriesText(flag.shape, flag.entries)
  if (flag.code === 'local')
    return `the local derivative of ${where} with respect to ${input} is ${flag.kind === 'nan' ? 'NaN' : 'infinite'}${at}, from finite inputs`
  if (flag.code === 'select') {
    // As the scalar trace says it: the upstream that would have made ∞ · 0 = NaN, and why it did not.
    const upstream = [...new Set(flag.entries.map((i) => String(trace.grads[flag.node]!.data[i])))]
    const times = upstream.length === 1 ? `${upstream[0]} × 0` : 'Infinity or NaN × 0'
    return `${where}: the contribution to ${input}${at} is 0, not ${times}: ${node.params.fn === 'pow' ? "pow's mask gives 0 instead of multiplying (PyTorch's convention)" : `${node.params.fn} selects its branch and passes nothing to this input (PyTorch's convention)`}`
  }
  const sentence = (() => {
    switch (flag.convention!) {
      case 'tie-extreme': {
        const word = node.op === 'maxall' ? 'max' : 'min'
        return `${word} is not differentiable at a tie: the ${word === 'max' ? 'largest' : 'smallest'} value of ${input} is${at}, and the gradient is split evenly among them (PyTorch's convention)`
      }
      case 'zero-norm':
        return `norm is not differentiable at the zero vector: the gradient is taken as 0 (PyTorch's convention)`
      case 'pool-tie': {
        // The tied entries of several windows are listed together: say how many windows tie, each on its own.
        const k = node.params.size!
        const cols = flag.shape.length === 1 ? flag.shape[0]! : flag.shape[1]!
        const windows = new Set(flag.entries.map((e) => `${Math.floor(Math.floor(e / cols) / k)},${Math.floor((e % cols) / k)}`)).size
        return windows === 1
          ? `${node.op} is not differentiable at a tie: the largest value of a window of ${input} is shared${at}, and the window's whole gradient goes to the first of them in reading order (PyTorch's convention)`
          : `${node.op} is not differentiable at a tie: in ${windows} windows of ${input} the largest value is shared (${at.replace(/^ at /, '')}), and each such window's whole gradient goes to the first of its tied entries in reading order (PyTorch's convention)`
      }
      default:
        return undefined
    }
  })()
  const text = sentence
    ? `${where}: ${sentence}`
    : `${where}${at}: ${notation({ ascii: false, precision: undefined }).print(conventionText(node.params.fn!, flag.convention as Convention))}`
  // An infinite slope under a zero upstream is NaN, as the scalar flag says (sqrt(v) .* w at v = w = 0).
  const grad = trace.grads[flag.node]
  const nan = flag.convention === 'infinite-slope' && grad && sameShape(grad.shape, flag.shape) && flag.entries.some((i) => grad.data[i] === 0)
  return nan
    ? `${text}; where no gradient arrives (∂${trace.nodes[trace.output]!.label}/∂${node.label} = 0 there), 0 · Infinity is NaN, so the gradient through it is NaN (PyTorch gives NaN too)`
    : text
}

/** What the gradients section says after its table: each flag, then the trace's notes (each after ⚠). */
export const remarks = (trace: TensorTrace): string[] => [...trace.flags.map((flag) => tensorFlagText(trace, flag)), ...trace.notes]
