// Symbolic values: numbers where everything is bound, small expression trees where some variables
// stay symbolic. Every constructor folds numbers with the op table's own forward functions, so a
// fully bound program computes exactly the numbers a plain evaluation would.
import { LIMITS } from './limits.js'
import { OPS, type OpId } from './ops.js'
import { canonical, exactFold } from './canon.js'

export type Sym =
  | number
  /**
   * A variable, or a node referred to by its label when its expression would be too long. `mark`
   * tells apart the uses of one input in an operation that takes it twice: x[1]·x[2] for x·x.
   */
  | { name: string; mark?: number }
  /** d(of)/d(wrt), standing in for a gradient expression that would be too long. */
  | { grad: { of: string; wrt: string } }
  | { op: OpId; args: Sym[] }
  /** An expression longer than LIMITS.maxSymTerms, and everything computed from it. */
  | { tooLong: true }

export const TOO_LONG: Sym = { tooLong: true }

export interface SymBuilder {
  add(a: Sym, b: Sym): Sym
  sub(a: Sym, b: Sym): Sym
  mul(a: Sym, b: Sym): Sym
  div(a: Sym, b: Sym): Sym
  pow(a: Sym, b: Sym): Sym
  neg(a: Sym): Sym
  apply(op: OpId, args: Sym[]): Sym
}

const isApply = (s: Sym, op?: OpId): s is { op: OpId; args: Sym[] } => typeof s === 'object' && 'op' in s && (op === undefined || s.op === op)

/** Builds `op(args)`: numbers fold as doubles, anything symbolic goes to its canonical form. */
export function apply(op: OpId, args: Sym[]): Sym {
  const [a, b] = args as [Sym, Sym]
  // Fully bound programs take only this branch: plain double arithmetic.
  if (typeof a === 'number' && (args.length === 1 || typeof b === 'number')) {
    return args.length === 1 ? OPS[op].value(a) : OPS[op].value(a, b as number)
  }
  if (args.some(isTooLong)) return op === 'mul' && (a === 0 || b === 0) ? 0 : TOO_LONG
  return canonical(op, args)
}

export const isTooLong = (s: Sym) => typeof s === 'object' && 'tooLong' in s

/** The names a symbolic value uses (variables, and nodes referred to by label), each once, in order of first use. */
export function symNames(s: Sym, into: string[] = []): string[] {
  if (typeof s !== 'object') return into
  if ('name' in s) {
    if (!into.includes(s.name)) into.push(s.name)
  } else if ('op' in s) for (const arg of s.args) symNames(arg, into)
  return into
}

/** A builder over one way of applying an op. */
const builder = (make: (op: OpId, args: Sym[]) => Sym): SymBuilder => ({
  add: (a, b) => make('add', [a, b]),
  sub: (a, b) => make('sub', [a, b]),
  mul: (a, b) => make('mul', [a, b]),
  div: (a, b) => make('div', [a, b]),
  pow: (a, b) => make('pow', [a, b]),
  neg: (a) => make('neg', [a]),
  apply: make,
})

export const S: SymBuilder = builder(apply)

/**
 * The builder for formulas in a program's own terms: numbers that are exact stay exact (1/3,
 * log(2)), as a textbook keeps them; S folds them to doubles, as the numeric trace must.
 */
export const E: SymBuilder = builder(exactApply)

function exactApply(op: OpId, args: Sym[]): Sym {
  return exactFold(op, args) ?? apply(op, args)
}

/**
 * Number of terms (the numbers and names written), counting no further than `limit` so it stays
 * cheap. A fraction 1/3 is one number. An expression of more than LIMITS.maxSymOperations
 * operations counts as `limit` however few its terms: sin(sin(…(x)…)) has one.
 */
export function symTerms(s: Sym, limit = LIMITS.maxSymTerms + 1): number {
  let count = 0
  let operations = 0
  const stack: Sym[] = [s]
  while (stack.length > 0 && count < limit) {
    const top = stack.pop()!
    if (isApply(top) && !(top.op === 'div' && typeof top.args[0] === 'number' && typeof top.args[1] === 'number')) {
      if (++operations > LIMITS.maxSymOperations) return limit
      for (const arg of top.args) stack.push(arg)
    } else count += isTooLong(top) ? limit : 1
  }
  return count
}

