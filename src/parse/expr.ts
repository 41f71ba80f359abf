// Our own small expression type, the parser's output: numbers, names and op applications. Nothing
// past the parser sees mathjs; everything walks this instead.
import type { OpId } from '../ops.js'

export type Expr = { kind: 'number'; value: number } | { kind: 'name'; name: string } | { kind: 'apply'; op: OpId; args: Expr[] }

/** A number or a name: an Expr without arguments. */
export type Leaf = Exclude<Expr, { kind: 'apply' }>

/**
 * Post-order over an Expr, leaves in the order they are written, with an explicit stack: programs
 * can nest 100,000 deep on one side.
 */
export function foldExpr<T>(root: Expr, leaf: (expr: Leaf) => T, operation: (op: OpId, args: T[]) => T): T {
  const stack: { expr: Expr; expanded: boolean }[] = [{ expr: root, expanded: false }]
  const results: T[] = []
  while (stack.length > 0) {
    const frame = stack.pop()!
    const expr = frame.expr
    if (expr.kind !== 'apply') {
      results.push(leaf(expr))
    } else if (!frame.expanded) {
      frame.expanded = true
      stack.push(frame)
      for (let i = expr.args.length - 1; i >= 0; i--) stack.push({ expr: expr.args[i]!, expanded: false })
    } else {
      results.push(operation(expr.op, results.splice(results.length - expr.args.length)))
    }
  }
  return results[0]!
}

export interface Statement {
  /** The assigned name, or undefined for a bare expression. */
  target?: string
  expr: Expr
  /** Offset of the statement's first character in the source. */
  offset: number
}

export interface Program {
  source: string
  statements: Statement[]
}
