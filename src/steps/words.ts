// The one module that owns the tutor's English: titles, explanations, and the sentences that the
// engine's codes stand for (flags, check reasons, divergence). Every sentence is a Phrase, words
// with cells, so each face writes its maths in its own notation; a translation is this file.
import { LIMITS } from '../limits.js'
import { DEFAULT_PRECISION, formatNumber } from '../format.js'
import { OPS, type Convention, type OpId } from '../ops.js'
import { S, isNumber, type Sym } from '../sym.js'
import type { Flag, Trace } from '../trace.js'
import type { CheckReason, CheckStatus } from '../check.js'
import type { Divergence, Rise } from '../modes/train.js'
import type { ClaimResult, Diagnosis } from '../modes/claims.js'
import type { FormulaSlip } from '../modes/formula.js'
import { factor, grad, local, localSym, mark, name, placeholderLocal, product, sum, tangent, value, type Cell, type Phrase } from './cells.js'

/** Finished sentences (flags, reasons) give their numbers at the default precision, whatever --precision says. */
const raw = (x: number): Cell => value(x, DEFAULT_PRECISION)
const plural = (count: number, one: string, many = `${one}s`) => (count === 1 ? one : many)

/** Section titles, per face: the terminal's numbered headings, Markdown's, LaTeX's paragraph names. */
export const TITLES = {
  program: 'Program',
  programAsParsed: ' (as parsed, parentheses show the grouping)',
  values: 'Values',
  /** check: what the tool's names for unnamed nodes (t1 = x·w) stand for. */
  where: 'Where',
  symbolic: 'Symbolic',
  symbolicWhy: '(no value given, so they stay symbols)',
  none: 'none',
  graph: 'Computational graph',
  warnings: 'Warnings',
  notes: 'Notes',
  table: {
    forward: (): Phrase => ['1. Forward pass: the value of every node, inputs first'],
    locals: (): Phrase => ['2. Local derivatives: ', mark('step1'), ' each operation with respect to each of its inputs'],
    backward: (out: string): Phrase => [
      '3. Backward pass: ',
      mark('step2'),
      ` multiply along the chain, from ${out} back (upstream `,
      mark('times'),
      ' local = contribution)',
    ],
    chains: (out: string): Phrase => [`4. Chains: the product of local derivatives along every path from ${out} to each variable`],
    /** 5, or 4 when the chains are left out (--chains none): sections are numbered as printed. */
    gradients: (k = 5): Phrase => [`${k}. Gradients, checked against finite differences`],
  },
  markdown: {
    forward: (): Phrase => ['1. Forward pass'],
    locals: (): Phrase => ['2. Local derivatives: ', mark('step1'), ' each node with respect to each input'],
    backward: (out: string): Phrase => [
      '3. Backward pass: ',
      mark('step2'),
      ' multiply along the chain from ',
      name(out),
      ' (upstream ',
      mark('times'),
      ' local = contribution)',
    ],
    chains: (): Phrase => ['4. Chains: every path from the output to each variable'],
    gradients: (k = 5): Phrase => [`${k}. Gradients, checked against finite differences`],
  },
  latex: {
    forward: 'Forward pass',
    // Unnumbered, as LaTeX paragraphs are: "Step 1" would name the second of them.
    locals: 'Local derivatives of each operation',
    backward: 'Backward pass (upstream times local)',
    chains: 'Chains',
    gradients: 'Gradients',
  },
}

/** Column heads of the tables, the same in every face. */
export const COLUMNS = {
  forward: ['node', 'op', 'expression', 'value'],
  locals: ['local derivative', 'rule', 'symbolic', 'value'],
  backward: (): Phrase[] => [['gradient'], ['upstream ', mark('times'), ' local'], ['values'], ['contribution']],
  gradients: (out: string): Phrase[] => [['variable'], [grad(out, 'variable')], ['finite difference'], ['check']],
}

export const EMPTY = {
  locals: 'none: the output does not depend on any variable',
  variables: 'none: the program has no variables',
}

export const SEED = 'seed'
export const moreStatements = (count: number) => `… and ${count} more statements`
/** After the first few of a list of local derivatives under --explain. */
export const andMore = (count: number) => ` and ${count} more`
/** "(1 of 3)": which of a fan-out node's contributions a row is. */
export const contributionOf = (k: number, total: number) => `(${k} of ${total})`
export const sumOf = (total: number) => `sum of ${total} contributions`
export const sumOverPaths = (count: number) => `sum over ${count} paths`
export const pathLabel = (k: number) => `path ${k}`

/** A node's box in the graphs: its value and its gradient (a dash where it depends on no variable). */
export const GRAPH = {
  value: 'value',
  grad: 'grad',
  noGrad: (ascii: boolean) => (ascii ? '-' : '—'),
}

/** The --explain sentences that do not depend on a particular row. */
export const EXPLAIN = {
  forward: (): Phrase => ['Each node applies its operation to values computed above it, so every input is ready before it is used.'],
  locals: (): Phrase => ['A local derivative looks at one operation alone: how its output changes when one input changes, the others held fixed.'],
  seed: (out: string): Phrase => ['The seed ', grad(out, out), ' = 1: the output changes one-for-one with itself.'],
  chainRule: (): Phrase => [
    'Each row is the chain rule for one edge: the gradient arriving at a node (upstream) times the local derivative of the operation it passes back through.',
  ],
  fanOut: (node: string, out: string, total: number): Phrase => [
    name(node),
    ` feeds ${total} inputs, so `,
    grad(out, node),
    ` adds up ${total === 2 ? 'both' : `all ${total}`} contributions: every path the change can take counts.`,
  ],
  chains: (): Phrase => ['Multiplying the local derivatives along a path gives how a change travels along it; the gradient is the sum over all paths.'],
  check: (): Phrase => [
    'The check nudges one variable by ',
    mark('plusMinus'),
    'h, reruns the forward pass and compares (f(x+h) - f(x-h))/2h with the gradient.',
  ],
  /** A gradient read as a sensitivity, with the check's own numbers (12 digits: the difference is in the last ones). */
  sensitivity: (out: string, v: string, g: number, h: number, up: number, down: number, estimate: number): Phrase => [
    grad(out, v),
    ' = ',
    value(g),
    ` as a sensitivity: nudge ${v} by 0.01 and ${out} changes by about `,
    value(g * 0.01),
    // The check's estimate is its finer one, at half its step h: named so, as the README's h is the larger.
    ". Measured at the check's finer step h/2 = ",
    value(h, 3),
    `: ${out} at ${v} + h/2 = `,
    value(up, 12),
    `, at ${v} - h/2 = `,
    value(down, 12),
    ', so (difference)/h = ',
    value(estimate),
    '.',
  ],
}

/**
 * Names for a rule's inputs that no node of the program has, so "∂(u·v)/∂u = v" can never be
 * read as being about the program's own u or v.
 */
export function placeholders(trace: Trace): [string, string] {
  const used = new Set(trace.nodes.map((node) => node.label))
  for (const pair of [
    ['u', 'v'],
    ['p', 'q'],
    ['a', 'b'],
    ['r', 's'],
  ] as const) {
    if (!used.has(pair[0]) && !used.has(pair[1])) return [pair[0], pair[1]]
  }
  for (let k = 1; ; k++) if (!used.has(`u${k}`) && !used.has(`v${k}`)) return [`u${k}`, `v${k}`]
}

/**
 * A rule stated once, its formula printed from the op table's own local derivative at placeholder
 * inputs: "product rule: ∂(u·v)/∂u = v (each factor's derivative is the other factor)".
 */
