// `check`: a student's hand-worked derivatives ("dL/dx = 4") judged against the trace. A wrong
// gradient is traced back up the chain to the first step where the student's numbers depart
// from the true ones, using their other claims as the record of their work.
import { LIMITS } from '../limits.js'
import { evaluateText, namesIn } from '../bindings.js'
import { formulaSlip, type Elsewhere, type FormulaSlip } from './formula.js'
import { InputError, excerpt } from '../errors.js'
import { isNumber, symNames } from '../sym.js'
import { edgesByConsumer, selectingProduct, type Trace } from '../trace.js'
import { findNode, indexNodes, nodeValues, type NodeIndex } from './refer.js'

export interface Claim {
  /** The line as the student wrote it. */
  text: string
  /** ∂of/∂wrt, as node indexes. */
  of: number
  wrt: number
  claimed: number
  /** "undefined" written for the value (claimed NaN): right where the quantity rests on a kink's convention. */
  undefined?: true
  /** The value as typed, when it is a formula (uses a name): judged at other points too. */
  formula?: string
  /** Why the line cannot be read as a claim (an unknown name, no "="): its own verdict; `of`, `wrt` are -1. */
  unreadable?: string
  /**
   * A local derivative: `of` written as its operation (d(x*w)/dx) with `wrt` one of its inputs.
   * `slot` when the student marked which use of a repeated input they mean (d(x[1]*x[2])/dx[1]).
   */
  local?: { slot?: number }
  /**
   * A value written as a chain of derivatives (∂loss/∂t · ∂t/∂x, in a written trace): each factor
   * as a claim of its own (judged by its true value), and whether the value is their product alone.
   */
  chain?: { factors: (Claim & { written: string })[]; product: boolean }
}

/** Why a wrong claim is wrong, as data; the renderers word it. */
export type Diagnosis =
  /** ∂L/∂L is the seed, 1. */
  | { kind: 'seed' }
  /** The first departure is an earlier claim; this one follows from it (or slips again after it). */
  | { kind: 'inherited'; from: number; factor: number; follows: boolean }
  /**
   * The departure is this node's own step: upstream × local summed over its consumers (`edges`).
   * `above`: the nodes from L (or from `claimed`) down to it, when the student stated none of its
   * upstream gradients; `claimed`: the nearest node above whose gradient the student did state (right), if any.
   */
  | {
      kind: 'step'
      edges: number[]
      missing?: number[]
      /** Contributions left out, when which ones is not to be told (x·x·x: three equal terms). */
      missingCount?: number
      above?: number[]
      claimed?: number
      slip?: Slip
      signFlipped?: boolean
    }
  /** An earlier claim (`from`) of the same gradient is right: this one contradicts it. */
  | { kind: 'contradicts'; from: number }
  /** A local derivative (or a derivative between two inner nodes) that is not right. */
  | { kind: 'local'; edges: number[] }
  /** A derivative between two inner nodes; `independent` when `of` does not depend on `wrt` at all. */
  | { kind: 'partial'; independent: boolean }
  /**
   * The claimed gradient is the student's own chain rule over two earlier claims, ∂L/∂m (claim
   * `from`) times ∂m/∂n (claim `factor`), and the slip is in the second.
   */
  | { kind: 'explained'; from: number; factor: number }
  /**
   * The student's own ∂L/∂m (claim `from`) and ∂m/∂n (claim `factor`) are right, and their product
   * is the true ∂L/∂n: the slip is in the last step, the multiplication itself.
   */
  /**
   * The student's right gradient (`from`) and right local derivatives below it, not multiplied:
   * `factor` is the one next to the gradient, `below` the rest down to the claim's variable
   * (∂L/∂a, ∂a/∂b, ∂b/∂x for ∂L/∂x), and `instead` what the number is when it is one of them or their sum.
   */
  | { kind: 'unmultiplied'; from: number; factor: number; below?: number[]; instead?: 'factor alone' | 'upstream alone' | 'one alone' | 'sum' }
  /** A formula that gives the right number here but is not the derivative: `slip` says where it departs. */
  | { kind: 'formula'; slip: FormulaSlip }
  /** ∂x/∂L written for ∂L/∂x: `of` does not depend on `wrt`, but `wrt` depends on `of` (by `reverse`, ∂wrt/∂of). */
  | { kind: 'upside-down'; reverse: number }
  /**
   * A chain of derivatives that does not run from `of` to `wrt`: taken in `order` (the factors'
   * indexes, from the output down), it runs from `from` (`badStart` when that is not `of`) to `to`
   * (`badEnd`), and after the k-th factor of that order it skips gap[0]/gap[1] (worth gap[2]).
   */
  | { kind: 'chain'; order: number[]; from: number; to: number; badStart: boolean; badEnd: boolean; gaps: [number, [number, number, number]][] }
  /**
   * The claimed number is the student's chain (claim `chain`, a product of derivatives) with their
   * own values of its factors (claims `factors`), so it follows from the ones of those that slipped.
   */
  | { kind: 'chained'; chain: number; factors: number[] }

