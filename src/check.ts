// Every backprop gradient beside a central finite-difference estimate of the same derivative.
import { LIMITS } from './limits.js'
import type { Graph } from './graph.js'
import { OPS, sigmoid } from './ops.js'
import { isNumber } from './sym.js'
import type { Trace } from './trace.js'

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
/**
 * Work budget: at most this many node evaluations for all checks together (4 partial forward
 * passes per variable). Variables past the budget are reported as not checked, so big programs stay linear.
 */

const EPSILON = Number.EPSILON

export function checkGradients(graph: Graph, trace: Omit<Trace, 'checks'>): Check[] {
  if (trace.unbound.length > 0) {
    // Name a few: with thousands of symbolic variables, one reason per check must stay short.
    const reason: CheckReason = { code: 'unbound', names: trace.unbound.slice(0, 6), more: Math.max(0, trace.unbound.length - 6) }
    return trace.gradients.map((g) => ({ variable: g.name, status: 'not-checked', reason }))
  }
  const n = graph.nodes.length
  const kinks = kinkedVariables(graph, trace)
  const { forward, restore, sides } = numericForward(graph)
  const point = new Float64Array(graph.variables.length)
  graph.variables.forEach((i, k) => (point[k] = trace.bindings[graph.nodes[i]!.id]!))
  const f0 = forward(point)
  // Rounding error of the output: each operation rounds its result by up to eps·|value|, and that
  // error reaches the output scaled by the node's gradient (log(1 + u) loses u's digits in 1 + u).
  let noise = Math.abs(f0)
  for (const node of trace.nodes) {
    if (node.kind === 'op' && isNumber(node.value) && node.grad !== null && isNumber(node.grad)) {
      const term = Math.abs(node.value * node.grad)
      if (Number.isFinite(term)) noise += term
    }
  }
  let spent = n
  return trace.gradients.map((g, k): Check => {
    const grad = g.grad
    if (!isNumber(grad)) return { variable: g.name, status: 'not-checked', reason: { code: 'symbolic' } }
    if (!Number.isFinite(grad)) return { variable: g.name, grad, status: 'not-checked', reason: { code: 'non-finite' } }
    // Nodes before the variable's own node cannot change with it: recompute from there.
    const from = graph.variables[k]!
    const cost = 4 * (n - from)
    if (spent + cost > LIMITS.checkBudget) {
      return { variable: g.name, grad, status: 'not-checked', reason: { code: 'budget' } }
    }
    spent += cost
    const x = point[k]!
    const at = (v: number) => {
      point[k] = v
      const y = forward(point, from)
      point[k] = x
      return y
    }
    // h ≈ cbrt(eps)·scale balances truncation (h²) against round-off (eps/h); taking h from the
    // representable x±h keeps the denominator exact.
    let straddled: number | undefined
    const central = (h0: number) => {
      const up = x + h0
      const down = x - h0
      const fUp = at(up)
      const sidesUp = sides.slice()
      const fDown = at(down)
      // A kink between x-h and x+h makes the difference quotient a blend of two slopes.
      straddled ??= sidesUp.findIndex((side, j) => side !== sides[j])
      if (straddled < 0) straddled = undefined
      return { estimate: (fUp - fDown) / (up - down), step: (up - down) / 2, fUp, fDown }
    }
    const h = Math.cbrt(EPSILON) * Math.max(1, Math.abs(x))
    const wide = central(h)
    const narrow = central(h / 2)
    restore(from)
    const estimate = narrow.estimate
    const base = { variable: g.name, grad, estimate, step: narrow.step }
    const kink = kinks.get(g.node)
    if (kink !== undefined) return { ...base, status: 'inconclusive', reason: { code: 'kink', node: kink } }
    if (straddled !== undefined) {
      return { ...base, status: 'inconclusive', reason: { code: 'branch', node: kinkNodes(graph)[straddled]! } }
    }
    if (![wide.fUp, wide.fDown, narrow.fUp, narrow.fDown, wide.estimate, estimate].every(Number.isFinite)) {
      return { ...base, status: 'inconclusive', reason: { code: 'not-finite-near' } }
    }
    // The estimate's own error: round-off in f divided by the step, plus how much halving h moved it.
    // (MIN_VALUE: below 2.2e-308 doubles are subnormal and round in absolute steps of 5e-324.)
    const magnitude = Math.max(noise, Math.abs(narrow.fUp), Math.abs(narrow.fDown))
    const roundOff = (4 * (EPSILON * magnitude + Number.MIN_VALUE)) / narrow.step
    const truncation = Math.abs(wide.estimate - estimate)
    const scale = Math.max(Math.abs(grad), Math.abs(estimate))
    const errorBound = 10 * (roundOff + truncation)
    const tolerance = RELATIVE_TOLERANCE * scale + ABSOLUTE_TOLERANCE + errorBound
    // An estimate whose own error is comparable to the gradient can neither confirm nor refute it.
    // The size a derivative of this output naturally has (|f| per unit of x): a gradient of 0
    // beside an output of 8 is measurable; a gradient of 1 under intermediates of 1e16 is not.
    const natural = Math.max(Math.abs(f0), Math.abs(narrow.fUp), Math.abs(narrow.fDown)) / Math.max(1, Math.abs(x))
    if (errorBound > RELIABLE_FRACTION * Math.max(scale, natural, ABSOLUTE_TOLERANCE / RELIABLE_FRACTION)) {
      return { ...base, status: 'inconclusive', tolerance, reason: { code: 'unreliable' } }
    }
    if (Math.abs(grad - estimate) <= tolerance) return { ...base, status: 'agree', tolerance }
    return { ...base, status: 'disagree', tolerance }
  })
}

