// Every backprop gradient beside a central finite-difference estimate of the same derivative.
import { LIMITS } from './limits.js'
import type { Graph } from './graph.js'
import { OPS, pow, sigmoid } from './ops.js'
import { isNumber } from './sym.js'
import { edgesByConsumer, selectsAt, type Trace, type TraceEdge } from './trace.js'

export type CheckStatus = 'agree' | 'disagree' | 'inconclusive' | 'not-checked'

export interface Check {
  variable: string
  status: CheckStatus
  /** The backprop gradient, when it is a number. */
  grad?: number
  /** The central-difference estimate (f(x+h) - f(x-h)) / 2h at the smaller of the two steps tried. */
  estimate?: number
  /** The step h used for `estimate`. */
  step?: number
  /** The output at x + h and at x − h, for that step: what the estimate is made of. */
  fUp?: number
  fDown?: number
  /** Largest |grad - estimate| counted as agreement: relative and absolute parts plus the estimate's own error bound. */
  tolerance?: number
  /** Why the status is not a plain agree/disagree, as a code; src/steps/words.ts writes it out. */
  reason?: CheckReason
}

/**
 * `unbound`: some variable has no value (`names`, the first few; `more`, how many else);
 * `symbolic` / `non-finite`: the gradient is an expression / NaN or infinite; `budget`: past
 * LIMITS.checkBudget; `kink`: the gradient passes the non-differentiable point of node `node`;
 * `branch`: node `node` switches branch within the step; `not-finite-near`: the output is not
 * finite at x ± h; `unreliable`: rounding or curvature swamps the difference.
 */
export type CheckReason =
  | { code: 'unbound'; names: string[]; more: number }
  | { code: 'symbolic' | 'non-finite' | 'budget' | 'not-finite-near' | 'unreliable' }
  | { code: 'kink' | 'branch'; node: number }

/** Agreement: |grad - estimate| ≤ RELATIVE·max(|grad|, |estimate|) + ABSOLUTE + the estimate's error bound. */
export const RELATIVE_TOLERANCE = 1e-6
export const ABSOLUTE_TOLERANCE = 1e-8
/** The check is inconclusive when its error bound exceeds this fraction of the gradient's size. */
export const RELIABLE_FRACTION = 0.01
const EPSILON = Number.EPSILON

export function checkGradients(graph: Graph, trace: Omit<Trace, 'checks'>): Check[] {
  if (trace.unbound.length > 0) {
    // Name a few: with thousands of symbolic variables, one reason per check must stay short.
    const reason: CheckReason = { code: 'unbound', names: trace.unbound.slice(0, 6), more: Math.max(0, trace.unbound.length - 6) }
    return trace.gradients.map((g) => ({ variable: g.name, status: 'not-checked', reason }))
  }
  const check = new GradientCheck(graph, trace)
  return trace.gradients.map((g, k) => check.variable(g, k))
}

/** One central difference: the estimate, its step, and the two outputs it came from. */
interface Difference {
  estimate: number
  step: number
  fUp: number
  fDown: number
}

/**
 * The check of every variable of one fully bound trace, in turn: all share one numeric forward
 * pass and the budget of node evaluations (LIMITS.checkBudget; variables past it are not checked,
 * so big programs stay linear).
 */
class GradientCheck {
  private readonly numeric: NumericForward
  private readonly kinks: Map<number, number>
  private readonly point: Float64Array
  private readonly f0: number
  /** Rounding error of the output: each operation rounds by up to eps·|value|, scaled by its gradient. */
  private readonly noise: number
  private spent: number

  constructor(
    private readonly graph: Graph,
    private readonly trace: Omit<Trace, 'checks'>,
  ) {
    this.kinks = kinkedVariables(graph, trace)
    this.numeric = new NumericForward(graph)
    this.point = new Float64Array(graph.variables.length)
    graph.variables.forEach((i, k) => (this.point[k] = trace.bindings[graph.nodes[i]!.id]!))
    this.f0 = this.numeric.forward(this.point)
    // log(1 + u) loses u's digits in 1 + u: the loss shows at the output scaled by the gradient.
    let noise = Math.abs(this.f0)
    for (const node of trace.nodes) {
      if (node.kind === 'op' && isNumber(node.value) && node.grad !== null && isNumber(node.grad)) {
        const term = Math.abs(node.value * node.grad)
        if (Number.isFinite(term)) noise += term
      }
    }
    this.noise = noise
    this.spent = graph.nodes.length
  }