/**
 * On a single path from L, the one local derivative that, written the way students often slip,
 * gives exactly the claimed number: its sign flipped, left out (taken as 1), or the node's value
 * written in place of its derivative (tanh(t) for 1 - tanh(t)²).
 */
export interface Slip {
  edge: number
  kind: 'sign' | 'left-out' | 'value-for-derivative'
}

export interface ClaimResult extends Claim {
  /** A formula claimed for ∂L/∂n that is, as a formula, the gradient at this node above n: the chain stopped there. */
  stoppedAt?: number
  /** For an "undefined" claim that is right: the edge whose convention it rests on. */
  kink?: number
  /**
   * 'local': a local derivative, of one operation alone (written as its operation, or by name where
   * wrt reaches of only through that operation); 'gradient': of is the output; 'partial': anything else.
   */
  kind: 'gradient' | 'local' | 'partial' | 'unreadable'
  /** For 'local': the edges from wrt into of that it is the local derivative of (one per use). */
  edges?: number[]
  truth: number
  right: boolean
  diagnosis?: Diagnosis
  /** For a wrong gradient equal to a local derivative: that edge (the classic ① written for ②). */
  localInstead?: number
}

/** Relative agreement for claims (students round): 1%, or 1e-4 near zero. */
export const DEFAULT_TOLERANCE = 0.01

/** Reads "dL/dx = 4", "∂loss/∂(yhat - y) = 2*(1)", "d t2 / d t1 = w". Throws InputError naming the claim. */
/** Each line as a claim; a line that cannot be read is kept, as an unreadable claim, in its place. */
export function parseClaims(trace: Trace, lines: string[]): Claim[] {
  const index = indexNodes(trace)
  return lines.map((line) => {
    try {
      return parseClaim(trace, line, index)
    } catch (error) {
      if (!(error instanceof InputError)) throw error
      return { text: line.trim(), of: -1, wrt: -1, claimed: NaN, unreadable: error.message.replace(/^claim ".*?": /s, '') }
    }
  })
}

