// check on a tensor program: claims about a whole gradient (dL/dW = [1, 2; 3, 4]) or one entry
// (dL/dW[1, 2] = 0.5), judged entry by entry, and for a wrong one what the slip most likely was: a
// gradient not shaped like its variable (often the transpose of the right one), a bias's gradient
// not summed over the batch, one contribution of several, or a right step from a wrong claim above.
import { InputError } from '../errors.js'
import { buildTensorGraph } from './graph.js'
import { backward, edgeRule, forwardValues, type TensorEdge, type TensorTrace } from './trace.js'
import { mulberry32 } from '../random.js'
import { nudged } from './random.js'
import { TENSOR_OPS } from './ops.js'
import { conventionsByEntry } from './flags.js'
import { UNDEFINED_ANSWER } from '../modes/claims.js'
import { broadcastAxes, broadcastShapes, indexOf, offsetOf, sameShape, shapeText, tensor, transposeOf, unbroadcast, type Tensor } from './tensor.js'

export interface TensorClaim {
  text: string
  /** The node whose gradient is claimed, and the entry when one is named. */
  node: number
  index?: number[]
  claimed: Tensor
  /** The value as an expression: its text with the gradients it names as d$z, and their values. */
  expression?: { written: string; gradients: Map<string, Tensor> }
  /** "undefined" written for the value (claimed NaN), as the quiz takes it at a kink. */
  undefined?: true
}

export type TensorDiagnosis =
  | { kind: 'shape'; transposed: boolean }
  | { kind: 'unsummed'; from: number }
  | { kind: 'one-contribution'; via: number; count: number }
  /**
   * A fan-out sum with contributions left out: `left` are the consumers of the ones left out, or
   * empty where equal contributions (x .* x .* x) leave which ones untold; `count` are left out.
   */
  | { kind: 'missing'; left: number[]; count: number; of: number; equal?: true }
  | { kind: 'follows'; from: number }
  | { kind: 'entries'; wrong: number[][]; of: number }
  /** Every entry `by` times the right one (not 1, not -1: those are right or a sign slip). */
  | { kind: 'scaled'; by: number }
  /** Every entry the student's own wrong seed ∂L/∂L times the right one: the steps after the seed are right. */
  | { kind: 'from-seed'; seed: number }
  /** The rule's own factor written for the gradient (X' for ∂L/∂W of W·X): the upstream through `via` left out. */
  | { kind: 'no-upstream'; via: number }
  /** An expression that gives the right numbers at these values only: with the variables moved it no longer agrees. */
  | { kind: 'here-only' }
  /** ∂L/∂L written as anything but 1. */
  | { kind: 'seed' }
  /** Every entry right but for its sign (the whole gradient, or the one entry claimed). */
  | { kind: 'sign' }
  /** A square gradient transposed: shaped right, and the transpose of the right one. */
  | { kind: 'transposed' }
  /** A convolution's input gradient with the kernel not flipped (through the convolution `via`). */
  | { kind: 'unflipped'; via: number; alsoSign?: boolean }
  /** The student's expression is right with one transpose added (`added`) or taken away: `fixed` is it so, as typed. */
  | { kind: 'untransposed'; name: string; added: boolean; from?: string; fixed: string }
  /** The student's matrix product is right with two of its factors swapped (X'*G for G*X'): `fixed` is it so, as typed. */
  | { kind: 'reordered'; fixed: string }
  /** The student's sum or mean is right along the other axis (sum(G, 2) for a bias added to every row, sum(G, 1)). */
  | { kind: 'axis'; fixed: string }

export interface TensorClaimResult {
  text: string
  /** Undefined when the claim could not be read (`unreadable` says why). */
  claim?: TensorClaim
  unreadable?: string
  /** A claim whose expression reads but does not fit together (x'·∂L/∂z, factors in the wrong order): the gradient it is about, and why. */
  unfit?: { node: number; why: string }
  truth?: Tensor
  right: boolean
  diagnosis?: TensorDiagnosis
}