  variable(g: Trace['gradients'][number], k: number): Check {
    const grad = g.grad
    if (!isNumber(grad)) return { variable: g.name, status: 'not-checked', reason: { code: 'symbolic' } }
    if (!Number.isFinite(grad)) return { variable: g.name, grad, status: 'not-checked', reason: { code: 'non-finite' } }
    // Nodes before the variable's own node cannot change with it: recompute from there.
    const from = this.graph.variables[k]!
    const cost = 4 * (this.graph.nodes.length - from)
    if (this.spent + cost > LIMITS.checkBudget) return { variable: g.name, grad, status: 'not-checked', reason: { code: 'budget' } }
    this.spent += cost
    // h ≈ cbrt(eps)·scale balances truncation (h²) against round-off (eps/h).
    const x = this.point[k]!
    const h = Math.cbrt(EPSILON) * Math.max(1, Math.abs(x))
    const wide = this.central(k, from, h)
    const narrow = this.central(k, from, h / 2)
    this.numeric.restore(from)
    const base = { variable: g.name, grad, estimate: narrow.estimate, step: narrow.step, fUp: narrow.fUp, fDown: narrow.fDown }
    // A kink on the way, or a branch switched within h, blends two slopes into the difference
    // quotient, unless L's two one-sided slopes are the same (relu(x·x) at 0: both 0).
    const kink = this.kinks.get(g.node)
    const straddled = wide.straddled ?? narrow.straddled
    const switching = straddled === undefined ? undefined : kinkNodes(this.graph)[straddled]!
    const blended = (kink !== undefined || (switching !== undefined && !flatAbove(this.trace, switching))) && this.slopesDiffer(wide, narrow)
    if (blended && kink !== undefined) return { ...base, status: 'inconclusive', reason: { code: 'kink', node: kink } }
    if (blended && switching !== undefined) return { ...base, status: 'inconclusive', reason: { code: 'branch', node: switching } }
    if (![wide.fUp, wide.fDown, narrow.fUp, narrow.fDown, wide.estimate, narrow.estimate].every(Number.isFinite)) {
      return { ...base, status: 'inconclusive', reason: { code: 'not-finite-near' } }
    }
    return { ...base, ...this.judge(grad, x, wide, narrow) }
  }

  /**
   * (f(x+h) - f(x-h)) / 2h for variable k, with h taken from the representable x±h so the
   * denominator is exact; `straddled`: the first kinked node whose branch differs at x+h and x-h.
   */
  private central(k: number, from: number, h: number): Difference & { straddled?: number } {
    const x = this.point[k]!
    const at = (v: number) => {
      this.point[k] = v
      const y = this.numeric.forward(this.point, from)
      this.point[k] = x
      return y
    }
    const up = x + h
    const down = x - h
    const fUp = at(up)
    const sidesUp = this.numeric.sides.slice()
    const fDown = at(down)
    // A kink between x-h and x+h makes the difference quotient a blend of two slopes.
    const straddled = sidesUp.findIndex((side, j) => side !== this.numeric.sides[j])
    const difference = { estimate: (fUp - fDown) / (up - down), step: (up - down) / 2, fUp, fDown }
    return straddled < 0 ? difference : { ...difference, straddled }
  }

  /**
   * Whether L's slopes to the right and to the left of the point differ, each a one-sided
   * difference at two steps, extrapolated (Richardson) so that curvature does not look like a
   * kink; NaN or ∞ nearby counts as differing.
   */
  private slopesDiffer(wide: Difference, narrow: Difference): boolean {
    const right = (d: Difference) => (d.fUp - this.f0) / d.step
    const left = (d: Difference) => (this.f0 - d.fDown) / d.step
    const [r, l] = [2 * right(narrow) - right(wide), 2 * left(narrow) - left(wide)]
    if (!Number.isFinite(r) || !Number.isFinite(l)) return true
    const magnitude = Math.max(this.noise, Math.abs(narrow.fUp), Math.abs(narrow.fDown))
    const roundOff = (12 * (EPSILON * magnitude + Number.MIN_VALUE)) / narrow.step
    return Math.abs(r - l) > RELATIVE_TOLERANCE * Math.max(Math.abs(r), Math.abs(l)) + ABSOLUTE_TOLERANCE + 10 * roundOff
  }