export function ruleSentence(op: OpId, slot: number, names: [string, string]): Phrase {
  const entry = OPS[op]
  const args: Sym[] = entry.inputs.map((_, k) => ({ name: names[k]! }))
  const input = entry.inputs[slot]!
  return [`${input.rule.name} rule: `, placeholderLocal(op, args, slot), ' = ', value(input.local(S, args)), ` (${input.rule.why}).`]
}

/**
 * The two lines that tell the two steps apart, shown once with section ①: a local derivative is
 * written with its operation, a gradient with the output's name, and repeated inputs are marked.
 */
export function notationNote(trace: Trace, edgeIndex: number): Phrase[] {
  const edge = trace.edges[edgeIndex]!
  const consumer = trace.nodes[edge.to]!
  const out = trace.nodes[trace.output]!.label
  const input = trace.nodes[edge.from]!.label
  const lines: Phrase[] = [
    [
      mark('step1'),
      ' is written with the operation itself: ',
      local(trace, edge),
      ' looks at ',
      value(consumer.expression!),
      ' alone, its other inputs held fixed.',
    ],
    [mark('step2'), ' is written as a gradient: ', grad(out, input), ' is the whole effect of ', name(input), ' on ', name(out), ', along every path.'],
  ]
  const twice = trace.edges.find((e) => trace.nodes[e.to]!.onPath && trace.nodes[e.to]!.inputs.filter((j) => j === e.from).length > 1)
  if (twice) {
    const label = trace.nodes[twice.from]!.label
    const uses = trace.nodes[twice.to]!.inputs.filter((j) => j === twice.from).length
    const marks = Array.from({ length: uses }, (_, k) => value({ name: label, mark: k + 1 }))
    lines.push([
      ...marks.flatMap((m, k) => (k > 0 ? [', ', m] : [m])),
      ` are the ${uses === 2 ? 'two' : uses} uses of `,
      name(label),
      ' in ',
      value(trace.nodes[twice.to]!.expression!),
      ': each has its own local derivative.',
    ])
  }
  return lines
}

/** 1/(2·sqrt(0)) and 1/(3·cbrt(0)²): the derivative's formula at 0, kept as maths so --ascii writes it too. */
const INFINITE_SLOPE: Partial<Record<OpId, Sym>> = {
  sqrt: { op: 'div', args: [1, { op: 'mul', args: [2, { op: 'sqrt', args: [0] }] }] },
  cbrt: { op: 'div', args: [1, { op: 'mul', args: [3, { op: 'pow', args: [{ op: 'cbrt', args: [0] }, 2] }] }] },
}

/** What a convention at a non-differentiable point is, for the op that has it. */
export function conventionText(op: OpId, convention: Convention): Phrase {
  switch (convention) {
    case 'zero-at-kink':
      return [`${op} is not differentiable at 0: the gradient is taken as 0 (PyTorch's convention)`]
    case 'sign-zero':
      return [`${op} is not differentiable at 0: the gradient is taken as 0 (PyTorch's convention, sign(0) = 0)`]
    case 'tie-split':
      return [`${op} is not differentiable at a tie: the gradient is split evenly, 1/2 to each input (PyTorch's convention)`]
    case 'infinite-slope':
      return [`${op} is not differentiable at 0: its derivative `, value(INFINITE_SLOPE[op]!), ' is Infinity']
    case 'power-zero-base':
      return ["d(0^b)/db is taken as 0 (PyTorch's convention; log(0) is -Infinity)"]
    case 'power-flat-base':
      return ['d(0^b)/db = 0 here, as 0^b is 0 for every b > 0 (the formula reads 0·log(0), and log(0) is -Infinity; PyTorch gives 0 too)']
    case 'power-zero-exponent':
      return ['d(a^0)/da = 0 here, as a^0 is 1 for every a (the formula reads 0·0^(-1), and 0^(-1) is Infinity; PyTorch gives 0 too)']
    case 'nan-passes':
      return [
        op === 'relu'
          ? "relu's input is NaN: the gradient passes, as in PyTorch, whose relu blocks it only where the input is ≤ 0 (and NaN ≤ 0 is false)"
          : `${op} compares with NaN: the gradient passes to this input, as in PyTorch, whose ${op} blocks an input only where it is the ${op === 'max' ? 'smaller' : 'larger'} (and every comparison with NaN is false)`,
      ]
  }
}

/** "x = 1, w = 3": the values of a node's inputs, as a flag names them. */
function inputsAt(trace: Trace, node: number): Phrase {
  const parts: Phrase = []
  // A number the program writes (the 1 of 1/(x - y)) is its own value: "1 = 1" says nothing.
  const named = trace.nodes[node]!.inputs.filter((j) => trace.nodes[j]!.kind !== 'constant')
  named.forEach((j, k) => {
    const input = trace.nodes[j]!
    parts.push(k > 0 ? ', ' : '', `${input.label} = `, typeof input.value === 'number' ? raw(input.value) : 'symbolic')
  })
  return parts
}

/** A flag as a sentence. */
export function flagText(trace: Trace, flag: Flag): Phrase {
  const node = trace.nodes[flag.node]!
  const out = trace.nodes[trace.output]!.label
  const edge = flag.edge === undefined ? undefined : trace.edges[flag.edge]!
  const number = (s: Sym) => (typeof s === 'number' ? raw(s) : 'symbolic')
  switch (flag.code) {
    case 'value':
      return [`${node.label} = `, value(node.expression!), ' is ', raw(node.value as number), ' first here, from finite inputs ', ...inputsAt(trace, flag.node)]
    case 'sum':
      return ['the sum of the contributions to ', grad(out, node.label), ' is ', raw(node.grad as number)]
    case 'convention': {
      const text: Phrase = [local(trace, edge!), ': ', ...conventionText(node.op!, flag.convention!)]
      // relu(x)·x at 0: what relu's own slopes do there is multiplied by nothing.
      // (An infinite slope times that 0 is NaN, not nothing: sqrt(x)·0 at 0, in PyTorch too.)
      if (node.grad === 0 && Number.isFinite(edge!.localValue as number))
        text.push('; no gradient arrives at ', node.label, ' here (', grad(out, node.label), ' = 0), so the choice changes nothing')
      else if (node.grad === 0)
        text.push(
          '; no gradient arrives at ',
          node.label,
          ' here (',
          grad(out, node.label),
          ' = 0), but 0 · ',
          raw(edge!.localValue as number),
          ' is NaN, so the gradient through it is NaN (PyTorch gives NaN too)',
        )
      return text
    }
    case 'local':
      return ['the local derivative ', local(trace, edge!), ' is ', raw(edge!.localValue as number), ' at ', ...inputsAt(trace, flag.node)]
    case 'contribution':
      return [
        'the contribution through ',
        local(trace, edge!),
        ' is ',
        raw(edge!.contribution as number),
        ': upstream ',
        number(edge!.upstream),
        ' × local ',
        number(edge!.localValue),
      ]
    case 'indeterminate':
      return [
        'the contribution through ',
        local(trace, edge!),
        ' is NaN: upstream ',
        number(edge!.upstream),
        ' × local ',
        number(edge!.localValue),
        ', and ∞·0 has no value (PyTorch gives NaN here too)',
      ]
    case 'through': {
      const broken = trace.nodes[flag.through!]!
      return [
        grad(out, node.label),
        ' = ',
        raw(node.grad as number),
        ` is taken through ${broken.label} = `,
        value(broken.expression!),
        ', which is ',
        raw(broken.value as number),
        ` here: ${out} has no value near ${node.label}, so this number is not its derivative (PyTorch computes it the same way, without a warning; its anomaly mode would point at ${broken.op})`,
      ]
    }
    case 'select':
      return [
        'the contribution through ',
        local(trace, edge!),
        ' is 0, not ',
        number(edge!.upstream),
        node.op === 'pow'
          ? ' × 0: PyTorch masks the gradient of a^0 with respect to a to 0 instead of multiplying, and the tutor does too'
          : ` × 0: ${node.op} selects its branch and passes nothing to this input (PyTorch's convention)`,
      ]
  }
}

