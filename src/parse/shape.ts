// Statements that repeat one shape with other names are parsed once: the shape of a statement is
// its text with the names that stand for values taken out (see ARCHITECTURE.md, "One mathjs parse
// per statement shape").
import { CONSTANTS, functionArities } from '../ops.js'
import { foldExpr, type Expr, type Statement } from './expr.js'

/**
 * A statement's tree with its names taken out, in the order they are written. Programs repeat
 * one statement with other names (unrolled layers, generated chains): mathjs parses each shape
 * once, and the others are copies with their own names put in. Sound because mathjs parses a
 * plain name the same whatever it is called; the names a parse treats specially (function
 * names, constants, mathjs's words like `mod`, a name right after a number) never fill a slot.
 */
export interface Shape {
  expr: Expr
  /** Whether the first slot is the assigned name. */
  assigns: boolean
}

export const isPlainName = (name: string) => !Object.hasOwn(functionArities, name) && !Object.hasOwn(CONSTANTS, name)

/** The shape of a parsed statement, or null when its names are not its slots, in order (then it is not reused). */
export function shapeOf(statement: Statement, names: string[]): Shape | null {
  const assigns = statement.target !== undefined
  if (assigns && statement.target !== names[0]) return null
  let slot = assigns ? 1 : 0
  let matches = true
  // The same walk as instantiate's, so the names are read in the order they are put back.
  foldExpr(
    statement.expr,
    (leaf) => {
      if (leaf.kind === 'name' && leaf.name !== names[slot++]) matches = false
    },
    () => undefined,
  )
  return matches && slot === names.length ? { expr: statement.expr, assigns } : null
}

/** A statement of the shape with these names, which fill its slots in order. */
export function instantiate(shape: Shape, names: string[], offset: number): Statement {
  let slot = shape.assigns ? 1 : 0
  // Numbers are shared: Exprs are never changed.
  const expr = foldExpr<Expr>(
    shape.expr,
    (leaf) => (leaf.kind === 'name' ? { kind: 'name', name: names[slot++]! } : leaf),
    (op, args) => ({ kind: 'apply', op, args }),
  )
  return shape.assigns ? { target: names[0]!, expr, offset } : { expr, offset }
}

/**
 * The key of statement k's shape, and the names that fill its slots: the text around the slots
 * joined with NUL (which `keyed` says the text does not hold). The slices cover the whole text:
 * the first from 0, so that nothing before it goes unparsed.
 */
export function shapeKey(source: string, from: number, end: number, slots: number[]): { key: string; names: string[] } {
  const names: string[] = []
  let key = ''
  let at = from
  for (let s = 0; s < slots.length; s += 2) {
    key += source.slice(at, slots[s]) + '\u0000'
    names.push(source.slice(slots[s], slots[s + 1]))
    at = slots[s + 1]!
  }
  key += source.slice(at, end)
  return { key, names }
}