  /** Agree, disagree, or inconclusive when the estimate's own error is too large to tell. */
  private judge(grad: number, x: number, wide: Difference, narrow: Difference): Pick<Check, 'status' | 'tolerance' | 'reason'> {
    const estimate = narrow.estimate
    // The estimate's own error: round-off in f divided by the step, plus how much halving h moved it.
    // (MIN_VALUE: below 2.2e-308 doubles are subnormal and round in absolute steps of 5e-324.)
    const magnitude = Math.max(this.noise, Math.abs(narrow.fUp), Math.abs(narrow.fDown))
    const roundOff = (4 * (EPSILON * magnitude + Number.MIN_VALUE)) / narrow.step
    const truncation = Math.abs(wide.estimate - estimate)
    const scale = Math.max(Math.abs(grad), Math.abs(estimate))
    const errorBound = 10 * (roundOff + truncation)
    const tolerance = RELATIVE_TOLERANCE * scale + ABSOLUTE_TOLERANCE + errorBound
    // An estimate whose own error is comparable to the gradient can neither confirm nor refute it.
    // The size a derivative of this output naturally has (|f| per unit of x): a gradient of 0
    // beside an output of 8 is measurable; a gradient of 1 under intermediates of 1e16 is not.
    const natural = Math.max(Math.abs(this.f0), Math.abs(narrow.fUp), Math.abs(narrow.fDown)) / Math.max(1, Math.abs(x))
    if (errorBound > RELIABLE_FRACTION * Math.max(scale, natural, ABSOLUTE_TOLERANCE / RELIABLE_FRACTION)) {
      return { status: 'inconclusive', tolerance, reason: { code: 'unreliable' } }
    }
    return { status: Math.abs(grad - estimate) <= tolerance ? 'agree' : 'disagree', tolerance }
  }
}

/** Nodes whose op has a kink (abs, relu, max, min), in graph order. */
function kinkNodes(graph: Graph): number[] {
  return graph.nodes.flatMap((node, i) => (node.op && OPS[node.op].kink ? [i] : []))
}

/**
 * A plain numeric forward pass over the graph, returning the output's value; `sides` holds, after
 * each pass, which side of its kink every kinked node was on (the sign of OpRule.kink).
 *
 * Flat arrays, read in one tight loop: the check runs it 4 times per variable. The four
 * arithmetic operators are inlined (codes 1-4), and the commonest functions are called directly
 * (codes 6-10: one call site per function, which V8 inlines, where a call through the table
 * would be megamorphic); the rest call their OPS value function. Each code computes exactly
 * what its OPS entry's value does.
 */
class NumericForward {
  readonly sides: Int8Array
  private readonly n: number
  private readonly output: number
  private readonly values: Float64Array
  private readonly slot: Int32Array
  private readonly kinked: number[]
  private readonly code: Uint8Array
  private readonly isVariable: Uint8Array
  private readonly first: Int32Array
  private readonly second: Int32Array
  private readonly fns: ((...xs: number[]) => number)[]
  /** The first (unperturbed) pass's values, for restore. */
  private base: Float64Array | undefined

  constructor(private readonly graph: Graph) {
    const n = (this.n = graph.nodes.length)
    this.output = graph.output
    this.values = new Float64Array(n)
    this.slot = new Int32Array(n).fill(-1)
    graph.variables.forEach((i, k) => (this.slot[i] = k))
    this.kinked = kinkNodes(graph)
    this.sides = new Int8Array(this.kinked.length)
    this.code = new Uint8Array(n)
    this.isVariable = new Uint8Array(n)
    this.first = new Int32Array(n)
    this.second = new Int32Array(n).fill(-1)
    this.fns = new Array(n)
    graph.nodes.forEach((node, i) => {
      if (node.kind === 'variable') this.isVariable[i] = 1
      if (node.kind === 'constant') this.values[i] = node.constant!
      if (node.kind === 'op') {
        this.code[i] = INLINED[node.op!] ?? 5
        this.fns[i] = OPS[node.op!].value
        this.first[i] = node.inputs[0]!
        if (node.inputs.length > 1) this.second[i] = node.inputs[1]!
      }
    })
  }