/** Why a check is not a plain agree or disagree; `several`: said of several variables at once ("x, y: the gradients are …"). */
export function checkReasonText(trace: Trace, variable: string, reason: CheckReason, several = false): Phrase {
  const gradientIs = several ? 'the gradients are' : 'the gradient is'
  const gradientPasses = several ? 'the gradients pass' : 'the gradient passes'
  switch (reason.code) {
    case 'unbound': {
      const names = reason.names.join(', ') + (reason.more > 0 ? ` and ${reason.more} more` : '')
      return [`needs every variable bound (${names} ${reason.names.length + reason.more === 1 ? 'is' : 'are'} symbolic)`]
    }
    case 'symbolic':
      return [`${gradientIs} symbolic`]
    case 'non-finite':
      return [`${gradientIs} `, raw(trace.gradients.find((g) => g.name === variable)!.grad as number)]
    case 'budget':
      return [`past the check budget of ${LIMITS.checkBudget} node evaluations`]
    case 'kink': {
      const node = trace.nodes[reason.node]!
      const has = (convention: Convention) => trace.flags.some((f) => f.node === reason.node && f.convention === convention)
      if (has('infinite-slope'))
        return [`${gradientPasses} ${node.op} at ${node.label}, whose slope is infinite there, so a finite difference cannot measure it`]
      // 0^b is Infinity below b = 0, 1 at it and 0 above: both one-sided slopes are -Infinity, and the value jumps.
      if (has('power-zero-base')) return [`${gradientPasses} ${node.op} at ${node.label}, where 0^b jumps at b = 0, so a finite difference cannot measure it`]
      return [`${gradientPasses} a non-differentiable point (${node.op} at ${node.label}), where the two one-sided slopes differ`]
    }
    case 'branch': {
      const node = trace.nodes[reason.node]!
      return [`${node.op} at ${node.label} switches branch within the step h, so the difference mixes two slopes`]
    }
    case 'not-finite-near':
      return [`the output is not finite near ${variable} = `, raw(trace.bindings[variable]!)]
    case 'unreliable':
      return ['finite differences are unreliable here: rounding or curvature swamps the change they measure']
  }
}

/** The check column: agrees, DISAGREES (shouted in the terminal, where it must not be missed), inconclusive, not checked. */
export function checkStatusText(status: CheckStatus | undefined, reason: CheckReason | undefined, face: 'table' | 'notes' = 'table'): string {
  switch (status) {
    case 'agree':
      return 'agrees'
    case 'disagree':
      return face === 'table' ? 'DISAGREES' : 'disagree'
    case 'inconclusive':
      return 'inconclusive'
    default:
      return reason?.code === 'budget' && face === 'table' ? `not checked (budget ${LIMITS.checkBudget})` : 'not checked'
  }
}

/** The chains line of a variable whose paths are too many to list. */
export function tooManyPaths(count: number): string {
  const text = count === Infinity ? 'more than 1.8e+308' : count > Number.MAX_SAFE_INTEGER ? `about ${formatNumber(count, 3)}` : String(count)
  return `${text} paths, more than listed here (at most ${LIMITS.chainPaths} paths and ${LIMITS.chainEdges} edges); the backward pass above sums them without listing them`
}

/** The chains line of a variable whose paths --chains short does not list. */
/** A zero path (a factor on it is 0: an inactive relu, a (1 - y) with y = 1) is counted, not listed. */
export const longChains = (count: number, longest: number, zero = 0) =>
  count === 1
    ? `(1 path of ${longest} local derivatives${zero ? ', which is 0' : ''}; --chains all lists it)`
    : `(${count} paths of up to ${longest} local derivatives, summed${zero === count ? '; every one is 0' : zero ? `; ${zero} of them ${zero === 1 ? 'is' : 'are'} 0` : ''}; --chains all lists them)`

export const noPath = (out: string, variable: string) => `(no path: ${out} does not depend on ${variable})`
/** The chains of an intermediate chosen with --wrt. */
export const intermediateChains = (node: string) =>
  `the chains are listed down to variables; the backward pass above multiplies along every path from the output to ${node}`
export const NOT_CHECKED_INTERMEDIATE = 'the finite-difference check nudges the variables, not the nodes computed from them'

/** How a training run diverged. */
export function divergenceText(divergence: Divergence, out: string): Phrase {
  switch (divergence.code) {
    case 'loss':
      return ['the loss is ', raw(divergence.value), ` at step ${divergence.step}: the run diverged; try a smaller --lr`]
    case 'gradient':
      return [grad(out, divergence.param), ' is ', raw(divergence.value), ` at step ${divergence.step}: the run cannot go on`]
    case 'parameter':
      return [`${divergence.param} is `, raw(divergence.value), ` after step ${divergence.step}: the run diverged; try a smaller --lr`]
    case 'loss-rose':
      return [
        'the loss rose from ',
        raw(divergence.from),
        ' to ',
        raw(divergence.value),
        ` over ${divergence.step} ${plural(divergence.step, 'step')}: the learning rate is too large, so each step overshoots; try a smaller --lr`,
      ]
  }
}

// ── check: the verdicts on a student's claims ──────────────────────────────────────────────────

/** What a claim is about: a local derivative written with its operation, or a gradient ∂of/∂wrt. */
export function claimMeaning(trace: Trace, r: ClaimResult): Cell {
  if (r.kind === 'local' && r.edges && r.edges.length > 0) {
    const edge = trace.edges[r.edges[0]!]!
    // One use of a repeated input is marked (x[1]); all of them together is the operation's own derivative.
    if (r.edges.length === 1) return local(trace, edge)
    const consumer = trace.nodes[edge.to]!
    return { kind: 'local', expression: consumer.expression as { op: OpId; args: Sym[] }, slot: edge.slot }
  }
  return grad(trace.nodes[r.of]!.label, trace.nodes[r.wrt]!.label)
}

/** What every sentence about one claim is written with. */
interface Judged {
  trace: Trace
  r: ClaimResult
  /** ∂of/∂wrt by node. */
  d: (of: number, wrt: number) => Cell
  label: (i: number) => string
  /** The gradient's own step: ∂L/∂n = Σ upstream · local = the numbers = the total. */
  step: (edges: number[]) => Phrase
  /** How another claim is pointed at: "claim 5", or "line 27" in a written trace. */
  named: (k: number) => string
}

/** How verdicts point at another claim by default: its number in the list. */
const byNumber = (k: number) => `claim ${k + 1}`

/** Two claims pointed at together: "claims 1 and 2", "lines 4 and 6". */
/** Claims named together: "claims 1, 2 and 3" where each is "claim N", else each as it is named. */
function namedList(named: (k: number) => string, ks: number[]): string {
  const names = ks.map(named)
  const word = /^\S+ /.exec(names[0]!)?.[0]
  const rest = word && names.every((n) => n.startsWith(word)) ? names.map((n) => n.slice(word.length)) : names
  const list = `${rest.slice(0, -1).join(', ')} and ${rest[rest.length - 1]}`
  return word && rest !== names ? `${word.trim()}s ${list}` : list
}

function namedPair(named: (k: number) => string, a: number, b: number): string {
  const [first, second] = [named(a), named(b)]
  const word = /^\S+ /.exec(first)?.[0]
  return word && second.startsWith(word) ? `${word.trim()}s ${first.slice(word.length)} and ${second.slice(word.length)}` : `${first} and ${second}`
}