export function parseClaim(trace: Trace, text: string, index = indexNodes(trace)): Claim {
  const line = text.replace(/−/g, '-').replace(/[·×]/g, '*').replace(/²/g, '^2').replace(/³/g, '^3')
  const fail = (why: string): never => {
    throw new InputError(`claim "${excerpt(text.trim(), 80)}": ${why}`)
  }
  const head = /^\s*[d∂]/.exec(line) ?? fail('expected the form d A / d B = VALUE, as in dL/dx = 4')
  const slash = topLevel(line, '/', head[0].length)
  if (slash < 0) fail('expected the form d A / d B = VALUE, as in dL/dx = 4 (write a quotient inside A in parentheses)')
  const rest = /^\s*[d∂]/.exec(line.slice(slash + 1)) ?? fail('the part after / should start with d or ∂, as in dL/dx = 4')
  const eq = topLevel(line, '=', slash + 1 + rest[0].length)
  if (eq < 0) fail('expected "= VALUE" after the derivative, as in dL/dx = 4')
  // x[1], x[2]: the uses of a repeated input, as the tutor marks them; the mark on B names one.
  const MARK = /\[(\d+)\]/g
  const ofWritten = line.slice(head[0].length, slash)
  const wrtWritten = line.slice(slash + 1 + rest[0].length, eq)
  const ofText = ofWritten.replace(MARK, '')
  const wrtText = wrtWritten.replace(MARK, '')
  const wrtMark = /\[(\d+)\]\s*$/.exec(wrtWritten)?.[1]
  const valueText = line.slice(eq + 1)
  const at = <T>(what: () => T): T => {
    try {
      return what()
    } catch (error) {
      if (error instanceof InputError) fail(error.message)
      throw error
    }
  }
  const of = at(() => findNode(trace, index, ofText))
  const wrt = at(() => findNode(trace, index, wrtText))
  if (valueText.trim() === '') fail('the value after = is empty')
  // dL/dx = dL/da * y: a value that uses other derivatives, as students write the chain rule.
  const chain = at(() => valueChain(trace, index, text.trim(), { of: ofWritten, wrt: wrtWritten }, valueText))
  if (chain) return chain
  // The tutor prints Infinity and NaN where a derivative is one: a student copying it is read as written.
  const literal = nonFiniteLiteral(valueText)
  // "undefined" (as the quiz takes it at a kink): a claim that the derivative does not exist here.
  const undefinedClaim = literal === undefined && UNDEFINED_ANSWER.test(valueText)
  const claimed = undefinedClaim ? NaN : (literal ?? at(() => evaluateText(valueText, nodeValues(trace))))
  const formula = literal === undefined && !undefinedClaim && namesIn(valueText).length > 0
  const claim: Claim = {
    text: text.trim(),
    of,
    wrt,
    claimed,
    ...(formula ? { formula: valueText.trim() } : {}),
    ...(undefinedClaim ? { undefined: true as const } : {}),
  }
  const inputs = trace.nodes[of]!.inputs
  // d(x·exp(x))/dx: another input, written out rather than named, depends on x too, so x cannot
  // move with it held: the total derivative. (d(t1·x)/dx names t1: held fixed, the local one.)
  const named = new Set(ofText.match(/[\p{L}_$][\p{L}\p{N}_$#]*/gu) ?? [])
  const through = inputs.some((j) => {
    const input = trace.nodes[j]!
    return j !== wrt && !named.has(input.label) && !(input.assigned && named.has(input.assigned)) && dependsOn(trace, j, wrt)
  })
  if (!isNodeName(ofText) && inputs.includes(wrt) && !through) {
    claim.local = {}
    if (wrtMark !== undefined) {
      const slots = inputs.flatMap((j, slot) => (j === wrt ? [slot] : []))
      const slot = slots[Number(wrtMark) - 1]
      if (slot === undefined)
        fail(
          `${wrtText.trim()}[${wrtMark}]: ${trace.nodes[wrt]!.label} is used ${slots.length} ${slots.length === 1 ? 'time' : 'times'} in ${trace.nodes[of]!.label}`,
        )
      claim.local.slot = slot
    }
  }
  return claim
}

/** A derivative inside a claim's value: d A / d B, each side a name or a parenthesized expression. */
const DERIVATIVE_IN_VALUE = /(?<![\p{L}\p{N}_$#])[d∂]\s*(\([^()]*\)|[\p{L}_$][\p{L}\p{N}_$#]*)\s*\/\s*[d∂]\s*(\([^()]*\)|[\p{L}_$][\p{L}\p{N}_$#]*)/gu

/**
 * The derivatives a claim's value uses (dL/da in dL/dx = dL/da * y), where each side names a node
 * and the text is no division of the program's own names (dy/dx with variables dy and dx).
 */
function derivativesIn(trace: Trace, index: NodeIndex, value: string): { of: string; wrt: string; at: number; end: number }[] {
  const found: { of: string; wrt: string; at: number; end: number }[] = []
  for (const m of value.matchAll(DERIVATIVE_IN_VALUE)) {
    const [whole, of, wrt] = m as unknown as [string, string, string]
    const names = whole.match(/[\p{L}_$][\p{L}\p{N}_$#]*/gu) ?? []
    if (names.some((name) => /^[d∂]./u.test(name) && findNodeOrUndefined(trace, index, name) !== undefined)) continue
    if (findNodeOrUndefined(trace, index, of) === undefined || findNodeOrUndefined(trace, index, wrt) === undefined) continue
    found.push({ of, wrt, at: m.index!, end: m.index! + whole.length })
  }
  return found
}

const findNodeOrUndefined = (trace: Trace, index: NodeIndex, text: string): number | undefined => {
  try {
    return findNode(trace, index, text.replace(/^\((.*)\)$/, '$1'))
  } catch (error) {
    if (error instanceof InputError) return undefined
    throw error
  }
}

/** A claim whose value uses other derivatives (dL/da * y), as a chain of them; undefined when it uses none. */
function valueChain(trace: Trace, index: NodeIndex, text: string, lhs: { of: string; wrt: string }, valueText: string): Claim | undefined {
  const factors = derivativesIn(trace, index, valueText)
  if (factors.length === 0) return undefined
  const value = factors.reduceRight((v, f, k) => `${v.slice(0, f.at)}${factorName(k)}${v.slice(f.end)}`, valueText)
  const claim = chainedClaim(trace, index, parseClaim(trace, derivativeClaim(lhs), index), text, value, factors)
  // dL/dx = dL/dx * 1 says nothing: a claim's value may not use the derivative it claims. (A
  // written trace may say two ways of writing one derivative are equal: that is read as right.)
  if (claim.chain!.factors.some((f) => f.of === claim.of && f.wrt === claim.wrt && Boolean(f.local) === Boolean(claim.local)))
    throw new InputError('the value uses the derivative it claims, so it says nothing of it; give its number, or a formula in the values')
  return claim
}

/** The name a chain's k-th factor is bound to while its value is evaluated. */
export const factorName = (k: number) => `factor_${k}__`

/** The tool's syntax for a derivative, as parseClaim reads it. */
export const derivativeClaim = (d: { of: string; wrt: string }) => `d (${d.of}) / d (${d.wrt}) = 0`

/**
 * ∂L/∂n = ∂L/∂m · ∂m/∂n (`value` with each factor as factorName(k)): each factor is read as a
 * derivative and taken at its true value, so the claim is right when the chain rule is;
 * chainLinks checks the links of a product alone. The value is judged as the number it gives.
 */
export function chainedClaim(trace: Trace, index: NodeIndex, lhs: Claim, text: string, value: string, factors: { of: string; wrt: string }[]): Claim {
  const names = nodeValues(trace)
  const claims = factors.map((f, k) => {
    const claim = parseClaim(trace, derivativeClaim(f), index)
    names[factorName(k)] = claimTruth(trace, claim)
    return { ...claim, written: `∂${shownSide(f.of)}/∂${shownSide(f.wrt)}` }
  })
  const claimed = evaluateText(value, names)
  const product = value.replace(/factor_\d+__|[*()\s]/g, '') === ''
  const { formula: _, ...plain } = lhs
  return { ...plain, text, claimed, chain: { factors: claims, product } }
}

/** A side of a derivative as a verdict shows it: a name alone, anything else in parentheses, · for *. */
const shownSide = (s: string) => {
  const text = s.replace(/\*/g, '·')
  return /^[\p{L}_$][\p{L}\p{N}_$]*$/u.test(text) || (text.startsWith('(') && text.endsWith(')')) ? text : `(${text})`
}

/** Whether a claim names its node (x, t2, c#1, (c#1)) rather than writing its operation. */
const isNodeName = (text: string) => /^\s*\(?\s*[\p{L}_$][\p{L}\p{N}_$#]*\s*\)?\s*$/u.test(text)

/** Index of the first `char` at parenthesis depth 0 from `start`, or -1. */
function topLevel(text: string, char: string, start: number): number {
  let depth = 0
  for (let i = start; i < text.length; i++) {
    const c = text[i]
    if (c === '(' || c === '[') depth++
    else if (c === ')' || c === ']') depth--
    else if (c === char && depth === 0) return i
  }
  return -1
}

export function agrees(claimed: number, truth: number, tolerance: number): boolean {
  // Infinity and NaN agree only with themselves (∞ - ∞ is NaN, which no tolerance covers).
  if (!Number.isFinite(claimed) || !Number.isFinite(truth)) return Object.is(claimed, truth) || (Number.isNaN(claimed) && Number.isNaN(truth))
  return Math.abs(claimed - truth) <= tolerance * Math.abs(truth) + tolerance / 100
}

/** Infinity, -inf, ∞ or NaN typed as a whole value; undefined for anything else. */
export function nonFiniteLiteral(text: string): number | undefined {
  const infinite = /^\s*([+-]?)\s*(infinity|inf|∞)\s*$/i.exec(text)
  if (infinite) return infinite[1] === '-' ? -Infinity : Infinity
  return /^\s*nan\s*$/i.test(text) ? NaN : undefined
}

/** What a student writes for a derivative that does not exist here (relu′(0)): the quiz and check read it alike. */
export const UNDEFINED_ANSWER = /^\s*(undefined|undef|none|dne|n\/a|does not exist|not defined|not differentiable)\s*$/i

/**
 * The edge, on a path from `of` down to `wrt` (or among a local claim's own `edges`), whose rule is a
 * convention at a point where its operation is not differentiable (relu or abs at 0, a tie): the
 * derivative claimed does not exist there. Undefined when there is none.
 */
function kinkBetween(trace: Trace, of: number, wrt: number, edges?: number[]): number | undefined {
  const kinks = trace.flags.filter((f) => f.code === 'convention' && f.kind === 'non-differentiable' && f.edge !== undefined)
  for (const f of kinks) {
    const edge = trace.edges[f.edge!]!
    const on = edges ? edges.includes(f.edge!) : (edge.from === wrt || dependsOn(trace, edge.from, wrt)) && (edge.to === of || dependsOn(trace, of, edge.to))
    if (on) return f.edge
  }
  return undefined
}

/** Judges every claim; claims about the output's gradient are read together, as one piece of work. */
/** What a claim is about and its true value in `trace`: a local derivative, the gradient, or a partial. */
function meaning(trace: Trace, inputsOf: number[][], claim: Claim, known?: ClaimResult['kind']): Pick<ClaimResult, 'kind' | 'edges' | 'truth'> {
  const into = inputsOf[claim.of]!.filter((e) => trace.edges[e]!.from === claim.wrt)
  const total = partial(trace, inputsOf, claim.of, claim.wrt)
  const localSum = into.reduce((s, e) => s + (trace.edges[e]!.localValue as number), 0)
  // By name, ∂t2/∂t1 is the total derivative; it is a local one only where t1 reaches t2 through t2's own operation alone.
  const isLocal = known ? known === 'local' : claim.local !== undefined || (into.length > 0 && claim.of !== trace.output && agrees(total, localSum, 0))
  if (isLocal) {
    const edges = claim.local?.slot !== undefined ? into.filter((e) => trace.edges[e]!.slot === claim.local!.slot) : into
    return { kind: 'local', edges, truth: edges.reduce((s, e) => s + (trace.edges[e]!.localValue as number), 0) }
  }
  return { kind: claim.of === trace.output ? 'gradient' : 'partial', truth: total }
}

/** The true value of what a claim is about: its local derivative, gradient or partial. */
export function claimTruth(trace: Trace, claim: Claim): number {
  return meaning(trace, edgesByConsumer(trace), claim).truth
}

export function checkClaims(trace: Trace, claims: Claim[], tolerance = DEFAULT_TOLERANCE, elsewhere?: Elsewhere): ClaimResult[] {
  if (claims.length > LIMITS.maxClaims) throw new InputError(`${claims.length} claims: at most ${LIMITS.maxClaims} are checked in one run`)
  if (trace.unbound.length > 0) {
    throw new InputError(`checking claims needs a value for every variable: ${trace.unbound.join(', ')} ${trace.unbound.length > 1 ? 'have' : 'has'} none`)
  }
  const inputsOf = edgesByConsumer(trace)
  const agree = (claimed: number, truth: number) => agrees(claimed, truth, tolerance)
  const results: ClaimResult[] = claims.map((claim) => {
    if (claim.unreadable !== undefined) return { ...claim, kind: 'unreadable', truth: NaN, right: false }
    const meant = meaning(trace, inputsOf, claim)
    if (claim.undefined) {
      const kink = kinkBetween(trace, claim.of, claim.wrt, meant.kind === 'local' ? meant.edges : undefined)
      return { ...claim, ...meant, right: kink !== undefined, ...(kink !== undefined ? { kink } : {}) }
    }
    return { ...claim, ...meant, right: agree(claim.claimed, meant.truth) }
  })
  // A chain of derivatives is judged by its links first: a broken one is its own slip.
  for (const r of results) if (r.chain?.product) chainLinks(trace, inputsOf, r)
  // The student's gradient at each node, from the gradient claims written before this one (the
  // latest wins): a slip is looked for in the order the student worked, never in a later line.
  const said = new Map<number, ClaimResult>()
  for (const [k, r] of results.entries()) {
    const before = new Map(said)
    if (r.kind === 'gradient') said.set(r.wrt, r)
    if (r.right || r.undefined || r.kind === 'unreadable' || r.diagnosis?.kind === 'chain') continue
    if (r.kind === 'local') r.diagnosis = { kind: 'local', edges: r.edges! }
    else if (r.kind === 'partial') {
      // Nodes are in topological order: a node can depend only on nodes before it.
      const reverse = r.of < r.wrt ? partial(trace, inputsOf, r.wrt, r.of) : 0
      const upsideDown = r.of < r.wrt && dependsOn(trace, r.wrt, r.of)
      r.diagnosis = upsideDown ? { kind: 'upside-down', reverse } : { kind: 'partial', independent: !dependsOn(trace, r.of, r.wrt) }
    } else {
      // The student's own earlier claim of this gradient is right: say so, rather than look for a slip above.
      const earlier = before.get(r.wrt)
      r.diagnosis =
        earlier?.right && earlier.of === r.of && !earlier.chain
          ? { kind: 'contradicts', from: results.indexOf(earlier) }
          : (explained(results, k, tolerance) ??
            chained(results, k, tolerance) ??
            stepOrProduct(departure(trace, inputsOf, before, r, tolerance), results, k, tolerance))
    }
    if (r.kind === 'gradient' && r.diagnosis?.kind !== 'contradicts') {
      const local = trace.nodes[r.wrt]!.contributions.find((e) => {
        const value = trace.edges[e]!.localValue
        if (!isNumber(value) || !agrees(r.claimed, value, tolerance)) return false
        // A formula is that local derivative only if it is one at other points too, not by a coincidence of numbers here.
        if (r.formula === undefined || !elsewhere) return true
        const localAt = (t: Trace) => t.edges[e]!.localValue as number
        return formulaSlip(r.formula, localAt, elsewhere, agree, symNames(trace.edges[e]!.local)) === undefined
      })
      // A contribution left out explains the number: "multiply by the upstream" would not mend it.
      const leftOut = r.diagnosis?.kind === 'step' && (r.diagnosis.missing || r.diagnosis.missingCount)
      if (local !== undefined && !leftOut) {
        r.localInstead = local
        // A local derivative's own number explains the claim better than a factor left out.
        if (r.diagnosis?.kind === 'step') delete r.diagnosis.slip
      } else if (r.formula !== undefined && elsewhere) {
        // A formula that is the gradient at a node above (2*(yhat - y) for ∂loss/∂w is ∂loss/∂yhat): the chain stopped there.
        // Of the nodes whose gradient it is (yhat, t1 = x·w and t2 = yhat - y share one), a name the program assigned, nearest to n.
        const fits = trace.nodes.flatMap((node, m) =>
          m !== r.wrt &&
          m !== trace.output &&
          node.onPath &&
          dependsOn(trace, m, r.wrt) &&
          node.grad != null &&
          isNumber(node.grad) &&
          formulaSlip(r.formula!, (t) => t.nodes[m]!.grad as number, elsewhere, agree) === undefined
            ? [m]
            : [],
        )
        const above = fits.find((m) => trace.nodes[m]!.assigned) ?? fits[0]
        if (above !== undefined) r.stoppedAt = above
      }
    }
  }
  // The numbers are judged; a formula right here must be right as a formula too. (Its number is
  // right, so the student's later work is judged from it as it is.)
  for (const r of results) {
    if (!r.right || r.formula === undefined || !elsewhere) continue
    const at = (t: Trace) => meaning(t, edgesByConsumer(t), r, r.kind).truth
    const localNames = r.kind === 'local' ? (r.edges ?? []).flatMap((e) => symNames(trace.edges[e]!.local)) : []
    const slip = formulaSlip(r.formula, at, elsewhere, agree, localNames)
    if (slip) Object.assign(r, { right: false, diagnosis: { kind: 'formula', slip } })
  }
  return results
}

/**
 * Where a wrong ∂L/∂n first departs: the wrong gradient claim earliest in the backward pass among
 * n and the nodes between L and n; if that is n itself, n's own step.
 */
/**
 * A wrong gradient ∂L/∂n that is exactly the student's ∂L/∂m (an earlier claim) times their wrong
 * ∂m/∂n (another earlier claim): their chain rule was right, one factor was not.
 */
function explained(results: ClaimResult[], k: number, tolerance: number): Diagnosis | undefined {
  const r = results[k]!
  for (let f = k - 1; f >= 0; f--) {
    const factor = results[f]!
    if (factor.right || factor.kind === 'gradient' || factor.wrt !== r.wrt) continue
    for (let g = k - 1; g >= 0; g--) {
      const gradient = results[g]!
      if (gradient.kind !== 'gradient' || gradient.wrt !== factor.of) continue
      if (agrees(r.claimed, gradient.claimed * factor.claimed, tolerance)) return { kind: 'explained', from: g, factor: f }
    }
  }
  return undefined
}

/** An earlier slip the number follows from explains it best; else the student's own two right factors, when they give the gradient. */
function stepOrProduct(departed: Diagnosis, results: ClaimResult[], k: number, tolerance: number): Diagnosis {
  if (departed.kind === 'inherited' && departed.follows) return departed
  return unmultiplied(results, k, tolerance) ?? departed
}

/**
 * A wrong gradient whose two factors the student stated right, earlier: ∂L/∂m and ∂m/∂n, whose
 * product is the true ∂L/∂n (m is then on every path from n to L).
 */
/** Right local derivatives chained this many deep at most below a right gradient (∂L/∂a · ∂a/∂b · ∂b/∂c · ∂c/∂x). */
const MAX_UNMULTIPLIED = 4

function unmultiplied(results: ClaimResult[], k: number, tolerance: number): Diagnosis | undefined {
  const r = results[k]!
  const isFactor = (c: ClaimResult) => c.right && (c.kind === 'local' || c.kind === 'partial')
  // `chain`: the factors found so far, from the one at the claim's variable upwards.
  const search = (at: number, chain: number[]): Diagnosis | undefined => {
    for (let f = k - 1; f >= 0; f--) {
      const factor = results[f]!
      if (!isFactor(factor) || factor.wrt !== at || chain.includes(f)) continue
      const factors = [f, ...chain]
      const product = factors.reduce((p, i) => p * results[i]!.claimed, 1)
      for (let g = k - 1; g >= 0; g--) {
        const gradient = results[g]!
        if (gradient.kind !== 'gradient' || !gradient.right || gradient.wrt !== factor.of) continue
        if (!agrees(r.truth, gradient.claimed * product, tolerance)) continue
        const [top, ...below] = factors
        return {
          kind: 'unmultiplied',
          from: g,
          factor: top!,
          ...(below.length ? { below } : {}),
          // What the number is instead (their sum, one alone) is read from numbers: for a formula, a product the student wrote, any match is a coincidence.
          ...(r.formula ? {} : insteadOf(r.claimed, [gradient.claimed, ...factors.map((i) => results[i]!.claimed)], tolerance)),
        }
      }
      if (factors.length < MAX_UNMULTIPLIED) {
        const deeper = search(factor.of, factors)
        if (deeper) return deeper
      }
    }
    return undefined
  }
  return search(r.wrt, [])
}

/** What an unmultiplied number is, when it is one of the pieces (the upstream first) or their sum rather than their product. */
function insteadOf(claimed: number, [a, ...rest]: number[], tolerance: number): { instead?: 'factor alone' | 'upstream alone' | 'one alone' | 'sum' } {
  const sum = rest.reduce((s, x) => s + x, a!)
  if (agrees(claimed, sum, tolerance) && !rest.some((x) => agrees(claimed, x, tolerance)) && !agrees(claimed, a!, tolerance)) return { instead: 'sum' }
  if (rest.length > 1) return {}
  const [isB, isA] = [agrees(claimed, rest[0]!, tolerance), agrees(claimed, a!, tolerance)]
  return isA && isB ? { instead: 'one alone' } : isB ? { instead: 'factor alone' } : isA ? { instead: 'upstream alone' } : {}
}

/**
 * A wrong gradient that is an earlier chain of derivatives for the same gradient, worked out with
 * the student's own earlier values of its factors (∂L/∂s = ∂L/∂p · ∂p/∂s, then the numbers).
 */
function chained(results: ClaimResult[], k: number, tolerance: number): Diagnosis | undefined {
  const r = results[k]!
  for (let j = k - 1; j >= 0; j--) {
    const chain = results[j]!
    if (!chain.chain?.product || chain.of !== r.of || chain.wrt !== r.wrt) continue
    const factors = chain.chain.factors.map((f) => {
      for (let i = k - 1; i >= 0; i--) if (i !== j && results[i]!.of === f.of && results[i]!.wrt === f.wrt && results[i]!.kind !== 'unreadable') return i
      return -1
    })
    if (factors.includes(-1) || factors.every((i) => results[i]!.right)) continue
    const theirs = factors.reduce((p, i) => p * results[i]!.claimed, 1)
    if (agrees(r.claimed, theirs, tolerance)) return { kind: 'chained', chain: j, factors }
  }
  return undefined
}

function departure(trace: Trace, inputsOf: number[][], said: Map<number, ClaimResult>, r: ClaimResult, tolerance: number): Diagnosis {
  const n = r.wrt
  if (n === trace.output) return { kind: 'seed' }
  // Nodes on a path from L down to n: they depend on n, and L depends on them.
  const between = new Uint8Array(trace.nodes.length)
  between[n] = 1
  for (let i = n + 1; i <= trace.output; i++) {
    if (trace.nodes[i]!.onPath && trace.nodes[i]!.inputs.some((j) => between[j])) between[i] = 1
  }
  let first = n
  for (const [node, claim] of said) if (between[node] && !claim.right && node > first) first = node
  if (first !== n) {
    const factor = partial(trace, inputsOf, first, n)
    return { kind: 'inherited', from: first, factor, follows: agrees(r.claimed, said.get(first)!.claimed * factor, tolerance) }
  }
  const edges = trace.nodes[n]!.contributions
  const diagnosis: Extract<Diagnosis, { kind: 'step' }> = { kind: 'step', edges }
  // Without the student's upstream gradients the slip may lie higher up: show the true ones.
  if (!edges.every((e) => trace.edges[e]!.to === trace.output || said.has(trace.edges[e]!.to))) {
    const above: number[] = []
    for (let i = trace.output; i > n; i--) if (between[i]) above.push(i)
    // Every claim between is right here (a wrong one would be the first departure): the nearest
    // is where the comparison goes on from, and only the nodes below it are shown.
    const nearest = above.filter((i) => said.has(i) && i !== trace.output).pop()
    diagnosis.above = nearest === undefined ? above : above.filter((i) => i < nearest)
    if (nearest !== undefined) diagnosis.claimed = nearest
    const slip = likelySlip(trace, n, r.claimed, tolerance)
    if (slip) diagnosis.slip = slip
    // The right size with the wrong sign: a slip in the sign of some local derivative on the way.
    else if (flippedSign(r)) diagnosis.signFlipped = true
  } else if (edges.length === 1 && flippedSign(r)) diagnosis.signFlipped = true
  if (edges.length > 1 && edges.length <= 12) {
    // A fan-out node whose sum is missing some contributions: the most common slip at fan-out.
    const parts = edges.map((e) => trace.edges[e]!.contribution as number)
    const fits: number[] = []
    for (let mask = 1; mask < (1 << edges.length) - 1; mask++) {
      const sum = parts.reduce((s, p, k) => (mask & (1 << k) ? s + p : s), 0)
      if (agrees(r.claimed, sum, tolerance)) fits.push(mask)
    }
    // Which contributions were left out, when one set fits; how many, when several equal ones do.
    const count = (mask: number) => edges.length - edges.filter((_, k) => mask & (1 << k)).length
    const fewest = Math.min(...fits.map(count))
    const best = fits.filter((mask) => count(mask) === fewest)
    // Sets that leave out the same nodes' terms (either use of x in x·x) tell the same story.
    const through = (mask: number) =>
      edges
        .flatMap((e, k) => (mask & (1 << k) ? [] : [trace.edges[e]!.to]))
        .sort()
        .join()
    if (best.length > 0 && best.every((mask) => through(mask) === through(best[0]!))) diagnosis.missing = edges.filter((_, k) => !(best[0]! & (1 << k)))
    else if (best.length > 1) diagnosis.missingCount = fewest
  }
  return diagnosis
}

/** The right size with the wrong sign. */
const flippedSign = (r: ClaimResult) =>
  r.truth !== 0 &&
  (Number.isFinite(r.claimed) && Number.isFinite(r.truth) ? Math.abs(r.claimed + r.truth) <= Math.abs(r.claimed - r.truth) / 100 : r.claimed === -r.truth)

function likelySlip(trace: Trace, n: number, claimed: number, tolerance: number): Slip | undefined {
  const path: number[] = []
  for (let node = n; node !== trace.output;) {
    const up = trace.nodes[node]!.contributions
    if (up.length !== 1) return undefined
    path.push(up[0]!)
    node = trace.edges[up[0]!]!.to
  }
  const locals = path.map((e) => trace.edges[e]!.localValue as number)
  /** The gradient down the path with the k-th local replaced by `value`, multiplied as the backward pass does (a branch selected gives 0, never ∞ · 0). */
  const along = (k: number, value: number) => {
    let upstream = 1
    for (let j = path.length - 1; j >= 0; j--) {
      const edge = trace.edges[path[j]!]!
      upstream = selectingProduct(upstream, j === k ? value : locals[j]!, trace.nodes[edge.to]!, (i) => trace.nodes[i]!.value, edge.slot)
    }
    return upstream
  }
  const found: Slip[] = []
  path.forEach((e, k) => {
    const edge = trace.edges[e]!
    const consumer = trace.nodes[edge.to]!
    const candidates: [Slip['kind'], number][] = [
      ['sign', -locals[k]!],
      ['left-out', 1],
    ]
    // Only a function's value is mistaken for its derivative (tanh, exp, sigmoid), not a sum's.
    if (consumer.inputs.length === 1 && consumer.op !== 'neg' && consumer.op !== 'identity') candidates.push(['value-for-derivative', consumer.value as number])
    for (const [kind, value] of candidates) {
      if (!agrees(value, locals[k]!, tolerance) && agrees(claimed, along(k, value), tolerance)) found.push({ edge: e, kind })
    }
  })
  // One explanation or none: two that fit equally well would be a guess.
  return found.length === 1 ? found[0] : undefined
}

/** A product of derivatives must run from the claim's node down to its variable, link by link. */
function chainLinks(trace: Trace, inputsOf: number[][], r: ClaimResult): void {
  const factors = r.chain!.factors
  // A skipped link worth exactly 1 (∂z/∂b of z = w·x + b) changes nothing: the chain is still right.
  const skips = (upper: number, lower: number) => upper === lower || (dependsOn(trace, upper, lower) && partial(trace, inputsOf, upper, lower) === 1)
  const order = linkedOrder(factors, r.of, skips) ?? factors.map((_, k) => k)
  const from = factors[order[0]!]!.of
  const to = factors[order[order.length - 1]!]!.wrt
  const gaps: [number, [number, number, number]][] = []
  for (let k = 0; k + 1 < order.length; k++) {
    const [upper, lower] = [factors[order[k]!]!.wrt, factors[order[k + 1]!]!.of]
    if (!skips(upper, lower)) gaps.push([k, [upper, lower, partial(trace, inputsOf, upper, lower)]])
  }
  const [badStart, badEnd] = [!skips(r.of, from), !skips(to, r.wrt)]
  if (!badStart && !badEnd && gaps.length === 0) return
  r.right = false
  r.diagnosis = { kind: 'chain', order, from, to, badStart, badEnd, gaps }
}

/** The factors in an order that links from `of` down, one into the next (a product may be written in any order). */
function linkedOrder(factors: Claim[], of: number, links: (upper: number, lower: number) => boolean): number[] | undefined {
  const order: number[] = []
  const used = new Set<number>()
  let at = of
  while (order.length < factors.length) {
    const next = factors.findIndex((f, k) => !used.has(k) && links(at, f.of))
    if (next < 0) return undefined
    order.push(next)
    used.add(next)
    at = factors[next]!.wrt
  }
  return order
}

/** Whether node `later` depends on node `earlier` (a walk down its inputs). */
function dependsOn(trace: Trace, later: number, earlier: number): boolean {
  const seen = new Uint8Array(trace.nodes.length)
  const stack = [later]
  while (stack.length > 0) {
    const i = stack.pop()!
    if (i === earlier) return true
    if (seen[i] || i < earlier) continue
    seen[i] = 1
    stack.push(...trace.nodes[i]!.inputs)
  }
  return false
}

/** ∂of/∂wrt at the bound values: a backward pass seeded at `of` (0 when `of` does not depend on wrt). */
function partial(trace: Trace, inputsOf: number[][], of: number, wrt: number): number {
  if (of === wrt) return 1
  const grads = new Map<number, number>([[of, 1]])
  for (let i = of; i > wrt; i--) {
    const g = grads.get(i)
    if (g === undefined) continue
    for (const e of inputsOf[i]!) {
      const edge = trace.edges[e]!
      if (edge.from < wrt) continue
      const contribution = selectingProduct(g, edge.localValue as number, trace.nodes[i]!, (j) => trace.nodes[j]!.value, edge.slot)
      grads.set(edge.from, (grads.get(edge.from) ?? 0) + contribution)
    }
  }
  return grads.get(wrt) ?? 0
}