  /** The output at `point`; values before `from` are kept from the previous pass. */
  forward(point: Float64Array, from = 0): number {
    const { n, values, code, first, second, fns, isVariable, slot } = this
    for (let i = from; i < n; i++) {
      switch (code[i]) {
        case 0:
          if (isVariable[i]) values[i] = point[slot[i]!]!
          break
        case 1:
          values[i] = values[first[i]!]! + values[second[i]!]!
          break
        case 2:
          values[i] = values[first[i]!]! - values[second[i]!]!
          break
        case 3:
          values[i] = values[first[i]!]! * values[second[i]!]!
          break
        case 4:
          values[i] = values[first[i]!]! / values[second[i]!]!
          break
        case 6:
          values[i] = Math.tanh(values[first[i]!]!)
          break
        case 7:
          values[i] = Math.exp(values[first[i]!]!)
          break
        case 8:
          values[i] = Math.log(values[first[i]!]!)
          break
        case 9:
          values[i] = pow(values[first[i]!]!, values[second[i]!]!)
          break
        case 10:
          values[i] = sigmoid(values[first[i]!]!)
          break
        default:
          values[i] = second[i]! < 0 ? fns[i]!(values[first[i]!]!) : fns[i]!(values[first[i]!]!, values[second[i]!]!)
      }
    }
    this.kinked.forEach((i, k) => {
      const node = this.graph.nodes[i]!
      this.sides[k] = Math.sign(OPS[node.op!].kink!(node.inputs.map((j) => values[j]!)))
    })
    this.base ??= values.slice()
    return values[this.output]!
  }

  /** Back to the first (unperturbed) pass's values from `from` on. */
  restore(from: number): void {
    this.values.set(this.base!.subarray(from), from)
  }
}

const INLINED: Partial<Record<string, number>> = { add: 1, sub: 2, mul: 3, div: 4, tanh: 6, exp: 7, log: 8, pow: 9, sigmoid: 10 }

/** Whether no gradient arrives at node i: then which slope its kink takes does not change any gradient. */
const flatAbove = (trace: Omit<Trace, 'checks'>, i: number) => trace.nodes[i]!.grad === 0

/** Variable node → the node of the first non-differentiable point its gradient passes through. */
function kinkedVariables(graph: Graph, trace: Omit<Trace, 'checks'>): Map<number, number> {
  const result = new Map<number, number>()
  // A kink with no gradient arriving (∂L/∂node = 0, as relu's in relu(x)·x at 0) changes nothing to first order.
  const kinks = trace.flags.filter((f) => f.kind === 'non-differentiable' && f.edge !== undefined && !flatAbove(trace, f.node)).slice(0, 100)
  const inputsOf = kinks.length > 0 ? edgesByConsumer(trace) : []
  for (const flag of kinks) {
    const edge = trace.edges[flag.edge!]!
    const where = edge.to
    const seen = new Uint8Array(graph.nodes.length)
    const stack = [edge.from]
    while (stack.length > 0) {
      const i = stack.pop()!
      if (seen[i]) continue
      seen[i] = 1
      const node = graph.nodes[i]!
      if (node.kind === 'variable' && !result.has(i)) result.set(i, where)
      for (const e of inputsOf[i]!) if (!blocks(trace, trace.edges[e]!)) stack.push(trace.edges[e]!.from)
    }
  }
  return result
}

/**
 * An edge that passes nothing near this point: a relu, max or min away from its switch, on its
 * blocked side. Whatever kink lies above it, what lies below does not change L to first order.
 */
function blocks(trace: Omit<Trace, 'checks'>, edge: TraceEdge): boolean {
  if (edge.localValue !== 0) return false
  const consumer = trace.nodes[edge.to]!
  const kink = OPS[consumer.op!].kink
  const valueOf = (j: number) => trace.nodes[j]!.value
  // Away from its switch (kink ≠ 0), on the side it blocks.
  return kink !== undefined && selectsAt(consumer, valueOf, edge.slot) && kink(consumer.inputs.map(valueOf) as number[]) !== 0
}