/** " = 1 - tanh(z)² = 0.42", or " = 1" once when the formula is its number (never "= 1 = 1"). */
function localWorked(trace: Trace, edge: Trace['edges'][number]): Phrase {
  const formula = localSym(trace, edge)
  return isNumber(formula) ? [' = ', value(edge.localValue as number)] : [' = ', value(formula), ' = ', value(edge.localValue as number)]
}

/** The lines under one claim: right, or wrong and where it departs. */
export function verdictLines(trace: Trace, results: ClaimResult[], k: number, named: (k: number) => string = byNumber): Phrase[] {
  const r = results[k]!
  if (r.kind === 'unreadable') return [[`cannot be read: ${r.unreadable}`]]
  const meaning = claimMeaning(trace, r)
  if (r.undefined) {
    if (r.kink === undefined) return [[meaning, ' is ', value(r.truth), ' here: it exists, with no kink or tie on the way']]
    const edge = trace.edges[r.kink]!
    const op = trace.nodes[edge.to]!.op!
    const flag = trace.flags.find((f) => f.code === 'convention' && f.edge === r.kink)!
    return [[meaning, ' does not exist here: right. ', ...conventionText(op, flag.convention!), '; the backward pass takes ', meaning, ' = ', value(r.truth)]]
  }
  if (r.right) return [[meaning, ' = ', value(r.truth), ': right']]
  if (r.diagnosis?.kind === 'chain') return chainVerdict(trace, r, r.diagnosis)
  const label = (i: number) => trace.nodes[i]!.label
  const d = (of: number, wrt: number) => grad(label(of), label(wrt))
  // A long sum is shortened as the backward table shortens it: its first terms, and how many.
  const step = (edges: number[]): Phrase => {
    const shown = edges.slice(0, LIMITS.sumTerms)
    const more = edges.length > shown.length ? ` + … (${edges.length} terms)` : ''
    return [
      d(trace.output, r.wrt),
      ' = ',
      ...joinCells(
        shown.map((e) => product(d(trace.output, trace.edges[e]!.to), local(trace, trace.edges[e]!))),
        ' + ',
      ),
      more,
      ' = ',
      ...joinCells(
        shown.map((e) => product(factor(trace.edges[e]!.upstream), factor(trace.edges[e]!.localValue))),
        ' + ',
      ),
      more,
      ' = ',
      value(r.truth),
    ]
  }
  const judged: Judged = { trace, r, d, label, step, named }
  const diagnosis = r.diagnosis!
  // Never opened with the student's formula written as the answer ("∂L/∂x = x + 2: …").
  if (diagnosis.kind === 'formula') return [[meaning, ' is not ', r.formula!, ': ', ...QUIZ.formulaSlip(diagnosis.slip)]]
  // A formula is named as written, with the number it gives: ∂loss/∂loss is 1, not 2*(yhat - y)^2 = 2.
  const yours: Phrase = r.formula !== undefined ? [r.formula, ' = ', value(r.claimed)] : [value(r.claimed)]
  const lines: Phrase[] = [[meaning, ' is ', value(r.truth), ', not ', ...yours], ...diagnosisLines(judged, results, k, meaning)]
  if (r.stoppedAt !== undefined) {
    const m = r.stoppedAt
    // Said first: the formula names what it is, which explains the number better than any slip below.
    lines.splice(1, 0, [
      r.formula!,
      ' is ',
      d(trace.output, m),
      ', the gradient at ',
      label(m),
      ', not ',
      meaning,
      `: the chain goes on from ${label(m)} down to ${label(r.wrt)}, multiplying the local derivatives on the way.`,
    ])
  }
  // A number the student's own earlier claims explain is diagnosed by them alone: a second reading would contradict it.
  const explained =
    diagnosis.kind === 'explained' || diagnosis.kind === 'chained' || diagnosis.kind === 'unmultiplied' || (diagnosis.kind === 'inherited' && diagnosis.follows)
  if (r.localInstead !== undefined && !explained) {
    const instead = localInsteadLine(judged, meaning, r.localInstead)
    // Where nothing earlier went wrong, this is the likeliest reading of the slip: say it first.
    if (diagnosis.kind === 'inherited') lines.push(instead)
    else lines.splice(1, 0, instead)
  }
  return lines
}

/** What the diagnosis says of a wrong claim, under the line that gives the true value. */
function diagnosisLines(judged: Judged, results: ClaimResult[], k: number, meaning: Cell): Phrase[] {
  const { trace, r, d, label, named } = judged
  const diagnosis = r.diagnosis!
  const lines: Phrase[] = []
  if (diagnosis.kind === 'seed') {
    lines.push([
      'The seed: the backward pass starts at ',
      d(trace.output, trace.output),
      ' = 1, because the output changes one-for-one with itself; every gradient below is a multiple of it.',
    ])
  } else if (diagnosis.kind === 'inherited') lines.push(inheritedVerdict(judged, results, diagnosis))
  else if (diagnosis.kind === 'explained') lines.push(explainedVerdict(judged, results, diagnosis))
  else if (diagnosis.kind === 'chained') lines.push(chainedVerdict(judged, results, diagnosis))
  else if (diagnosis.kind === 'unmultiplied') lines.push(unmultipliedVerdict(judged, results, diagnosis))
  else if (diagnosis.kind === 'contradicts')
    lines.push([
      // Two steps of one equation share a line: "line 12" would point at this very line.
      `Your ${named(diagnosis.from) === named(k) ? 'earlier step on this line' : named(diagnosis.from)} has it right: `,
      meaning,
      ' = ',
      ...(results[diagnosis.from]!.formula ? [results[diagnosis.from]!.formula!, ' = '] : []),
      value(r.truth),
      '.',
    ])
  else if (diagnosis.kind === 'step') lines.push(...(diagnosis.above ? unclaimedVerdict(judged, diagnosis) : ownStepVerdict(judged, diagnosis)))
  else if (diagnosis.kind === 'local') lines.push(localVerdict(judged, meaning, diagnosis))
  else if (diagnosis.kind === 'upside-down') {
    const turned = d(r.wrt, r.of)
    const matches = Math.abs(r.claimed - diagnosis.reverse) <= 0.01 * Math.abs(diagnosis.reverse) + 1e-4
    const yours: Phrase = matches ? [', which is your number: write it d ', label(r.wrt), ' / d ', label(r.of), '.'] : ['.']
    lines.push([
      meaning,
      ` is upside down: ${label(r.of)} does not depend on ${label(r.wrt)}, so `,
      meaning,
      ' = 0. The other way up, ',
      turned,
      ' = ',
      value(diagnosis.reverse),
      ...yours,
    ])
  } else if (diagnosis.kind === 'partial' && diagnosis.independent) {
    lines.push([`${label(r.of)} does not depend on ${label(r.wrt)} (no path leads from ${label(r.wrt)} up to ${label(r.of)}), so `, meaning, ' = 0.'])
  } else lines.push([meaning, ` multiplies the local derivatives along every path from ${label(r.of)} down to ${label(r.wrt)}, and adds the paths.`])
  return lines
}

/** A number that is a local derivative, written where the gradient goes: multiply by the upstream. */
function localInsteadLine({ trace, r, d }: Judged, meaning: Cell, e: number): Phrase {
  const edge = trace.edges[e]!
  const upstream: Phrase = [d(trace.output, edge.to), ' = ', value(edge.upstream as number), ' (', mark('step2'), ' multiply along the chain).']
  return [
    value(r.claimed),
    ' is the local derivative ',
    local(trace, edge),
    ...(isNumber(localSym(trace, edge)) ? [] : [' = ', value(localSym(trace, edge))]),
    ', not ',
    meaning,
    ': multiply it by the upstream ',
    ...upstream,
  ]
}