/** Whether an expression is too long to show (and is shown as a reference or "too long"). */
export const tooLong = (s: Sym) => symTerms(s) > LIMITS.maxSymTerms

export const isNumber = (s: Sym): s is number => typeof s === 'number'

/** How to write a Sym: the renderers differ only in these choices. */
export interface SymStyle {
  number: (n: number) => string
  /** Multiplication sign: '*' or '·'. */
  times: string
  /** How a too-long gradient is referred to, e.g. ∂L/∂t3. */
  grad: (of: string, wrt: string) => string
  /** Write small integer powers as superscripts (t3²). */
  superscripts: boolean
  /** Spaces around + and -. */
  spaced: boolean
  /** What a too-long expression is written as (default TOO_LONG_TEXT). */
  tooLong?: string
  /** Parenthesize every nested operator, to make precedence visible: ((x*w) + b). */
  allParens?: boolean
  /** How a name is written, where not as it is (an entry W[1, 2] as W₁₂). */
  name?: (name: string) => string
  /** How [a > b] is written, where not as the tables write it. */
  indicator?: (a: string, relation: string, b: string) => string
}

const SUPERSCRIPT: Record<string, string> = { '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹' }

/** Precedence of a Sym as written, for parenthesizing. Negative numbers bind like unary minus. */
export function precedence(s: Sym): number {
  if (typeof s === 'number') return s < 0 || Object.is(s, -0) ? 3 : 9
  if (!isApply(s)) return 9
  const n = OPS[s.op].notation
  return n.kind === 'infix' || n.kind === 'prefix' ? n.precedence : 9
}

/** What a face writes for an expression too long to show. */
export const TOO_LONG_TEXT = 'too long to show'

/**
 * Whether a prefix operator's operand needs parentheses: −(a + b), but −x·y, since (−x)·y and
 * −(x·y) are equal and a textbook writes neither bracket.
 */
export function prefixParens(op: OpId, inner: Sym): boolean {
  const p = precedence(inner)
  const notation = OPS[op].notation
  return notation.kind === 'prefix' && p <= notation.precedence && !(op === 'neg' && p === MUL_PRECEDENCE)
}

const MUL_PRECEDENCE = 2

/** Writes a Sym as text with the fewest parentheses that keep its structure. */
export function printSym(s: Sym, style: SymStyle): string {
  if (typeof s === 'number') return style.number(s)
  if ('name' in s) return s.mark === undefined ? (style.name ? style.name(s.name) : s.name) : `${s.name}[${s.mark}]`
  if ('grad' in s) return style.grad(s.grad.of, s.grad.wrt)
  if ('tooLong' in s) return style.tooLong ?? TOO_LONG_TEXT
  const notation = OPS[s.op].notation
  const args = s.args
  switch (notation.kind) {
    case 'call':
      return `${notation.name}(${args.map((a) => printSym(a, style)).join(', ')})`
    case 'iverson': {
      const [a, b] = [printSym(args[0]!, style), args.length > 1 ? printSym(args[1]!, style) : '0']
      return style.indicator ? style.indicator(a, notation.relation, b) : `[${a} ${notation.relation} ${b}]`
    }
    case 'prefix': {
      const inner = args[0]!
      const text = printSym(inner, style)
      return `${notation.symbol}${prefixParens(s.op, inner) ? `(${text})` : text}`
    }
    case 'infix': {
      const [left, right] = args as [Sym, Sym]
      const p = notation.precedence
      const nested = (x: Sym) => Boolean(style.allParens) && precedence(x) < 9
      const leftParen = nested(left) || (notation.rightAssoc ? precedence(left) <= p : precedence(left) < p)
      const rightParen = nested(right) || (notation.rightAssoc ? precedence(right) < p : precedence(right) <= p)
      const l = leftParen ? `(${printSym(left, style)})` : printSym(left, style)
      if (s.op === 'pow' && style.superscripts && typeof right === 'number' && Number.isInteger(right) && right >= 0 && right < 10) {
        return `${l}${SUPERSCRIPT[String(right)]}`
      }
      const r = rightParen ? `(${printSym(right, style)})` : printSym(right, style)
      const symbol = s.op === 'mul' ? style.times : notation.symbol
      const spaced = style.spaced && (s.op === 'add' || s.op === 'sub')
      return spaced ? `${l} ${symbol} ${r}` : `${l}${symbol}${r}`
    }
  }
}
