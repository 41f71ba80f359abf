// --mode forward / both: forward-mode differentiation beside the reverse pass. For one input x at a
// time, every node carries a tangent ṅ = ∂n/∂x with its value, seeded ẋ = 1 and 0 for every other
// input, and each node's tangent is the sum over its inputs of local derivative · input's tangent
// (dual numbers: the value and its tangent computed together). The local derivatives are the
// trace's own, so the two modes can differ only in the order they multiply them.
import { InputError } from '../errors.js'
import { LIMITS } from '../limits.js'
import { apply, isNumber, TOO_LONG, tooLong, type Sym } from '../sym.js'
import { keyOf } from '../canon.js'
import { edgesByConsumer, type Trace } from '../trace.js'

/** One node of a tangent pass: ṅ = Σ local(edge) · tangent(edge's input) over `edges`. */
export interface TangentRow {
  node: number
  /** Edges into the node whose input carries a tangent, in argument order. */
  edges: number[]
  /** The inputs' tangents, one per edge. */
  incoming: Sym[]
  tangent: Sym
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
    tangents.set(i, tangent)
    rows.push({ node: i, edges, incoming, tangent })
  }
  const result = tangents.get(trace.output) ?? 0
  const pass: TangentPass = { variable, node: seed, rows, result, operations }
  const agrees = same(result, gradient)
  if (agrees !== undefined) pass.agrees = agrees
  return pass
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