/** The first departure is an earlier claim: whether the student's later steps follow from it. */
function inheritedVerdict({ trace, r, d, label, named }: Judged, results: ClaimResult[], diagnosis: Extract<Diagnosis, { kind: 'inherited' }>): Phrase {
  // The student's gradient at that node is their last claim of it, as the engine reads their work.
  let from = -1
  results.forEach((x, j) => x.kind === 'gradient' && x.wrt === diagnosis.from && (from = j))
  const theirs = results[from]!.claimed
  const where: Phrase = ['First departure: ', d(trace.output, diagnosis.from), ` (${named(from)}), which should be `, value(results[from]!.truth)]
  // From the seed, the rest of the way is the local derivatives' product, not ∂L/∂n (which holds the seed already).
  const times = (result: number): Phrase =>
    diagnosis.from === trace.output
      ? [
          `your ${label(trace.output)} seed `,
          value(theirs),
          ` times the local derivatives from ${label(trace.output)} down to ${label(r.wrt)} (`,
          value(diagnosis.factor),
          ') = ',
          product(factor(theirs), factor(diagnosis.factor)),
          ' = ',
          value(result),
        ]
      : [product(factor(theirs), d(diagnosis.from, r.wrt)), ' = ', product(factor(theirs), factor(diagnosis.factor)), ' = ', value(result)]
  if (diagnosis.follows) return [...where, '. Your steps after it are right: ', ...times(r.claimed), '.']
  return [...where, '. Even from your ', value(theirs), ' there, ', ...times(theirs * diagnosis.factor), ', so there is a second slip between them.']
}

/** A wrong local derivative, with its rule (and, for an input used twice, why the two add). */
function localVerdict({ trace, r, label }: Judged, meaning: Cell, diagnosis: Extract<Diagnosis, { kind: 'local' }>): Phrase {
  const parts = diagnosis.edges.map((e) => trace.edges[e]!)
  const symbolic = joinCells(
    parts.map((edge) => value(localSym(trace, edge))),
    ' + ',
  )
  const uses = parts.length > 1 ? `, ${label(r.wrt)} is used ${parts.length} times, so the local derivatives add` : ''
  // A local that is a number already (the sum rule's 1) is written once: "= 1 (sum rule)", not "= 1 (sum rule) = 1".
  if (parts.length === 1 && isNumber(parts[0]!.local)) return [meaning, ' = ', value(r.truth), ` (${parts[0]!.rule.name} rule).`]
  return [meaning, ' = ', ...symbolic, ` (${parts[0]!.rule.name} rule${uses}) = `, value(r.truth), '.']
}

/** No claim above the wrong gradient: the true steps from the output down, and the one slip that explains the number. */
function unclaimedVerdict(judged: Judged, diagnosis: Extract<Diagnosis, { kind: 'step' }>): Phrase[] {
  const { trace, r, d, label, step } = judged
  const out = label(trace.output)
  const from = diagnosis.claimed
  // From the student's own nearest gradient above, when they stated one (it is right), else from the output.
  const above = diagnosis.above!
  const shown = joinCells(
    above.slice(0, 8).map((i) => [d(trace.output, i), ' = ', value(trace.nodes[i]!.grad as number)]),
    ', ',
  )
  const start: Phrase =
    from === undefined
      ? [
          `None of your claims before this one gives a gradient between ${out} and ${label(r.wrt)}, so compare your steps with the true ones, from ${out} down: `,
        ]
      : [
          'Your ',
          d(trace.output, from),
          ' = ',
          value(trace.nodes[from]!.grad as number),
          ` is right; compare your steps below it with the true ones, from ${label(from)} down${above.length ? ': ' : ''}`,
        ]
  const lines: Phrase[] = [[...start, ...shown, above.length > 8 ? ', …' : '', above.length ? '; then ' : ': ', ...step(diagnosis.edges), '.']]
  if (diagnosis.missing || diagnosis.missingCount) lines.push(missingLine(judged, diagnosis))
  if (diagnosis.slip) {
    const edge = trace.edges[diagnosis.slip.edge]!
    const name = local(trace, edge)
    const how: Phrase = {
      sign: [name, ' with its sign flipped'],
      'left-out': [name, ' left out of the product'],
      'value-for-derivative': [`the value of ${label(edge.to)} (`, value(trace.nodes[edge.to]!.value as number), ') written for its derivative ', name],
    }[diagnosis.slip.kind]
    const right: Phrase = [name, ...localWorked(trace, edge), ` (${edge.rule.name} rule).`]
    lines.push(['Your number is exactly what ', ...how, ' gives: the first step to check is ', ...right])
  } else if (diagnosis.signFlipped) {
    lines.push([
      'Your number has the right size and the wrong sign: check the sign of each local derivative (a subtracted term has -1, and a negative upstream changes the sign of everything below it).',
    ])
  }
  return lines
}

/** The departure is the node's own step: a fan-out contribution left out, or the local derivative the number implies. */
/** A fan-out sum that leaves out some contributions: which ones, and that all of them add. */
function missingLine({ trace, r, d, label }: Judged, diagnosis: Extract<Diagnosis, { kind: 'step' }>): Phrase {
  const consumers = [...new Set(diagnosis.edges.map((e) => label(trace.edges[e]!.to)))]
  const count = diagnosis.missingCount
  // Equal contributions (x·x·x): which one was left out cannot be told, and is not guessed.
  const missing: Phrase = count
    ? [`${count} of its ${diagnosis.edges.length} contributions`]
    : joinCells(
        diagnosis.missing!.map((e) => product(d(trace.output, trace.edges[e]!.to), local(trace, trace.edges[e]!))),
        ' and ',
      )
  const parts = sum(diagnosis.edges.map((e) => trace.edges[e]!.contribution))
  const feeds = `: ${label(r.wrt)} feeds ${consumers.join(', ')}, so its gradient sums ${diagnosis.edges.length === 2 ? 'both' : `all ${diagnosis.edges.length}`} contributions (`
  return ['Your number leaves out ', ...missing, feeds, parts, ').']
}

/** The student's chain rule over two earlier claims, right; the slip is in the second. */
function explainedVerdict({ trace, r, d, named }: Judged, results: ClaimResult[], diagnosis: Extract<Diagnosis, { kind: 'explained' }>): Phrase {
  const [from, by] = [results[diagnosis.from]!, results[diagnosis.factor]!]
  return [
    `Your number follows from your ${namedPair(named, diagnosis.from, diagnosis.factor)}: `,
    product(d(trace.output, from.wrt), d(by.of, by.wrt)),
    ' = ',
    product(factor(from.claimed), factor(by.claimed)),
    ' = ',
    value(r.claimed),
    `. The chain rule is right; the slip is in ${named(diagnosis.factor)}: `,
    d(by.of, by.wrt),
    ' is ',
    value(by.truth),
    ', not ',
    value(by.claimed),
    '.',
  ]
}

