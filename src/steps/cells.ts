// The pieces a lesson is made of. A cell says what it is (a name, a value, a local derivative, a
// gradient, a product, a sum); each face decides only how to write it: ∂ or d, · or *, Unicode or
// LaTeX. A phrase is words with cells in them, so a sentence keeps its maths as maths.
import type { OpId } from '../ops.js'
import { precedence, type Sym } from '../sym.js'
import type { Trace, TraceEdge } from '../trace.js'
import { rational } from '../canon.js'

export type Cell =
  /** A node's or a variable's name. */
  | { kind: 'name'; name: string }
  /** A value or an expression as it is; `precision` fixes the digits (finished sentences use the default). */
  | { kind: 'value'; value: Sym; precision?: number }
  /** A value inside a product: negative numbers and compound expressions in parentheses. */
  | { kind: 'factor'; value: Sym }
  /**
   * A local derivative: one operation alone, with respect to one of its inputs, its other inputs
   * held fixed. Written with the operation itself, ∂(t1·x)/∂x, never like a gradient.
   */
  | { kind: 'local'; expression: { op: OpId; args: Sym[] }; slot: number }
  /** A gradient: ∂of/∂wrt, the total effect of wrt on of along every path. */
  | { kind: 'grad'; of: string; wrt: string }
  /** A tangent of forward mode: ṅ, the derivative of node `of` with respect to the pass's input. */
  | { kind: 'tangent'; of: string }
  | { kind: 'product'; factors: Cell[] }
  /** A sum of terms, shortened to its first SUM_TERMS past that many. */
  | { kind: 'sum'; terms: Sym[] }
  /** A sign that has an ASCII spelling: ① ② · ± ⚠ η ← →. */
  | { kind: 'mark'; mark: Mark }

export type Mark = 'step1' | 'step2' | 'times' | 'plusMinus' | 'warn' | 'eta' | 'arrow' | 'to'

export type Phrase = (string | Cell)[]

/** Whether a value needs parentheses as a factor of a product: a negative number or an operator looser than ^ (x², tanh(x) need none). */
export const bracketedAsFactor = (s: Sym): boolean => precedence(s) <= 3

export const name = (text: string): Cell => ({ kind: 'name', name: text })
export const value = (s: Sym, precision?: number): Cell => (precision === undefined ? { kind: 'value', value: s } : { kind: 'value', value: s, precision })
export const factor = (s: Sym): Cell => ({ kind: 'factor', value: s })
export const grad = (of: string, wrt: string): Cell => ({ kind: 'grad', of, wrt })
export const tangent = (of: string): Cell => ({ kind: 'tangent', of })
export const product = (...factors: Cell[]): Cell => ({ kind: 'product', factors })
export const sum = (terms: Sym[]): Cell => ({ kind: 'sum', terms })
export const mark = (which: Mark): Cell => ({ kind: 'mark', mark: which })

/**
 * The local derivative of one edge, written with its consumer's own operation. When the operation
 * takes the same input twice (x·x), each use is marked (x[1]·x[2]) and the edge names its own.
 */
export function local(trace: Trace, edge: TraceEdge): Cell {
  const consumer = trace.nodes[edge.to]!
  const expression = consumer.expression as { op: OpId; args: Sym[] }
  const uses = consumer.inputs.filter((j) => j === edge.from).length
  if (uses < 2) return { kind: 'local', expression, slot: edge.slot }
  let k = 0
  const args = expression.args.map((arg, slot) => (consumer.inputs[slot] === edge.from ? { name: trace.nodes[edge.from]!.label, mark: ++k } : arg))
  return { kind: 'local', expression: { op: expression.op, args }, slot: edge.slot }
}

/** A local derivative of op written with placeholder inputs, for explaining a rule: ∂(u·v)/∂u. */
export function placeholderLocal(op: OpId, args: Sym[], slot: number): Cell {
  return { kind: 'local', expression: { op, args }, slot }
}

/** An edge's local derivative as every face writes it: at a tie of max or min the ½ the convention takes, not a formula ([x > y]) that says 0 beside it. */
export function localSym(trace: Pick<Trace, 'edges' | 'flags'>, edge: TraceEdge): Sym {
  return trace.flags.some((f) => f.convention === 'tie-split' && f.edge !== undefined && trace.edges[f.edge] === edge) ? rational(1, 2) : edge.local
}