const CLAIM = /^\s*(?:d|∂)\s*([\p{L}_$][\p{L}\p{N}_$#]*)\s*\/\s*(?:d|∂)\s*([\p{L}_$][\p{L}\p{N}_$#]*)\s*(?:\[\s*(\d+)\s*(?:,\s*(\d+)\s*)?\])?\s*=\s*(.+)$/u

/** Reads one claim; a claim that cannot be read throws InputError with the reason. */
export function parseTensorClaim(trace: TensorTrace, text: string): TensorClaim {
  const match = CLAIM.exec(text)
  if (!match) throw new InputError(`expected dL/dW = VALUE or dL/dW[i, j] = VALUE`)
  const [, of, wrt, i, j, valueText] = match
  if (valueText!.trim() === '') throw new InputError('the value after = is empty')
  const out = trace.nodes[trace.output]!.label
  if (of !== out) throw new InputError(`${of} is not the output; claims are about ∂${out}/∂ a node`)
  const node = trace.nodes.findIndex((n) => n.label === wrt && n.kind !== 'constant')
  if (node < 0) {
    // A name assigned at each step of a loop (h): its steps are h#1, h#2, …, as the trace names them.
    const steps = trace.nodes.filter((n) => n.assigned === wrt).map((n) => n.label)
    if (steps.length > 1)
      throw new InputError(
        `${wrt} is assigned ${steps.length} times (${steps[0]} … ${steps.at(-1)}, as the trace names them): name one, as in d${out}/d${steps.at(-1)}`,
      )
    throw new InputError(`${wrt} is not a node of the program (its variables: ${trace.gradients.map((g) => g.name).join(', ')})`)
  }
  if (trace.grads[node] === undefined) throw new InputError(`${wrt} does not reach ${out}, so it has no gradient to claim`)
  const shape = trace.nodes[node]!.value!.shape
  const index = [i, j].filter((x) => x !== undefined).map((x) => Number(x) - 1)
  if (index.length > 0) {
    if (index.length !== shape.length)
      throw new InputError(`${wrt} is ${shapeText(shape)}: it takes ${shape.length} ${shape.length === 1 ? 'index' : 'indexes'}, not ${index.length}`)
    const bad = index.findIndex((x, k) => x < 0 || x >= shape[k]!)
    if (bad >= 0) throw new InputError(`index ${index[bad]! + 1} is outside 1 to ${shape[bad]}`)
  }
  if (UNDEFINED_ANSWER.test(valueText!)) {
    const claimed = index.length ? tensor([], [NaN]) : tensor(shape, new Float64Array(trace.grads[node]!.data.length).fill(NaN))
    return { text, node, ...(index.length ? { index } : {}), claimed, undefined: true }
  }
  // Another gradient of the output inside the value (dL/dz * x', as students write the chain) stands for its value.
  const gradients = new Map<string, Tensor>()
  // ∞ and inf as the tutor's Infinity (∞ is no name; inf is one only where the program has it).
  const infinity = trace.nodes.some((n) => n.label === 'inf') ? /∞/g : /∞|\binf\b/gi
  const written = valueText!.replace(infinity, 'Infinity').replace(GRADIENT, (whole, name: string) => {
    const at = trace.nodes.findIndex((n) => n.label === name && n.kind !== 'constant')
    if (at < 0 || trace.grads[at] === undefined)
      throw new InputError(`${whole.trim()}: ${name} ${at < 0 ? 'is not a node of the program' : `does not reach ${out}`}`)
    gradients.set(`d$${name}`, trace.grads[at]!)
    return `d$${name}`
  })
  try {
    // An expression has names (Infinity and NaN, as the tutor prints them, are numbers).
    const expression = /[\p{L}_$]/u.test(written.replace(/\b(?:Infinity|NaN)\b/g, '')) ? { expression: { written, gradients } } : {}
    // g, the quiz's name for the gradient arriving at an operation, is no node here: say how a claim names it.
    const consumer = trace.nodes[trace.edges.find((e) => e.input === node)?.consumer ?? trace.output]!.label
    const upstream = ` (a claim names the gradient arriving at an operation as a gradient of ${out}, as in d${out}/d${consumer}, where the quiz writes g)`
    return {
      text,
      node,
      ...(index.length ? { index } : {}),
      claimed: valueIn(trace, written, gradients, /(?<![\p{L}\p{N}_$])g(?![\p{L}\p{N}_$])/u.test(written) ? upstream : ''),
      ...expression,
    }
  } catch (error) {
    // "undefined" inside a literal is no number: it stands for a whole gradient or one entry.
    if (error instanceof InputError && /\bundefined\b/.test(valueText!))
      throw new InputError(`undefined stands for a whole gradient or one entry (d${out}/d${wrt}[1] = undefined), not for an entry inside a value`)
    if (error instanceof InputError && / is | has /.test(error.message) && !/not a node/.test(error.message)) {
      // The gradients named back as the trace writes them; inside a suggestion, as the student types them.
      // A shape error's "did you mean" fixes the product's fit, not the claim: kept only where it gives the right gradient.
      const why = error.message
        .replace(/ \(did you mean ([^)]*(?:\([^)]*\)[^)]*)*)\?\)/gu, (hint, fix: string) =>
          fits(trace, fix, gradients, trace.grads[node]!, index) ? hint.replace(/d\$([\p{L}_$][\p{L}\p{N}_$#]*)/gu, `d${out}/d$1`) : '',
        )
        .replace(/d\$([\p{L}_$][\p{L}\p{N}_$#]*)/gu, `∂${out}/∂$1`)
      // Where the kept suggestion is the fix, it is not said twice.
      throw new UnfitClaim(node, why.includes('did you mean') ? why : why + fixedBy(trace, { written, gradients }, trace.grads[node]!, index))
    }
    throw error
  }
}

/** For an expression whose shapes do not fit: the one transpose, or the swap of two factors, that makes it right, said; '' where none does. */
function fixedBy(trace: TensorTrace, expression: { written: string; gradients: Map<string, Tensor> }, grad: Tensor, index: number[]): string {
  if (index.length) return ''
  const transpose = untransposed(trace, expression, grad, 1e-9)
  if (transpose)
    return ` (right with ${transpose.from ? `the transpose on ${transpose.name} rather than ${transpose.from}` : transpose.added ? `${transpose.name} transposed` : `the transpose of ${transpose.name} taken away`}: ${transpose.fixed})`
  const order = reordered(trace, expression, grad, 1e-9)
  return order ? ` (right with its factors in the other order: ${order.fixed})` : ''
}

/** Whether a suggested expression gives the claimed gradient (or the claimed entry of it). */
function fits(trace: TensorTrace, text: string, gradients: Map<string, Tensor>, grad: Tensor, index: number[]): boolean {
  try {
    const value = valueIn(trace, text, gradients)
    return agrees(value, index.length ? tensor([], [grad.data[offsetOf(grad.shape, index)]!]) : grad, 1e-9)
  } catch (error) {
    if (error instanceof InputError) return false
    throw error
  }
}

/** A gradient written inside a claim's value: dL/dz, ∂L/∂z (the output's gradient with respect to a node). */
const GRADIENT = /(?:d|∂)\s*[\p{L}_$][\p{L}\p{N}_$#]*\s*\/\s*(?:d|∂)\s*([\p{L}_$][\p{L}\p{N}_$#]*)/gu

/** A claim whose expression does not fit together (its shapes), about the gradient of `node`. */
class UnfitClaim extends Error {
  constructor(
    readonly node: number,
    readonly why: string,
  ) {
    super(why)
  }
}

/**
 * An expression typed by the student (a claim's value, a quiz answer) in the nodes' values (x', 2*t1),
 * names in `values` standing for what they hold instead; `hint` ends the message for a name it does not know.
 */
export function valueIn(trace: TensorTrace, text: string, values: Map<string, Tensor> = new Map(), hint = ''): Tensor {
  // A loop step's name (h#2) as mathjs can read it (# starts a comment there): h$2, read back below.
  const graph = buildTensorGraph(text.replace(/([\p{L}_$][\p{L}\p{N}_$]*)#(\d+)/gu, '$1$$$2'), { seed: 0, inline: true })
  for (const v of graph.variables) {
    const written = graph.nodes[v]!.label
    const stepped = written.replace(/\$(\d+)$/, '#$1')
    const find = (name: string) => values.get(name) ?? trace.nodes.find((n) => n.label === name)?.value
    const name = find(written) === undefined && find(stepped) !== undefined ? stepped : written
    graph.nodes[v]!.label = name
    const value = find(name)
    if (!value) throw new InputError(`${name} is not a node of the program${hint}`)
    graph.nodes[v]!.value = value
  }
  forwardValues(graph)
  return graph.nodes[graph.output]!.value!
}

// Infinity and NaN agree only with themselves, and an infinite entry sets no scale for the others.
const close = (a: number, b: number, tolerance: number, scale: number) =>
  Number.isFinite(a) && Number.isFinite(b)
    ? Math.abs(a - b) <= tolerance * Math.max(Math.abs(b), scale)
    : Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b))

/** Entry by entry within the tolerance, relative to the larger of the entry and the tensor's largest entry / 100. */
export function agrees(claimed: Tensor, truth: Tensor, tolerance: number): boolean {
  if (!sameShape(claimed.shape, truth.shape)) return false
  const scale = entryScale(truth)
  return claimed.data.every((x, i) => close(x, truth.data[i]!, tolerance, scale))
}

/** A hundredth of the tensor's largest finite entry: the size below which an entry's error is measured against it. */
function entryScale(t: Tensor): number {
  let largest = 0
  for (const x of t.data) if (Number.isFinite(x)) largest = Math.max(largest, Math.abs(x))
  return largest / 100
}

/**
 * `columns` (check --shape, where a vector is a column): an n×1 matrix claimed for a vector's
 * gradient is read as that vector, as the symbolic formulas write it.
 */
export function checkTensorClaims(trace: TensorTrace, lines: string[], tolerance: number, { columns = false } = {}): TensorClaimResult[] {
  const fit = (claimed: Tensor, truth: Tensor) => (columns ? asColumnOf(claimed, truth) : claimed)
  const results: TensorClaimResult[] = []
  for (const text of lines) {
    let claim: TensorClaim
    try {
      claim = parseTensorClaim(trace, text)
    } catch (error) {
      if (error instanceof UnfitClaim) {
        results.push({ text, unfit: { node: error.node, why: error.why }, right: false })
        continue
      }
      if (!(error instanceof InputError)) throw error
      results.push({ text, unreadable: error.message, right: false })
      continue
    }
    const grad = trace.grads[claim.node]!
    const truth = claim.index ? tensor([], [grad.data[offsetOf(grad.shape, claim.index)]!]) : grad
    if (claim.undefined) {
      // Right where every entry claimed rests on a rule taken by convention at a kink or tie.
      const kinked = conventionsByEntry(trace, claim.node).map((flags) => flags.some((f) => f.kind === 'non-differentiable'))
      const right = claim.index ? kinked[offsetOf(grad.shape, claim.index)]! : kinked.every(Boolean)
      results.push({ text, claim, truth, right })
      continue
    }
    // One number for a whole tensor stands for every entry, as in the quiz (dL/dx = 0 for a relu at rest).
    if (claim.claimed.shape.length === 0 && truth.shape.length > 0)
      claim = { ...claim, claimed: tensor(truth.shape, new Float64Array(truth.data.length).fill(claim.claimed.data[0]!)) }
    claim = { ...claim, claimed: fit(claim.claimed, truth) }
    // A formula right here must be right as a formula: judged again with the variables moved (Z*X for Z*X' is right at a symmetric X).
    const here = agrees(claim.claimed, truth, tolerance)
    const slip = here && claim.expression && !claim.index ? rightHereOnly(trace, claim, tolerance, fit) : false
    const right = here && !slip
    const diagnosis = slip ? ({ kind: 'here-only' } as const) : right ? undefined : diagnose(trace, claim, truth, results, tolerance)
    results.push({ text, claim, truth, right, ...(diagnosis ? { diagnosis } : {}) })
  }
  return results
}

/** An n×1 matrix as the vector of n entries it is in symbols, where the truth is that vector. */
function asColumnOf(claimed: Tensor, truth: Tensor): Tensor {
  const [n, one] = claimed.shape
  return truth.shape.length === 1 && claimed.shape.length === 2 && one === 1 && n === truth.shape[0] ? tensor(truth.shape, claimed.data) : claimed
}

/** The one factor k with claimed = k · truth at every entry (some entry nonzero), if there is one other than 1 and -1. */
function commonScale(claimed: Tensor, truth: Tensor, tolerance: number): number | undefined {
  if (!sameShape(claimed.shape, truth.shape)) return undefined
  const at = truth.data.findIndex((t) => Number.isFinite(t) && t !== 0)
  if (at < 0 || !claimed.data.every(Number.isFinite)) return undefined
  const k = claimed.data[at]! / truth.data[at]!
  if (!Number.isFinite(k) || k === 0 || Math.abs(Math.abs(k) - 1) <= 1e-6) return undefined
  return agrees(
    claimed,
    tensor(
      truth.shape,
      truth.data.map((t) => k * t),
    ),
    tolerance,
  )
    ? k
    : undefined
}

/** An expression as a key to compare typed forms by: no spaces, * for .* and ·, ' for ᵀ, .^2 for ². */
const typedKey = (text: string) =>
  text
    .replace(/\s+/g, '')
    .replace(/ᵀ/g, "'")
    .replace(/²/g, '.^2')
    .replace(/³/g, '.^3')
    .replace(/[·⊙]|\.\*/g, '*')
    .replace(/\.\^/g, '^')

/** A rule's own factor, ḡ taken out of its product (ḡ·xᵀ → x', ḡ ⊙ 2·z → 2*z), as a typed key; undefined for a rule in words. */
function ruleWithoutUpstream(formula: string): string | undefined {
  if (/[‹⟪]/.test(formula)) return undefined
  const factor = /^ḡ\s*[·⊙]\s*(.+)$/.exec(formula)?.[1] ?? /^(.+?)\s*[·⊙]\s*ḡ$/.exec(formula)?.[1]
  return factor === undefined || factor.includes('ḡ') ? undefined : typedKey(factor.replace(/^\((.*)\)$/, '$1'))
}

/**
 * Whether a claim's expression, right at the traced values, is wrong at two other points: every
 * variable's entries scaled and shifted a little (seeded, so the verdict is the same every run),
 * the forward and backward passes run again, the expression read with the values and gradients there.
 */
function rightHereOnly(trace: TensorTrace, claim: TensorClaim, tolerance: number, fit: (claimed: Tensor, truth: Tensor) => Tensor): boolean {
  const { written, gradients } = claim.expression!
  for (const seed of [1, 2]) {
    const next = mulberry32(seed * 7919 + claim.node)
    const nodes = trace.nodes.map((n) => ({ ...n }))
    for (const v of trace.variables) nodes[v]!.value = nudged(nodes[v]!.value!, next)
    const graph = { ...trace, nodes }
    try {
      forwardValues(graph)
      const { grads } = backward(graph)
      const moved = { ...trace, nodes, grads } as TensorTrace
      const there = new Map([...gradients.keys()].map((name) => [name, grads[trace.nodes.findIndex((n) => n.label === name.slice(2))]!]))
      const truth = grads[claim.node]
      if (!truth || [...there.values()].some((g) => g === undefined) || !truth.data.every(Number.isFinite)) continue
      if (!agrees(fit(valueIn(moved, written, there), truth), truth, tolerance)) return true
    } catch (error) {
      if (error instanceof InputError) continue
      throw error
    }
  }
  return false
}

/**
 * The student's expression with one transpose added after a name (Z*X for Z*X') or one taken away,
 * when exactly one such change makes it right: the slip of a product's rule with an operand not
 * transposed (or transposed twice).
 */
function untransposed(trace: TensorTrace, { written, gradients }: { written: string; gradients: Map<string, Tensor> }, truth: Tensor, tolerance: number) {
  const out = trace.nodes[trace.output]!.label
  const typed = (text: string) => text.replace(/d\$([\p{L}_$][\p{L}\p{N}_$#]*)/gu, `d${out}/d$1`)
  const shown = (name: string) => (name.startsWith('d$') ? `∂${out}/∂${name.slice(2)}` : name)
  const variants: { name: string; added: boolean; text: string; from?: string }[] = []
  // Names that are values (not calls, not the Infinity literal), each with and without a transpose after it.
  const uses: { name: string; nameEnd: number; end: number; transposed: boolean }[] = []
  for (const m of written.matchAll(/(?<![\p{L}\p{N}_$#.])([\p{L}_$][\p{L}\p{N}_$#]*)(?!\s*\()(\s*')?/gu)) {
    if (m[1] === 'Infinity' || m[1] === 'NaN' || uses.length >= 12) continue
    uses.push({ name: m[1]!, nameEnd: m.index + m[1]!.length, end: m.index + m[0].length, transposed: Boolean(m[2]) })
  }
  // Each edit as (from, to, text) on the written expression, applied from the end so positions hold.
  const edited = (edits: [number, number, string][]) =>
    edits.sort((a, b) => b[0] - a[0]).reduce((text, [from, to, put]) => text.slice(0, from) + put + text.slice(to), written)
  const toggle = (u: (typeof uses)[number]): [number, number, string] => (u.transposed ? [u.nameEnd, u.end, ''] : [u.end, u.end, "'"])
  for (const u of uses) variants.push({ name: u.name, added: !u.transposed, text: edited([toggle(u)]) })
  // The transpose on the wrong factor (Z'*X for Z*X'): taken from one name and put on another.
  for (const a of uses.filter((u) => u.transposed))
    for (const b of uses.filter((u) => !u.transposed && u !== a))
      variants.push({ name: b.name, added: true, from: a.name, text: edited([toggle(a), toggle(b)]) })
  const single = (v: (typeof variants)[number]) => {
    try {
      return agrees(valueIn(trace, v.text, gradients), truth, tolerance)
    } catch (error) {
      if (error instanceof InputError) return false
      throw error
    }
  }
  // One change if one fits; a moved transpose only where no single change does.
  const ones = variants.filter((v) => !v.from && single(v))
  const fits = ones.length ? ones : variants.filter((v) => v.from && single(v))
  if (fits.length !== 1) return undefined
  const [fit] = fits
  return {
    kind: 'untransposed' as const,
    name: shown(fit!.name),
    added: fit!.added,
    ...(fit!.from ? { from: shown(fit!.from) } : {}),
    fixed: typed(fit!.text),
  }
}

/** The student's expression with one sum's or mean's axis changed (1 ↔ 2), when exactly one such change makes it right. */
function otherAxis(trace: TensorTrace, { written, gradients }: { written: string; gradients: Map<string, Tensor> }, truth: Tensor, tolerance: number) {
  const out = trace.nodes[trace.output]!.label
  const fits: string[] = []
  for (const m of written.matchAll(/\b(?:sum|mean)\s*\((?:[^()]|\([^()]*\))*?,\s*([12])\s*\)/g)) {
    const at = m.index + m[0].lastIndexOf(m[1]!)
    const text = `${written.slice(0, at)}${m[1] === '1' ? '2' : '1'}${written.slice(at + 1)}`
    try {
      if (agrees(valueIn(trace, text, gradients), truth, tolerance)) fits.push(text)
    } catch (error) {
      if (!(error instanceof InputError)) throw error
    }
  }
  if (fits.length !== 1) return undefined
  return { kind: 'axis' as const, fixed: fits[0]!.replace(/d\$([\p{L}_$][\p{L}\p{N}_$#]*)/gu, `d${out}/d$1`) }
}

/** The top-level pieces of an expression between `at` separators (outside brackets), with where each starts. */
function topLevel(text: string, at: (text: string, i: number) => boolean): { from: number; to: number }[] {
  const pieces: { from: number; to: number }[] = []
  let [depth, from] = [0, 0]
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (c === '(' || c === '[') depth++
    else if (c === ')' || c === ']') depth--
    else if (depth === 0 && at(text, i)) {
      pieces.push({ from, to: i })
      from = i + 1
    }
  }
  pieces.push({ from, to: text.length })
  return pieces
}

/** A binary + or − (after an operand, not a sign or an exponent's). */
const isTerm = (text: string, i: number) =>
  (text[i] === '+' || text[i] === '-') && /[\p{L}\p{N}_$#)\]']\s*$/u.test(text.slice(0, i)) && !/\d[eE]$/.test(text.slice(0, i))
/** A matrix product's * (not .*). */
const isProduct = (text: string, i: number) => text[i] === '*' && text[i - 1] !== '.'

/**
 * The student's expression with two neighbouring factors of one matrix product swapped, when
 * exactly one such swap makes it right: the slip of writing a product's rule in the wrong order,
 * which shapes do not catch when the matrices are square.
 */
function reordered(trace: TensorTrace, { written, gradients }: { written: string; gradients: Map<string, Tensor> }, truth: Tensor, tolerance: number) {
  const out = trace.nodes[trace.output]!.label
  const fits: string[] = []
  for (const term of topLevel(written, isTerm)) {
    const factors = topLevel(written.slice(term.from, term.to), isProduct).map((f) => ({ from: f.from + term.from, to: f.to + term.from }))
    for (let k = 0; k + 1 < factors.length && fits.length < 2; k++) {
      const [a, b] = [factors[k]!, factors[k + 1]!]
      // Each factor's own spacing stays where it was: only the two factors' texts change places.
      const [pa, pb] = [/^(\s*)(.*?)(\s*)$/s.exec(written.slice(a.from, a.to))!, /^(\s*)(.*?)(\s*)$/s.exec(written.slice(b.from, b.to))!]
      const text = `${written.slice(0, a.from)}${pa[1]}${pb[2]}${pa[3]}*${pb[1]}${pa[2]}${pb[3]}${written.slice(b.to)}`
      try {
        if (agrees(valueIn(trace, text, gradients), truth, tolerance)) fits.push(text)
      } catch (error) {
        if (!(error instanceof InputError)) throw error
      }
    }
  }
  if (fits.length !== 1) return undefined
  return { kind: 'reordered' as const, fixed: fits[0]!.replace(/d\$([\p{L}_$][\p{L}\p{N}_$#]*)/gu, `d${out}/d$1`) }
}

/**
 * The convolution whose input rule, taken with the kernel as it is rather than flipped, gives the
 * claimed gradient (the textbook slip: the full convolution needs flip(k)); undefined if none does.
 */
function unflipped(trace: TensorTrace, edges: TensorEdge[], claimed: Tensor, truth: Tensor, tolerance: number): number | undefined {
  for (const edge of edges) {
    const consumer = trace.nodes[edge.consumer]!
    if ((consumer.op !== 'conv1d' && consumer.op !== 'conv2d') || edge.slot !== 0) continue
    const [x, k] = consumer.inputs.map((i) => trace.nodes[i]!.value!)
    const flipped = tensor(k!.shape, k!.data.slice().reverse())
    const rule = TENSOR_OPS[consumer.op].inputs(consumer.params)[0]!
    const slip = rule.vjp(trace.grads[edge.consumer]!, [x!, flipped], consumer.value!, consumer.params)
    const alt = tensor(
      truth.shape,
      truth.data.map((t, i) => t - edge.contribution.data[i]! + slip.data[i]!),
    )
    if (!agrees(alt, truth, tolerance) && agrees(claimed, alt, tolerance)) return edge.consumer
  }
  return undefined
}

/** Fan-out sums this size or smaller are searched for the contributions a claim leaves out (2¹² subsets). */
const MAX_FANOUT_SEARCH = 12

/**
 * The contributions a claimed gradient leaves out of its fan-out sum, the fewest that fit, as the
 * scalar check finds them: named where one set of consumers fits, counted where equal ones do.
 */
function leftOut(all: TensorEdge[], claimed: Tensor, at: (t: Tensor) => Tensor, tolerance: number): TensorDiagnosis | undefined {
  // A contribution of 0 (a loop's first step from h#0 = 0) is neither kept nor left out: it would double every fit.
  const edges = all.filter((e) => at(e.contribution).data.some((x) => x !== 0))
  if (edges.length < 2 || edges.length > MAX_FANOUT_SEARCH) return undefined
  const parts = edges.map((e) => at(e.contribution))
  const fits: number[] = []
  for (let mask = 1; mask < (1 << edges.length) - 1; mask++) {
    const sum = tensor(
      claimed.shape,
      claimed.data.map((_, i) => parts.reduce((s, p, k) => (mask & (1 << k) ? s + p.data[i]! : s), 0)),
    )
    if (agrees(claimed, sum, tolerance)) fits.push(mask)
  }
  if (fits.length === 0) return undefined
  const count = (mask: number) => edges.filter((_, k) => !(mask & (1 << k))).length
  const fewest = Math.min(...fits.map(count))
  const best = fits.filter((mask) => count(mask) === fewest)
  // Sets that leave out the same consumers' terms (either use of x in x .* x) tell the same story.
  const through = (mask: number) => edges.flatMap((e, k) => (mask & (1 << k) ? [] : [e.consumer])).sort((a, b) => a - b)
  const first = through(best[0]!)
  const told = best.every((mask) => through(mask).join() === first.join())
  const kept = edges.length - fewest
  if (told && kept === 1) return { kind: 'one-contribution', via: edges.find((_, k) => best[0]! & (1 << k))!.consumer, count: all.length }
  if (told) return { kind: 'missing', left: [...new Set(first)], count: fewest, of: all.length }
  const equal = parts.every((p) => agrees(p, parts[0]!, tolerance))
  return { kind: 'missing', left: [], count: fewest, of: edges.length, ...(equal ? { equal: true as const } : {}) }
}

/** A claimed gradient not shaped like its variable: the transpose of the right one, a bias's gradient not summed over its copies, or just the wrong shape. */
function shapeDiagnosis(trace: TensorTrace, claimed: Tensor, truth: Tensor, edges: TensorEdge[], tolerance: number): TensorDiagnosis {
  if (claimed.shape.length === 2 && agrees(transposeOf(claimed), truth, tolerance)) return { kind: 'shape', transposed: true }
  // A 1×n row for a vector's gradient (∂L/∂zᵀ·W, the row a textbook's numerator layout writes): the transpose too.
  const row = claimed.shape.length === 2 && claimed.shape[0] === 1 && truth.shape.length === 1
  if (row && agrees(tensor(truth.shape, claimed.data), truth, tolerance)) return { kind: 'shape', transposed: true }
  // A broadcast input's gradient before the broadcast is undone (a bias's, one row per example).
  for (const edge of edges) {
    // Only an entry-by-entry operation broadcasts its inputs (a bias added to every row).
    const consumer = trace.nodes[edge.consumer]!
    const out = consumer.value!.shape
    const broadcast = consumer.op === 'elementwise' && sameShape(broadcastShapes(truth.shape, out) ?? [], out) && broadcastAxes(truth.shape, out).length > 0
    if (broadcast && sameShape(claimed.shape, out) && agrees(unbroadcast(claimed, truth.shape), truth, tolerance))
      return { kind: 'unsummed', from: edge.consumer }
  }
  return { kind: 'shape', transposed: false }
}

function diagnose(trace: TensorTrace, claim: TensorClaim, truth: Tensor, earlier: TensorClaimResult[], tolerance: number): TensorDiagnosis {
  const { claimed } = claim
  if (claim.node === trace.output) return { kind: 'seed' }
  const edges = trace.edges.filter((e) => e.input === claim.node)
  if (!claim.index && !sameShape(claimed.shape, truth.shape)) return shapeDiagnosis(trace, claimed, truth, edges, tolerance)
  const at = (t: Tensor) => (claim.index ? tensor([], [t.data[offsetOf(t.shape, claim.index)]!]) : t)
  if (!claim.index && claimed.shape.length === 2 && agrees(transposeOf(claimed), truth, tolerance)) return { kind: 'transposed' }
  const signFlipped =
    truth.data.some((x) => x !== 0) &&
    agrees(
      tensor(
        claimed.shape,
        claimed.data.map((x) => -x),
      ),
      truth,
      tolerance,
    )
  if (!claim.index) {
    const via = unflipped(trace, edges, claimed, truth, tolerance)
    // A kernel with flip(k) = -k (such as [1, -1]) makes the unflipped rule minus the right one too: both are said.
    if (via !== undefined) return { kind: 'unflipped', via, ...(signFlipped ? { alsoSign: true } : {}) }
  }
  if (signFlipped) return { kind: 'sign' }
  // The other axis before a transpose: sum(G', 2) is sum(G, 1) too, but the slip is the axis.
  const axis = !claim.index && claim.expression ? otherAxis(trace, claim.expression, truth, tolerance) : undefined
  if (axis) return axis
  const transpose = !claim.index && claim.expression ? untransposed(trace, claim.expression, truth, tolerance) : undefined
  if (transpose) return transpose
  const order = !claim.index && claim.expression ? reordered(trace, claim.expression, truth, tolerance) : undefined
  if (order) return order
  const missing = edges.length > 1 ? leftOut(edges, claimed, at, tolerance) : undefined
  if (missing) return missing
  // The rule's own factor written for the gradient (after a contribution, which explains the numbers too).
  const bare = !claim.index && claim.expression ? edges.find((e) => ruleWithoutUpstream(e.formula) === typedKey(claim.expression!.written)) : undefined
  if (bare) return { kind: 'no-upstream', via: bare.consumer }
  // Every entry the same multiple of the right one: a wrong seed carried down, or a factor (2, 1/n) slipped in or out.
  const factor = commonScale(claimed, truth, tolerance)
  if (factor !== undefined) {
    const seed = earlier.find((r) => r.claim && !r.right && r.claim.node === trace.output && agrees(tensor([], [factor]), r.claim.claimed, tolerance))
    if (seed) return { kind: 'from-seed', seed: seed.claim!.claimed.data[0]! }
    // Only a factor a slip makes (2, 1/2, n, 1/n), and only where the entries differ: any number is a multiple of one.
    const simple = [2, 3, 4, 5, 6, 8, 10, 16].some((n) => Math.abs(Math.abs(factor) - n) < 1e-9 * n || Math.abs(Math.abs(factor) - 1 / n) < 1e-9 / n)
    if (simple && new Set(truth.data).size > 1) return { kind: 'scaled', by: factor }
  }
  // A right step from a wrong claim above: the rule applied to the student's own upstream.
  if (!claim.index && edges.length === 1) {
    const edge = edges[0]!
    const above = earlier.find(
      (r) => r.claim && !r.right && !r.claim.index && r.claim.node === edge.consumer && sameShape(r.claim.claimed.shape, trace.grads[edge.consumer]!.shape),
    )
    if (above && agrees(claimed, edgeRule(trace, edge)(above.claim!.claimed), tolerance)) return { kind: 'follows', from: edge.consumer }
  }
  const wrong: number[][] = []
  const truthAll = claim.index ? truth : trace.grads[claim.node]!
  const scale = entryScale(truthAll)
  claimed.data.forEach((x, i) => {
    if (!close(x, truth.data[i]!, tolerance, scale)) wrong.push(indexOf(truth.shape, i))
  })
  return { kind: 'entries', wrong, of: claimed.data.length }
}