/** The student's two factors are right and give the gradient: the slip is the product itself, and what their number is instead. */
function unmultipliedVerdict({ trace, r, d, named }: Judged, results: ClaimResult[], diagnosis: Extract<Diagnosis, { kind: 'unmultiplied' }>): Phrase {
  const [from, by] = [results[diagnosis.from]!, results[diagnosis.factor]!]
  const [a, b] = [from.claimed, by.claimed]
  if (diagnosis.below) {
    const factors = [by, ...diagnosis.below.map((i) => results[i]!)]
    const pieces = [a, ...factors.map((f) => f.claimed)]
    return [
      `Your ${namedList(named, [diagnosis.from, diagnosis.factor, ...diagnosis.below])} are right, and the chain rule multiplies them: `,
      product(d(trace.output, from.wrt), ...factors.map((f) => d(f.of, f.wrt))),
      ' = ',
      product(...pieces.map(factor)),
      ' = ',
      value(r.truth),
      '.',
      ...(diagnosis.instead === 'sum' ? [' Your ', value(r.claimed), ' is their sum: the chain rule multiplies.'] : []),
    ]
  }
  const instead: Phrase = {
    'factor alone': [' Your ', value(r.claimed), ' is ', d(by.of, by.wrt), ' alone: the upstream ', d(trace.output, from.wrt), ' is left out of the product.'],
    'upstream alone': [
      ' Your ',
      value(r.claimed),
      ' is the upstream ',
      d(trace.output, from.wrt),
      ' alone: ',
      d(by.of, by.wrt),
      ' is left out of the product.',
    ],
    // Both factors are that number: which one was kept is not to be told.
    'one alone': [' Your ', value(r.claimed), ' is one of the two factors alone: the product needs both.'],
    sum: [' Your ', value(r.claimed), ' is their sum, ', value(a), ' + ', value(b), ': the chain rule multiplies.'],
    none: [],
  }[diagnosis.instead ?? 'none']
  return [
    `Your ${namedPair(named, diagnosis.from, diagnosis.factor)} are right, and the chain rule multiplies them: `,
    product(d(trace.output, from.wrt), d(by.of, by.wrt)),
    ' = ',
    product(factor(a), factor(b)),
    ' = ',
    value(r.truth),
    '.',
    ...instead,
  ]
}

/**
 * Where an edge's rule is a convention at a kink or tie (relu at 0, max at a tie), which side's
 * slope `implied` is ("the slope just above 0"), read from the op's own values a little to each
 * side; undefined elsewhere, or when it is neither side's.
 */
function oneSide(trace: Trace, e: number, implied: number): string | undefined {
  const flag = trace.flags.find((f) => f.edge === e && f.kind === 'non-differentiable' && f.code === 'convention')
  if (!flag) return undefined
  const edge = trace.edges[e]!
  const consumer = trace.nodes[edge.to]!
  const op = OPS[consumer.op!]
  const xs = consumer.inputs.map((k) => trace.nodes[k]!.value)
  if (!xs.every(isNumber)) return undefined
  const at = xs[edge.slot] as number
  const step = 1e-6 * Math.max(1, Math.abs(at))
  const moved = (by: number) => op.value(...xs.map((x, k) => (k === edge.slot ? at + by : (x as number))))
  const here = op.value(...(xs as number[]))
  const [right, left] = [(moved(step) - here) / step, (here - moved(-step)) / step]
  const close = (a: number) => Math.abs(a - implied) <= 1e-4 * Math.max(1, Math.abs(implied))
  if (close(right) && close(left)) return undefined
  const input = trace.nodes[consumer.inputs[edge.slot]!]!.label
  return close(right) ? `the slope with ${input} moved up from here` : close(left) ? `the slope with ${input} moved down from here` : undefined
}

/** What the backward pass takes at a convention's point, as the flag says it. */
function conventionPhrase(trace: Trace, e: number): Phrase {
  const flag = trace.flags.find((f) => f.edge === e && f.code === 'convention')!
  const text = conventionText(trace.nodes[flag.node]!.op!, flag.convention!)
  return [...text, '.']
}

function ownStepVerdict(judged: Judged, diagnosis: Extract<Diagnosis, { kind: 'step' }>): Phrase[] {
  const { trace, r, step } = judged
  const lines: Phrase[] = [['First departure: this step. ', ...step(diagnosis.edges)]]
  if (diagnosis.missing || diagnosis.missingCount) lines.push(missingLine(judged, diagnosis))
  else if (diagnosis.edges.length === 1) {
    const edge = trace.edges[diagnosis.edges[0]!]!
    const upstream = edge.upstream as number
    if (upstream !== 0) {
      const name = local(trace, edge)
      const means: Phrase = [name, ' = ', value(r.claimed), ' / ', factor(upstream), ' = ', value(r.claimed / upstream)]
      const truth: Phrase = [name, ...localWorked(trace, edge), ` (${edge.rule.name} rule).`]
      lines.push(['Your number means ', ...means, ', but ', ...truth, ...(diagnosis.signFlipped ? [' The size is right; the sign is flipped.'] : [])])
      const side = oneSide(trace, diagnosis.edges[0]!, r.claimed / upstream)
      if (side) lines.push([value(r.claimed / upstream), ` is ${side}; at the point itself `, ...conventionPhrase(trace, diagnosis.edges[0]!)])
    }
  }
  return lines
}

/** Cells or phrases joined by a separator, as one phrase. */
function joinCells(items: (Cell | Phrase)[], separator: string): Phrase {
  return items.flatMap((item, k) => [...(k > 0 ? [separator] : []), ...(Array.isArray(item) ? item : [item])])
}

export const claimsHeading = (right: number, total: number) => `Claims: ${right} of ${total} right`

/** A chain whose product is 0 where the backward pass selected a branch: why it is not ∞ · 0 = NaN. */
export const chainSelected = (op: string): Phrase => [
  op === 'pow' ? "(pow's mask, as in the backward pass)" : `(${op} selects its branch, as in the backward pass)`,
]

/** check --trace: a written trace's words. */
export const WRITTEN = {
  traceTitle: 'Trace',
  readsAs: 'read as',
  firstSlip: 'the first slip',
  repeats: (line: number, here: number) => (line === here ? 'The same slip as before on this line.' : `The same slip as line ${line}.`),
}

/** "Claims: 5 of 14 right; 3 wrong, 6 consistent with an earlier slip": how a written trace went. */
export function writtenHeading(verdicts: string[]): string {
  const count = (v: string) => verdicts.filter((x) => x === v).length
  const parts = [
    count('wrong') ? `${count('wrong')} wrong` : '',
    count('consistent') ? `${count('consistent')} consistent with an earlier slip` : '',
    count('unreadable') ? `${count('unreadable')} unreadable` : '',
  ].filter(Boolean)
  return `${claimsHeading(count('right'), verdicts.length)}${parts.length ? `; ${parts.join(', ')}` : ''}`
}

// ── quiz: section titles, hints ──────────────────────────────────────────────────────────────

