// --mode forward / both: forward-mode differentiation beside the reverse pass. For one input x at a
// time, every node carries a tangent ṅ = ∂n/∂x with its value, seeded ẋ = 1 and 0 for every other
// input, and each node's tangent is the sum over its inputs of local derivative · input's tangent
// (dual numbers: the value and its tangent computed together). The local derivatives are the
// trace's own, so the two modes can differ only in the order they multiply them.
import { InputError } from '../errors.js'
import { LIMITS } from '../limits.js'
import { apply, isNumber, TOO_LONG, tooLong, type Sym } from '../sym.js'
import { keyOf } from '../canon.js'
import { edgesByConsumer, selectingProduct, type Trace } from '../trace.js'

/** One node of a tangent pass: ṅ = Σ local(edge) · tangent(edge's input) over `edges`. */
export interface TangentRow {
  node: number
  /** Edges into the node whose input carries a tangent, in argument order. */
  edges: number[]
  /** The inputs' tangents, one per edge. */
  incoming: Sym[]
  tangent: Sym
  /**
   * With ∞ or NaN on the way, the tangent is the backward pass's product where the rule's differs
   * (0·∞, ∞ - ∞): one convention everywhere. `selected`: the edge whose op passed 0 instead of ∞·0.
   */
  reordered?: true
  selected?: number
}

/** The forward pass for one input: the nodes that depend on it, in order, with their tangents. */
export interface TangentPass {
  variable: string
  /** The input's node. */
  node: number
  rows: TangentRow[]
  /** ∂output/∂input: the output's tangent (0 when the output does not depend on the input). */
  result: Sym
  /** Multiply-adds this pass took: one per edge from a node that carries a tangent. */
  operations: number
  /** Whether `result` is the reverse pass's gradient (undefined where too long to compare). */
  agrees?: boolean
}

/** --mode: the backward pass (the default), tangent passes instead, or both with what each costs. */
export type Differentiation = 'reverse' | 'forward' | 'both'

export interface ForwardMode {
  passes: TangentPass[]
  /** One pass per input; its multiply-adds over all passes. */
  forward: { passes: number; operations: number }
  /** One backward pass per output; its multiply-adds (one per edge of the backward pass). */
  reverse: { passes: number; operations: number }
}

/** Forward mode when --mode asks for it (forward or both), for the inputs --wrt chooses. */
export const forwardFor = (trace: Trace, options: { mode?: string; wrt?: string[] }) =>
  options.mode === 'forward' || options.mode === 'both' ? forwardMode(trace, options.wrt) : undefined

/** Tangent passes for the chosen inputs (default every variable), with what each mode cost. */
export function forwardMode(trace: Trace, variables?: string[]): ForwardMode {
  const chosen = trace.gradients.filter((g) => !variables || variables.includes(g.name))
  const work = chosen.length * trace.edges.length
  if (work > LIMITS.maxForwardWork) {
    throw new InputError(
      `forward mode on ${chosen.length} inputs of a program with ${trace.edges.length} edges is ${work} multiply-adds, past the limit of ${LIMITS.maxForwardWork}; choose inputs with --wrt`,
    )
  }
  const into = edgesByConsumer(trace)
  const passes = chosen.map((g) => tangentPass(trace, into, g.node, g.name, g.grad))
  return {
    passes,
    forward: { passes: passes.length, operations: passes.reduce((sum, p) => sum + p.operations, 0) },
    reverse: { passes: 1, operations: trace.backward.length },
  }
}

function tangentPass(trace: Trace, into: number[][], seed: number, variable: string, gradient: Sym): TangentPass {
  const tangents = new Map<number, Sym>([[seed, 1]])
  const rows: TangentRow[] = []
  let operations = 0
  // Edge visits the backward pass's order may take in this pass (one sweep per row where ∞ or NaN is met).
  let budget = trace.edges.every((e) => isNumber(e.localValue)) ? LIMITS.maxForwardWork : 0
  for (let i = seed + 1; i < trace.nodes.length; i++) {
    const edges = into[i]!.filter((e) => tangents.has(trace.edges[e]!.from))
    if (edges.length === 0) continue
    const incoming = edges.map((e) => tangents.get(trace.edges[e]!.from)!)
    let tangent: Sym = 0
    edges.forEach((e, k) => {
      tangent = apply('add', [tangent, apply('mul', [trace.edges[e]!.localValue, incoming[k]!])])
      operations++
    })
    if (!isNumber(tangent) && tooLong(tangent)) tangent = TOO_LONG
    const row: TangentRow = { node: i, edges, incoming, tangent }
    // With ∞ or NaN on the way, the order the chain is multiplied in decides the number (0·∞, ∞ - ∞):
    // take it in the backward pass's order, with its selections, where the two differ.
    if (budget > 0 && edges.some((e, k) => !finiteNumber(trace.edges[e]!.localValue) || !finiteNumber(incoming[k]!))) {
      budget -= trace.edges.length
      const { grad, selected } = backwardFrom(trace, into, i, seed, tangents)
      if (!sameNumber(grad, tangent as number)) {
        row.tangent = grad
        row.reordered = true
        if (selected !== undefined) row.selected = selected
      }
    }
    tangents.set(i, row.tangent)
    rows.push(row)
  }
  const result = tangents.get(trace.output) ?? 0
  const pass: TangentPass = { variable, node: seed, rows, result, operations }
  const agrees = same(result, gradient)
  if (agrees !== undefined) pass.agrees = agrees
  return pass
}

/** A number that is not ∞ or NaN (an expression counts as finite: it is multiplied as written). */
const finiteNumber = (a: Sym) => !isNumber(a) || Number.isFinite(a)

const sameNumber = (a: number, b: number) => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b))

/**
 * ∂top/∂seed as the backward pass computes it: seeded 1 at `top`, each consumer before its inputs,
 * upstream × local with the selections of selectingProduct, over the nodes that depend on the seed.
 */
function backwardFrom(trace: Trace, into: number[][], top: number, seed: number, depends: Map<number, Sym>): { grad: number; selected?: number } {
  const grads = new Map<number, number>([[top, 1]])
  let selected: number | undefined
  for (let i = top; i >= seed; i--) {
    const upstream = grads.get(i)
    if (upstream === undefined || i === seed) continue
    for (const e of into[i]!) {
      const edge = trace.edges[e]!
      if (!depends.has(edge.from)) continue
      const local = edge.localValue as number
      const contribution = selectingProduct(upstream, local, trace.nodes[i]!, (j) => trace.nodes[j]!.value, edge.slot)
      if (contribution === 0 && local === 0 && !Number.isFinite(upstream)) selected ??= e
      grads.set(edge.from, (grads.get(edge.from) ?? 0) + contribution)
    }
  }
  return { grad: grads.get(seed) ?? 0, ...(selected === undefined ? {} : { selected }) }
}

/**
 * Whether two results are the same number (to rounding) or the same expression; undefined where
 * they cannot be compared as written (too long, or the reverse one in the program's names, ∂L/∂h).
 */
function same(a: Sym, b: Sym): boolean | undefined {
  if (isNumber(a) && isNumber(b)) return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)) || (Number.isNaN(a) && Number.isNaN(b)) || a === b
  if (isNumber(a) !== isNumber(b)) return false
  return keyOf(a) === keyOf(b) ? true : undefined
}