/** Nodes whose op has a kink (abs, relu, max, min), in graph order. */
function kinkNodes(graph: Graph): number[] {
  return graph.nodes.flatMap((node, i) => (node.op && OPS[node.op].kink ? [i] : []))
}

/**
 * A plain numeric forward pass over the graph, returning the output's value; `sides` holds, after
 * each call, which side of its kink every kinked node was on (the sign of OpRule.kink).
 */
function numericForward(graph: Graph): { forward: (point: Float64Array, from?: number) => number; restore: (from: number) => void; sides: Int8Array } {
  const n = graph.nodes.length
  const values = new Float64Array(n)
  const slot = new Int32Array(n).fill(-1)
  graph.variables.forEach((i, k) => (slot[i] = k))
  const kinked = kinkNodes(graph)
  const sides = new Int8Array(kinked.length)
  // Flat arrays, read in one tight loop: the check runs it 4 times per variable. The four
  // arithmetic operators are inlined (codes 1-4), and the commonest functions are called directly
  // (codes 6-10: one call site per function, which V8 inlines, where a call through the table
  // would be megamorphic); the rest call their OPS value function. Each code computes exactly
  // what its OPS entry's value does.
  const INLINED: Partial<Record<string, number>> = { add: 1, sub: 2, mul: 3, div: 4, tanh: 6, exp: 7, log: 8, pow: 9, sigmoid: 10 }
  const code = new Uint8Array(n)
  const isVariable = new Uint8Array(n)
  const first = new Int32Array(n)
  const second = new Int32Array(n).fill(-1)
  const fns: ((...xs: number[]) => number)[] = new Array(n)
  graph.nodes.forEach((node, i) => {
    if (node.kind === 'variable') isVariable[i] = 1
    if (node.kind === 'constant') values[i] = node.constant!
    if (node.kind === 'op') {
      code[i] = INLINED[node.op!] ?? 5
      fns[i] = OPS[node.op!].value
      first[i] = node.inputs[0]!
      if (node.inputs.length > 1) second[i] = node.inputs[1]!
    }
  })
  let base: Float64Array | undefined
  // Values before `from` are kept from the previous call (the unperturbed pass, for the check).
  const forward = (point: Float64Array, from = 0) => {
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
          values[i] = Math.pow(values[first[i]!]!, values[second[i]!]!)
          break
        case 10:
          values[i] = sigmoid(values[first[i]!]!)
          break
        default:
          values[i] = second[i]! < 0 ? fns[i]!(values[first[i]!]!) : fns[i]!(values[first[i]!]!, values[second[i]!]!)
      }
    }
    kinked.forEach((i, k) => {
      const node = graph.nodes[i]!
      sides[k] = Math.sign(OPS[node.op!].kink!(node.inputs.map((j) => values[j]!)))
    })
    base ??= values.slice()
    return values[graph.output]!
  }
  /** Back to the first (unperturbed) pass's values from `from` on. */
  const restore = (from: number) => values.set(base!.subarray(from), from)
  return { forward, restore, sides }
}

/** Variable node → the node of the first non-differentiable point its gradient passes through. */
function kinkedVariables(graph: Graph, trace: Omit<Trace, 'checks'>): Map<number, number> {
  const result = new Map<number, number>()
  const kinks = trace.flags.filter((f) => f.kind === 'non-differentiable' && f.edge !== undefined).slice(0, 100)
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
      stack.push(...node.inputs)
    }
  }
  return result
}