export const QUIZ = {
  titles: {
    forward: ['1. Forward pass: the value of each node'] as Phrase,
    local: ['2. Local derivatives: ', mark('step1'), ' each operation with respect to each of its inputs'] as Phrase,
    backward: ['3. Backward pass: ', mark('step2'), ' upstream ', mark('times'), ' local, from the output back'] as Phrase,
    tangent: ['4. Forward mode: each tangent is local ', mark('times'), ' incoming, from each input up'] as Phrase,
  },
  tangentContext: (seed: string) => `seeded ${seed} = 1, every other input 0`,
  tangentHint: 'forward mode: the local derivative times the tangent of the input it comes through, summed over the inputs',
  forwardHint: (rule: string, inputs: string[]) => `${rule}${inputs.length ? ` of the values above: ${inputs.join(', ')}` : ' of constants'}`,
  seedContext: 'the seed of the backward pass',
  /** A formula right at this point only. */
  formulaSlip: (slip: FormulaSlip): Phrase => [
    'right value here, wrong formula: at ',
    ...slip.at.flatMap(([n, v], k): Phrase => [k > 0 ? ', ' : '', name(n), ' = ', value(v)]),
    // A node is not moved: it follows from the variables, and is said so.
    ...(slip.derived.length ? [' (so ', ...slip.derived.flatMap(([n, v], k): Phrase => [k > 0 ? ', ' : '', name(n), ' = ', value(v)]), ')'] : []),
    ' yours gives ',
    value(slip.yours),
    ', the right one gives ',
    value(slip.truth),
  ],
  seedHints: ['how much does the output change when the output itself changes by a small amount?', 'the output changes one-for-one with itself'] as [
    string,
    string,
  ],
  chainRuleHint: 'the chain rule: the gradient arriving from above (upstream) times the local derivative',
  // Neither the question nor its hints count the contributions or add them up: finding them is the exercise.
  sumQuestion: (node: string) => `its whole gradient, through everything ${node} feeds`,
  sumHints: (node: string): [string, string] => [
    `${node} feeds more than one operation: every path a change can take counts, so the contributions add`,
    `look back at the questions above that ask for a contribution to the gradient of ${node}: each is one; add them all`,
  ],
  contributionQuestion: (k: number) => `(contribution ${k})`,
  intro: (count: number) =>
    `${count} questions. Answer with a number or an expression (2*(-1), w, 1/(1+exp(-t1)): names stand for their values). Enter on an empty line for a hint, q to stop.`,
  right: (ascii: boolean) => (ascii ? 'right' : '✓ right'),
  wrong: (ascii: boolean) => (ascii ? 'not quite' : '✗ not quite'),
  hint: 'hint',
  answer: 'answer',
  unreadable: (why: string) => `cannot read that answer: ${why}; type a number or an expression`,
  comparison: 'an indicator such as [x > y] is 1 where it holds and 0 where it does not: type its value here, 1 or 0 (an answer takes no comparison)',
  stopped: (k: number, total: number) => `Stopped at question ${k} of ${total}.`,
  kinkAnswer: (convention: string, value: string) => `${convention}; the trace goes on with ${value}`,
  definedHere: 'it is defined here: type a number or an expression',
  score: (s: { firstTry: number; asked: number; afterHint: number; shown: number; unfinished: number; total: number }) =>
    `Score: ${s.firstTry} of ${s.asked} right at the first try` +
    `${s.afterHint ? `, ${s.afterHint} more after a hint` : ''}${s.shown ? `, ${s.shown} shown` : ''}` +
    `${s.unfinished ? `, ${s.unfinished} left unfinished` : ''}` +
    `${s.asked < s.total ? ` (${s.total - s.asked} not answered)` : ''}.`,
}

// ── --lr: the training run ───────────────────────────────────────────────────────────────────

export const TRAINING = {
  title: (params: string[], lr: number): Phrase => [`6. Training: gradient descent on ${params.join(', ')} with learning rate `, mark('eta'), ' = ', value(lr)],
  rule: (out: string, data: string[]): Phrase => [
    'each step: p ',
    mark('arrow'),
    ' p - ',
    mark('eta'),
    mark('times'),
    grad(out, 'p'),
    data.length ? `; held fixed (data): ${data.join(', ')}` : '',
  ],
  step: (k: number, out: string, loss: number): Phrase => [`step ${k}: ${out} = `, value(loss)],
  everyVariable: (params: string[]): Phrase => [
    `every variable is trained (${params.join(', ')}), inputs and targets too: hold those fixed with --data NAMES, or name what to train with --params NAMES`,
  ],
  rise: (rise: Rise, lr: number): Phrase => [
    `the loss rose from `,
    value(rise.from),
    ' to ',
    value(rise.to),
    ` over step ${rise.step}: with `,
    mark('eta'),
    ' = ',
    value(lr),
    ' the step overshoots',
    ...(rise.limit !== undefined
      ? ([
          '; along this gradient the loss curves by ',
          value(rise.curvature!),
          ', so ',
          mark('eta'),
          ' must stay below about 2 / ',
          value(rise.curvature!),
          ' = ',
          value(rise.limit),
          lr > rise.limit ? '' : ' (here it does, so the rise comes from further along)',
        ] as Phrase)
      : []),
    '; try a smaller --lr',
  ],
  summaryColumns: (out: string, params: string[]): Phrase[] => [['step'], [out], ...params.flatMap((p): Phrase[] => [[p], [grad(out, p)]])],
  columns: (out: string): Phrase[] => [['parameter'], ['value'], [grad(out, 'parameter')], ['update']],
  update: (param: string, p: number, lr: number, gradient: number, next: number): Phrase => [
    `${param} `,
    mark('arrow'),
    ' ',
    value(p),
    ' - ',
    value(lr),
    mark('times'),
    factor(gradient),
    ' = ',
    value(next),
  ],
  after: (k: number, params: [string, number][], out: string, loss: number): Phrase => [
    `after step ${k}: `,
    ...params.flatMap(([name, v], j): Phrase => [j > 0 ? ', ' : '', `${name} = `, value(v)]),
    `; ${out} = `,
    value(loss),
  ],
  curve: (out: string, from: number, to: number, bars: string, log: boolean): Phrase => [
    `${out} over the run: `,
    value(from),
    ' ',
    mark('to'),
    ' ',
    value(to),
    `  ${bars}${log ? ' (log scale)' : ''}`,
  ],
}

// ── forward mode: tangents beside the values, and why backprop runs backwards ───────────────────

export const FORWARD = {
  title: (k: number, variable: string): Phrase => [
    `${k}. Forward mode for ${variable}: each node n carries its tangent `,
    tangent('n'),
    `, the derivative of n with respect to ${variable}, seeded `,
    tangent(variable),
    ' = 1 and every other input 0',
  ],
  explain: (variable: string): Phrase => [
    `Dual numbers: each value travels with its tangent, and each operation passes on local derivative `,
    mark('times'),
    ` incoming tangent, summed over its inputs; the output's tangent is its derivative with respect to ${variable}.`,
  ],
  columns: (): Phrase[] => [['tangent'], ['local ', mark('times'), ' incoming'], ['values'], ['value']],
  seed: 'seed',
  reordered: "(the backward pass's order)",
  /** `reordered`: some tangent was taken in the backward pass's order, where Infinity met a sum of other signs. */
  result: (out: string, variable: string, result: Sym, agrees: boolean | undefined, reordered = false): Phrase => [
    grad(out, variable),
    ' = ',
    tangent(out),
    ' = ',
    value(result),
    agrees === true ? ': the same as the backward pass' : agrees === false ? ': NOT the same as the backward pass' : '',
    reordered
      ? '. With Infinity on the way, the order of the products decides the number: the backward pass spreads Infinity over every path before it adds them (Infinity - Infinity has no value), and forward mode takes each tangent marked so that way too'
      : '',
  ],
  compareTitle: (k: number): Phrase => [`${k}. Forward or reverse: what each mode costs here`],
  costs: (mode: 'forward' | 'reverse', passes: number, operations: number, inputs: number): Phrase => [
    mode === 'forward'
      ? `forward mode: ${passes} ${plural(passes, 'pass', 'passes')} (one per input), ${operations} ${plural(operations, 'multiply-add')}`
      : `reverse mode: ${passes} backward pass (one per output, for ${inputs === 1 ? 'its one input' : `all ${inputs} inputs at once`}), ${operations} ${plural(operations, 'multiply-add')}`,
  ],
  agreement: (all: boolean, compared: number, total: number): Phrase => [
    !all
      ? 'The two modes disagree on some gradient: please report this program.'
      : compared === 0
        ? 'The two modes write their results differently here (too long, or in the names of the program), so they are not compared as written.'
        : total === 1
          ? 'Both give the same gradient (checked).'
          : `Both give the same gradients (${compared === total ? (total === 1 ? 'checked' : `each of the ${total} checked`) : `${compared} of ${total} checked`}).`,
  ],
  why: (): Phrase => [
    'Forward mode pays one pass per input and reverse mode one pass per output: forward wins with few inputs and many outputs; a loss of many parameters has one output and many inputs, which is why backprop runs backwards.',
  ],
}

// ── the html page ───────────────────────────────────────────────────────────────────────────────

export const PAGE = {
  title: (program: string) => `backprop-tutor: ${program}`,
  heading: 'Backpropagation, step by step',
  program: 'Program',
  values: 'Values',
  /** check: what the tool's names for unnamed nodes (t1 = x·w) stand for. */
  where: 'Where',
  none: 'none',
  symbolic: 'symbolic:',
  graphLabel: 'The computational graph; the current step is outlined in red and thicker, edges the gradient has passed are blue and dashed',
  stepsLabel: 'The steps',
  controlsLabel: 'Step through the trace (keys: left and right arrows, Home, End)',
  first: 'First',
  back: 'Back',
  next: 'Next',
  last: 'Last',
  sliderLabel: 'Step',
  /** The playground's button that fits a graph wider than its panel into it, and back. */
  fit: 'Fit the graph to its panel',
  answerLabel: 'Your answer (a number or arithmetic with the values shown): ',
  check: 'Check',
  listLabel: 'Every step',
  phases: {
    forward: '1. Forward pass: the value of each node, inputs first',
    local: '2. Local derivatives: each operation with respect to each of its inputs',
    backward: '3. Backward pass: upstream · local = contribution, from the output back',
    gradient: '4. Gradients, checked against finite differences',
  },
}

/** The playground page (backprop-tutor playground): its labels, and what it says of its boxes and links. */
export const PLAYGROUND = {
  title: 'backprop-tutor playground',
  heading: 'Backpropagation, step by step: type a program',
  intro: 'Everything runs in this page, offline. The trace is redrawn as you type; the address holds the program, its values and the step, to share as a link.',
  programLabel: 'Program',
  programHint: 'An expression or statements, as on the command line: (x*w+b-y)^2, or yhat = x*w + b; loss = (yhat - y)^2',
  valuesLabel: 'Values',
  valuesHint: 'As on the command line: --x 1 --w 1 (a tensor: --W "[1, 2; 3, 4]"); options such as --wrt, --explain or --precision 3 work too',
  example: '(x*w+b-y)^2',
  exampleValues: '--x 1 --w 1 --b 0 --y 2',
  empty: 'Type a program to trace it.',
  statusOk: (program: string) => `Traced ${program}.`,
  stale: 'The trace below is of the last program that could be traced.',
  traceHeading: 'Step through it',
  tablesHeading: 'The terminal view',
  reverseHeading: 'Reverse mode (backpropagation)',
  forwardHeading: 'Forward mode (a tangent pass per input)',
  checkHeading: 'Check your work',
  checkIntro:
    'Paste your derivatives, one claim per line (dL/dw = -2), or a whole written trace (Markdown, LaTeX or plain text): each is marked right or wrong, with where a slip was made.',
  checkLabel: 'Your work',
  checkKind: 'What it is',
  claimsKind: 'claims, one per line',
  writtenKind: 'a written trace',
  checkButton: 'Check it',
  quizHeading: 'Quiz yourself',
  quizIntro: 'Each step is asked before it is shown, as backprop-tutor quiz asks it: a number or a formula, Enter on an empty line for a hint, q to stop.',
  quizStart: 'Start the quiz',
  quizAnswer: 'Your answer',
  quizSend: 'Answer',
  quizEnded: 'The quiz ended: the program or its values changed.',
  internal: (message: string) => `backprop-tutor: internal error in the playground: ${message}; please report it with the link of this page`,
  /** A run of the command line inside the page may not read or write files. */
  noFiles: 'the playground reads no files: paste the text into a box instead',
  already: 'this is the playground: backprop-tutor playground -o FILE writes it from a terminal',
  noStdin: 'the playground has no standard input: type the program into the Program box',
  refused: (option: string) => `${option} has no place in the playground: the page shows every face itself`,
  panelOption: (option: string) =>
    `${option} has no place in the values box: the Check your work and Quiz yourself panels below take claims, traces and answers`,
  unclosedQuote: (quote: string, column: number) => `the values box: the ${quote} at column ${column} is not closed`,
  linkTooLong: (length: number, limit: number) =>
    `this link is ${length.toLocaleString('en-US')} characters long after #; a shared link holds at most ${limit.toLocaleString('en-US')}, so its program cannot be read from it`,
  tooLongToShare: (limit: number) => `The address holds no link to this program: it would be longer than ${limit.toLocaleString('en-US')} characters.`,
  valuesPositional: (word: string) =>
    `the values box holds --NAME VALUE pairs and options; "${word.slice(0, 40)}" is neither (the program goes in the Program box, a value after its --NAME)`,
  symbolic:
    'A program in symbols (--shape) has no forward mode here: tangents are numbers. Its formulas are in the terminal view and the stepping view; give each tensor a value instead of a shape for tangents.',
  checkEmpty: 'Paste your claims (one per line, as dL/dw = -2) or your written trace into the box first.',
  command: 'As the terminal prints it:',
  linkNotEncoded: (part: string) => `this link cannot be read: "${part.slice(0, 40)}" is not percent-encoded (write % as %25)`,
  linkTwice: (key: string) => `this link cannot be read: ${key} is given twice`,
  linkStep: (value: string) => `this link cannot be read: step=${value.slice(0, 20)} is not a step number (1, 2, …)`,
  linkKey: (key: string) => `this link cannot be read: ${key.slice(0, 40)} is not a variable name (a variable named p, step or v is written @p, @step, @v)`,
  linkNoProgram: 'this link cannot be read: it has no p=PROGRAM',
  linkBoth: 'this link cannot be read: it gives the values both as v= and by name',
}

/** The student's chain worked out with their own values of its factors: right, but for the factors that slipped. */
function chainedVerdict({ trace, named }: Judged, results: ClaimResult[], diagnosis: Extract<Diagnosis, { kind: 'chained' }>): Phrase {
  const slipped = diagnosis.factors.filter((i) => !results[i]!.right)
  const phrase: Phrase = [
    `Your number is your chain of ${named(diagnosis.chain)} with your own values of its factors: `,
    ...joinCells(
      diagnosis.factors.map((i) => factor(results[i]!.claimed)),
      ' · ',
    ),
    `. The chain rule is right; the slip is in ${slipped.length === 2 ? namedPair(named, slipped[0]!, slipped[1]!) : slipped.map(named).join(', ')}`,
  ]
  for (const i of slipped) phrase.push(': ', claimMeaning(trace, results[i]!), ' is ', value(results[i]!.truth), ', not ', value(results[i]!.claimed))
  return [...phrase, '.']
}

/**
 * A chain of derivatives that does not run from the claim's own node to its own variable, or skips
 * a link: the numbers may agree by chance (every local derivative 1), the chain rule does not.
 */
function chainVerdict(trace: Trace, r: ClaimResult, diagnosis: Extract<Diagnosis, { kind: 'chain' }>): Phrase[] {
  const factors = r.chain!.factors
  const label = (i: number) => trace.nodes[i]!.label
  // The k-th factor of the chain, taken from the output down.
  const written = (k: number): Cell => name(factors[diagnosis.order[k]!]!.written)
  const lines: Phrase[] = []
  const last = factors.length - 1
  if (diagnosis.badEnd)
    lines.push([
      'Your chain ends with ',
      written(last),
      `, so it runs down to ${label(diagnosis.to)}: it is `,
      grad(label(r.of), label(diagnosis.to)),
      ', not ',
      claimMeaning(trace, r),
      '.',
    ])
  if (diagnosis.badStart) lines.push(['Your chain starts with ', written(0), `, so it starts at ${label(diagnosis.from)}, not at ${label(r.of)}.`])
  for (const [k, gap] of diagnosis.gaps) {
    lines.push(['A link is missing between ', written(k), ' and ', written(k + 1), ': ', grad(label(gap[0]), label(gap[1])), ' = ', value(gap[2]), '.'])
  }
  lines.push(['Each factor of a chain is taken with respect to the node the next one starts from, from the output down to the variable.'])
  return lines
}
