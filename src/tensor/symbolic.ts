// Symbolic tensors (--shape W=3x2): a layer's gradients as matrix formulas. Each node's value is a
// matrix expression in the program's names, each edge's contribution its rule applied to the
// upstream's expression, each gradient the sum of its contributions, collected as a textbook
// writes it (ᵀ, ⊙, sums over an axis, 1 vectors) and never multiplied out. Shapes come from the
// numeric engine itself, run on zeros of the declared shapes, so a shape error reads as it does
// with numbers. Element-wise rules come from the scalar table: each op's own local derivative,
// built on the operands' expressions.
import { InputError } from '../errors.js'
import { OPS, type OpId } from '../ops.js'
import { S, type Sym } from '../sym.js'
import { LIMITS } from '../limits.js'
import type { TensorGraph } from './graph.js'
import { TENSOR_OPS, type Params } from './ops.js'
import { forwardValues } from './trace.js'
import { expandedForm, type Build } from './symbolic-expand.js'
import { shapeText, type Shape } from './tensor.js'

/** A matrix expression; every node knows its shape (a vector is a column). */
export type M = { shape: Shape } & (
  | { k: 'name'; name: string }
  | { k: 'num'; value: number }
  /** All ones, of its shape: 1ₙ, a column, or 1ₘₓₙ. */
  | { k: 'ones' }
  | { k: 'matmul'; a: M; b: M }
  | { k: 'transpose'; a: M }
  /** An element-wise op of the scalar table (add, mul, tanh, …), scalars and rows broadcast. */
  | { k: 'ew'; op: OpId; args: M[] }
  /** A sum over every entry. */
  | { k: 'sum'; a: M }
  | { k: 'softmax' | 'logsumexp'; a: M; dim?: number }
  /** A vector's length, ‖a‖. */
  | { k: 'norm'; a: M }
  /** ∂out/∂node, standing in for a gradient too long to write out. */
  | { k: 'grad'; of: string; wrt: string }
)

const num = (value: number): M => ({ k: 'num', value, shape: [] })
/** A scalar, or a vector or matrix of one entry (wᵀ·x): it scales what it multiplies. */
const oneEntry = (s: Shape) => s.every((n) => n === 1)
const isNum = (m: M, value?: number): m is M & { k: 'num'; value: number } => m.k === 'num' && (value === undefined || m.value === value)
/** One expression as another: the same text in mathjs syntax (to compare and collect factors). */
const same = (a: M, b: M) => writeMath(a) === writeMath(b)

/** The shape of an element-wise result: the operands aligned from the right, each size equal or 1. */
function broadcast(shapes: Shape[]): Shape {
  const rank = Math.max(...shapes.map((s) => s.length))
  return Array.from({ length: rank }, (_, k) => Math.max(...shapes.map((s) => s[s.length - rank + k] ?? 1)))
}

// ——— Constructors that collect as they build ———

export function transpose(a: M): M {
  if (a.shape.length === 0 || isNum(a)) return a
  if (a.k === 'transpose') return a.a
  // (A·B)ᵀ is Bᵀ·Aᵀ, and (k·A)ᵀ is k·Aᵀ: the transposes go in, where they cancel or sit on names.
  if (a.k === 'matmul' && a.a.shape.length === 2 && (a.b.shape.length === 2 || a.b.k === 'ones')) return matmul(transpose(a.b), transpose(a.a))
  // (s·xᵀ)ᵀ with s one entry (wᵀ·x + b - y) is s·x.
  if (a.k === 'matmul' && oneEntry(a.a.shape)) return ew('mul', [a.a, transpose(a.b)])
  const [k, rest] = scaled(a)
  if (k !== 1 && rest !== a) return ew('mul', [num(k), transpose(rest)])
  const shape = a.shape.length === 1 ? [1, a.shape[0]!] : [a.shape[1]!, a.shape[0]!]
  if (a.k === 'ones') return { k: 'ones', shape }
  return { k: 'transpose', a, shape }
}

/** A number in front of a product, and what it multiplies: 2·X is [2, X], -X is [-1, X]. */
function scaled(m: M): [number, M] {
  if (m.k === 'ew' && m.op === 'neg') {
    const [k, rest] = scaled(m.args[0]!)
    return [-k, rest]
  }
  if (m.k === 'ew' && m.op === 'mul' && isNum(m.args[0]!) && m.args.length === 2) return [m.args[0].value, m.args[1]!]
  // g / 2 is a half of g: the number comes out of a matrix product too.
  if (m.k === 'ew' && m.op === 'div' && isNum(m.args[1]!)) {
    const [k, rest] = scaled(m.args[0]!)
    return [k / m.args[1].value, rest]
  }
  return [1, m]
}

export function matmul(a: M, b: M): M {
  if (a.shape.length === 0 || b.shape.length === 0) return ew('mul', [a, b])
  // 𝟏ₘ·𝟏ₙᵀ is the m×n matrix of ones.
  if (a.k === 'ones' && b.k === 'ones' && a.shape.length === 1 && b.shape.length === 2 && b.shape[0] === 1)
    return { k: 'ones', shape: [a.shape[0]!, b.shape[1]!] }
  // Numbers come out in front: Wᵀ·(2·g) is 2·Wᵀ·g.
  const [ka, ra] = scaled(a)
  const [kb, rb] = scaled(b)
  if (ka * kb !== 1 || ra !== a || rb !== b) return ew('mul', [num(ka * kb), matmul(ra, rb)])
  const rows = a.shape[0]!
  const shape = b.shape.length === 1 ? [rows] : [rows, b.shape[1]!]
  // A column times a row: the outer product, as a matrix.
  return { k: 'matmul', a, b, shape: a.shape.length === 1 && b.shape.length === 2 && b.shape[0] === 1 ? [a.shape[0]!, b.shape[1]!] : shape }
}

export function ew(op: OpId, args: M[]): M {
  const shape = broadcast(args.map((a) => a.shape))
  const [a, b] = args as [M, M]
  if (args.every((x) => isNum(x))) return num(OPS[op].value(...args.map((x) => (x as { value: number }).value)))
  switch (op) {
    case 'identity':
      return a
    case 'add':
    case 'sub': {
      if (isNum(b, 0)) return a
      if (op === 'add' && isNum(a, 0)) return b
      if (op === 'sub' && isNum(a, 0)) return ew('neg', [b])
      const [ka, ra] = scaled(a)
      const [kb, rb] = scaled(b)
      // k·x ± m·x is (k ± m)·x.
      if (same(ra, rb)) return ew('mul', [num(op === 'add' ? ka + kb : ka - kb), ra])
      // -a + b is written b - a; a - (-b) is a + b.
      if (op === 'add' && ka < 0 && kb > 0) return ew('sub', [b, ew('neg', [a])])
      if (op === 'add' && b.k === 'ew' && b.op === 'neg') return ew('sub', [a, b.args[0]!])
      if (op === 'sub' && kb < 0) return ew('add', [a, kb === -1 ? rb : ew('mul', [num(-kb), rb])])
      break
    }
    case 'neg': {
      if (a.k === 'ew' && a.op === 'neg') return a.args[0]!
      if (isNum(a)) return num(-a.value)
      const [k, rest] = scaled(a)
      if (k !== 1) return ew('mul', [num(-k), rest])
      break
    }
    case 'div':
    case 'mul':
      return product(args, op === 'div', shape)
    case 'pow':
      if (isNum(b, 1)) return a
      break
  }
  return { k: 'ew', op, args, shape }
}

/**
 * A product (or quotient) collected as a textbook writes it: the numbers into one fraction in
 * front, a repeated factor a power, a factor above and below the line cancelled (y ⊙ p / p is y),
 * ones dropped where the other factors have the shape already. Never multiplied out.
 */
function product(args: M[], divide: boolean, shape: Shape): M {
  let top = 1
  let bottom = 1
  let float = 1
  const above: [M, number][] = []
  const below: [M, number][] = []
  let ones: M | undefined
  const take = (f: M, up: boolean): void => {
    if (f.k === 'ew' && f.op === 'mul') return f.args.forEach((x) => take(x, up))
    if (f.k === 'ew' && f.op === 'div') {
      take(f.args[0]!, up)
      return take(f.args[1]!, !up)
    }
    if (f.k === 'ew' && f.op === 'neg') {
      top = -top
      return take(f.args[0]!, up)
    }
    if (isNum(f)) {
      // 0.25 from a rule (1/b folded) is the 1/4 it stands for.
      const inverse = 1 / f.value
      if (Number.isInteger(f.value)) up ? (top *= f.value) : (bottom *= f.value)
      else if (Number.isInteger(inverse)) up ? (bottom *= inverse) : (top *= inverse)
      else up ? (float *= f.value) : (float /= f.value)
      return
    }
    if (f.k === 'ones') return void (ones = f)
    // x .^ 2 met again is x .^ 3: a power's base is collected with the plain factor.
    const [base, power] = f.k === 'ew' && f.op === 'pow' && isNum(f.args[1]!) ? [f.args[0]!, f.args[1]!.value] : [f, 1]
    const into = up ? above : below
    const at = into.find(([g]) => same(g, base))
    if (at) at[1] += power
    else into.push([base, power])
  }
  take(args[0]!, true)
  args.slice(1).forEach((x) => take(x, !divide))
  cancel(above, below)
  if (top === 0) return { ...num(0), shape }
  ;[top, bottom] = lowestTerms(top, bottom)
  const power = ([f, n]: [M, number]) => (n === 1 ? f : ({ k: 'ew', op: 'pow', args: [f, num(n)], shape: f.shape } as M))
  const join = (fs: M[]) => fs.reduce((x, y) => ({ k: 'ew', op: 'mul', args: [x, y], shape: broadcast([x.shape, y.shape]) }) as M)
  // Scalars first: sum(y)·softmax(z), never softmax(z) ⊙ sum(y).
  const scalarsFirst = (fs: [M, number][]) => [...fs.filter(([f]) => f.shape.length === 0), ...fs.filter(([f]) => f.shape.length > 0)]
  // A negative power goes to the other side of the line (W.^-1 is 1 / W).
  const sides = [...above.map(([f, n]) => [f, n, true] as const), ...below.map(([f, n]) => [f, n, false] as const)].map(
    ([f, n, up]) => [f, Math.abs(n), n > 0 === up] as const,
  )
  const ups = scalarsFirst(sides.filter(([, n, up]) => up && n > 0).map(([f, n]) => [f, n])).map(power)
  const downs = sides.filter(([, n, up]) => !up && n > 0).map(([f, n]) => power([f, n]))
  if (float !== 1) top *= float
  const sized = (fs: M[]) => fs.length > 0 && broadcast(fs.map((f) => f.shape)).join('×') === shape.join('×')
  if (!sized([...ups, ...downs])) ups.push(ones ?? { k: 'ones', shape })
  let result: M = ups.length ? join(ups) : num(1)
  if (downs.length || bottom !== 1) {
    const denominator = [...(bottom !== 1 ? [num(bottom)] : []), ...downs]
    result = { k: 'ew', op: 'div', args: [result, join(denominator)], shape }
  }
  if (top === 1) return result
  if (top === -1) return { k: 'ew', op: 'neg', args: [result], shape }
  return { k: 'ew', op: 'mul', args: [num(top), result], shape }
}

/** A factor above and below the line cancelled, as far as their powers go (y ⊙ p / p is y). */
function cancel(above: [M, number][], below: [M, number][]): void {
  for (const entry of below) {
    const at = above.find(([g]) => same(g, entry[0]))
    if (!at) continue
    const common = Math.min(at[1], entry[1])
    at[1] -= common
    entry[1] -= common
  }
}

/** A fraction in lowest terms, its denominator positive. */
function lowestTerms(top: number, bottom: number): [number, number] {
  // Past 2^53 (1e200·1e200) a number is no exact integer: it is divided out as it is.
  if (!Number.isSafeInteger(top) || !Number.isSafeInteger(bottom)) return [top / bottom, 1]
  const gcd = (a: number, b: number): number => (b === 0 ? Math.abs(a) : gcd(b, a % b))
  const g = gcd(top, bottom) || 1
  return bottom / g < 0 ? [-top / g, -bottom / g] : [top / g, bottom / g]
}

/** A sum over every entry (a sum over an axis is a product with ones: axisSum). */
export function sum(a: M): M {
  if (a.shape.length === 0) return a
  // A number comes out of the sum: sum(-y) is -sum(y).
  const [k, rest] = scaled(a)
  if (k !== 1) return ew('mul', [num(k), sum(rest)])
  // The sum of ones is their count.
  if (a.k === 'ones') return num(a.shape.reduce((x, y) => x * y, 1))
  return { k: 'sum', a, shape: [] }
}

/**
 * A row (1×n) as the vector it stands for, a column: xᵀ is x, and an entry-by-entry expression of
 * vectors read as rows ((W·x)ᵀ ⊙ 𝟏ₙᵀ) is the same expression of the columns (W·x).
 */
function asColumn(g: M): M {
  const n = g.shape[1]!
  if (g.k === 'transpose' && g.a.shape.length === 1) return g.a
  if (g.k === 'ones') return { k: 'ones', shape: [n] }
  if (g.k === 'ew' && g.args.every((x) => x.shape.length < 2 || (x.shape[0] === 1 && x.shape[1] === n)))
    return ew(
      g.op,
      g.args.map((x) => (x.shape.length === 2 ? asColumn(x) : x)),
    )
  return { ...transpose(g), shape: [n] }
}

/** The gradient of a broadcast operand: the upstream summed over the axes it was copied along. */
function reduceTo(g: M, shape: Shape): M {
  if (g.shape.length === shape.length && g.shape.every((n, k) => n === shape[k])) return g
  if (shape.length === 0 || shape.every((n) => n === 1)) return g.shape.reduce((x, y) => x * y, 1) === 1 ? g : sum(g)
  // Summed over the rows, Gᵀ·𝟏 (a column, as a vector is here); over the columns, G·𝟏.
  const [m, n] = g.shape as [number, number]
  // A vector broadcast as a row into a row: its gradient is that row, as a column.
  if (g.shape.length === 2 && shape.length === 1 && m === 1) return asColumn(g)
  if (g.shape.length === 2 && shape.length === 1) return matmul(transpose(g), { k: 'ones', shape: [m] })
  if (g.shape.length === 2 && shape.length === 2)
    // A column bias (m×1) keeps its two dimensions: G·𝟏 with 𝟏 an n×1 matrix, as check reads it back.
    return shape[0] === 1 ? transpose(matmul(transpose(g), { k: 'ones', shape: [m] })) : matmul(g, { k: 'ones', shape: [n, 1] })
  return g
}

// ——— Printing: one writer, a notation per face (the tables, mathjs syntax, --ascii, LaTeX) ———

/** How a face writes a matrix expression: what differs between the tables, mathjs syntax and LaTeX. */
export interface MatrixNotation {
  /** mathjs syntax: a product beside .* bracketed (mathjs reads * and .* alike, from the left), .* after a one-entry factor. */
  math: boolean
  name: (name: string) => string
  grad: (of: string, wrt: string) => string
  ones: (shape: Shape) => string
  /** The matrix product, and a number in front of a product. */
  times: string
  transpose: (a: string) => string
  /** Entry by entry: + - ⊙ / .^ as infix signs. */
  infix: Record<'add' | 'sub' | 'mul' | 'div' | 'pow', string>
  /** A quotient as a fraction (LaTeX): its parts need no brackets. */
  fraction?: (top: string, bottom: string) => string
  /** An entry-by-entry power as an exponent (LaTeX's Hadamard power A^{∘2}). */
  power?: (base: string, exponent: string) => string
  /** [a > 0], (a > 0) for mathjs. */
  indicator: (a: string, relation: '>' | '≥', b: string) => string
  /** Brackets around a part (LaTeX's grow with it); (…) where not given. */
  paren?: (text: string) => string
  call: (fn: string, args: string[]) => string
  norm: (a: string) => string
}

const SUBSCRIPT: Record<string, string> = { '0': '₀', '1': '₁', '2': '₂', '3': '₃', '4': '₄', '5': '₅', '6': '₆', '7': '₇', '8': '₈', '9': '₉', '×': 'ₓ' }
const PRECEDENCE: Partial<Record<OpId, number>> = { add: 1, sub: 1, mul: 2, div: 2, pow: 4 }
const precedenceOf = (m: M): number =>
  m.k === 'ew' ? (m.op === 'neg' ? 3 : (PRECEDENCE[m.op] ?? 5)) : m.k === 'matmul' ? 2 : m.k === 'num' && m.value < 0 ? 3 : 5

/** A number as the formulas write it: an integer whole, anything else to 6 significant digits. */
const numText = (v: number) => (Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6))))

/** The tables' notation: W·x + b, xᵀ, ⊙, 𝟏₃. */
export const TEXT: MatrixNotation = {
  math: false,
  name: (name) => name,
  grad: (of, wrt) => `∂${of}/∂${wrt}`,
  ones: (shape) => {
    // 𝟏₃, a row 𝟏₃ᵀ, a matrix 𝟏₃ₓ₂; an n×1 matrix of ones is the column 𝟏ₙ too.
    const sub = (n: number) => [...String(n)].map((c) => SUBSCRIPT[c]).join('')
    if (shape.length === 2 && shape[0] === 1) return `𝟏${sub(shape[1]!)}ᵀ`
    return shape.length === 2 && shape[1] === 1 ? `𝟏${sub(shape[0]!)}` : `𝟏${shape.map(sub).join('ₓ')}`
  },
  times: '·',
  transpose: (a) => `${a}ᵀ`,
  infix: { add: ' + ', sub: ' - ', mul: ' ⊙ ', div: ' / ', pow: '.^' },
  indicator: (a, relation, b) => `[${a} ${relation} ${b}]`,
  call: (fn, args) => `${fn}(${args.join(', ')})`,
  norm: (a) => `‖${a}‖`,
}

/** mathjs syntax, as check and quiz answers take it: W*x + b, x', .*, ones(3); `names` spells names mathjs cannot read (h#2). */
const mathNotation = (names?: Map<string, string>): MatrixNotation => ({
  math: true,
  name: (name) => names?.get(name) ?? name,
  grad: (of, wrt) => names?.get(`d${of}_d${wrt}`) ?? `d${of}_d${wrt}`,
  ones: (shape) => `ones(${shape.join(', ')})`,
  times: '*',
  transpose: (a) => `${a}'`,
  infix: { add: ' + ', sub: ' - ', mul: ' .* ', div: ' ./ ', pow: '.^' },
  indicator: (a, relation, b) => `(${a} ${relation === '≥' ? '>=' : '>'} ${b})`,
  call: (fn, args) => `${fn}(${args.join(', ')})`,
  norm: (a) => `norm(${a})`,
})

export function write(m: M, n: MatrixNotation): string {
  const at = (x: M, min: number) => {
    const text = write(x, n)
    return precedenceOf(x) < min ? (n.paren ? n.paren(text) : `(${text})`) : text
  }
  switch (m.k) {
    case 'name':
      return n.name(m.name)
    case 'num':
      return numText(m.value)
    case 'ones':
      return n.ones(m.shape)
    case 'grad':
      return n.grad(m.of, m.wrt)
    case 'matmul':
      // mathjs reads * and .* alike, from the left: a product beside .* is always bracketed.
      return `${at(m.a, m.a.k === 'ew' && (m.a.op === 'mul' || m.a.op === 'div') && !isNum(m.a.args[0]!) ? 3 : 2)}${n.times}${at(m.b, 3)}`
    case 'transpose':
      return n.transpose(at(m.a, 5))
    case 'sum':
      return n.call('sum', [write(m.a, n)])
    case 'norm':
      return n.norm(write(m.a, n))
    case 'softmax':
    case 'logsumexp':
      return n.call(m.k, [write(m.a, n), ...(m.dim === undefined ? [] : [String(m.dim + 1)])])
    case 'ew': {
      // A vector beside a matrix is broadcast as a row (X·W + b): written bᵀ, as a column it is not.
      // So is a vector beside a row (x ⊙ xᵀ is a row, as the numbers make it, not an outer product).
      const rowed = m.args.map((x) => (x.shape.length === 1 && m.shape.length === 2 && m.shape[1]! > 1 && m.shape[1] === x.shape[0] ? transpose(x) : x))
      const [a, b] = rowed as [M, M]
      const fraction = (top: M, bottom: M) => (n.fraction ? n.fraction(write(top, n), write(bottom, n)) : `${at(top, 4)}${n.infix.div}${at(bottom, 3)}`)
      if (m.op === 'neg') return a.k === 'ew' && a.op === 'div' ? `-${fraction(a.args[0]!, a.args[1]!)}` : `-${at(a, 4)}`
      // A number times a product needs no parentheses: 2·Wᵀ·g.
      if (m.op === 'mul' && isNum(a) && a.shape.length === 0)
        return `${numText(a.value)}${n.times}${at(b, b.k === 'matmul' || (b.k === 'ew' && b.op === 'mul') ? 2 : 3)}`
      // A one-entry factor (wᵀ·x) scales: · in the table, .* for mathjs and check (a 1×1 matrix times a vector does not fit together).
      // (A dot product aᵀ·b is a 1×1 matrix to mathjs and check, whatever its shape here.)
      if (m.op === 'mul' && oneEntry(a.shape) && b.shape.length > 0 && !oneEntry(b.shape))
        return `${at(a, 3)}${n.math ? (a.shape.length === 0 && a.k !== 'matmul' ? '*' : ' .* ') : n.times}${at(b, 3)}`
      // Two numbers multiply as numbers: s·sum(x), not s ⊙ sum(x).
      if (m.op === 'mul' && a.shape.length === 0 && b.shape.length === 0 && !n.math) return `${at(a, 2)}${n.times}${at(b, 3)}`
      if (m.op === 'div' && n.fraction) return fraction(a, b)
      if (m.op === 'pow' && n.power) return n.power(at(a, 5), write(b, n))
      const p = PRECEDENCE[m.op]
      if (p !== undefined) {
        const left = m.op === 'pow' ? 5 : m.op === 'mul' && a.k === 'matmul' ? 3 : p
        const right = m.op === 'sub' || m.op === 'pow' || m.op === 'mul' || m.op === 'div' ? p + 1 : p
        return `${at(a, left)}${n.infix[m.op as keyof MatrixNotation['infix']]}${at(b, right)}`
      }
      if (m.op === 'step') return n.indicator(write(a, n), '>', '0')
      if (m.op === 'ge') return n.indicator(write(a, n), '≥', write(b, n))
      return n.call(
        OPS[m.op].call ?? m.op,
        rowed.map((x) => write(x, n)),
      )
    }
  }
}

export const writeText = (m: M) => write(m, TEXT)
/**
 * mathjs syntax, as check and quiz answers take it: W*x + b, x', .*, ones(3). `names` spells the
 * names a formula refers to where their own spelling is no mathjs name (h#2: # starts a comment).
 */
export const writeMath = (m: M, names?: Map<string, string>) => write(m, mathNotation(names))

/** The tables' --ascii: mathjs syntax, a gradient written dloss/dz as in the rest of the tool. */
const ASCII: MatrixNotation = { ...mathNotation(), grad: (of, wrt) => `d${of}/d${wrt}` }
export const writeAscii = (m: M) => write(m, ASCII)

/**
 * mathjs names for what a trace's formulas refer to by name (SymbolicTrace.where) where the
 * tables' spelling has a # (h#2 is h_2, ∂L/∂h#2 dL_dh_2), each lengthened with _ past any name
 * the program already uses.
 */
export function mathNames(trace: SymbolicTrace): Map<string, string> {
  const taken = new Set(trace.nodes.map((node) => node.label))
  const names = new Map<string, string>()
  for (const { name } of trace.where) {
    const text = writeMath(name)
    if (!text.includes('#')) continue
    let safe = text.replace(/#/g, '_')
    while (taken.has(safe)) safe += '_'
    taken.add(safe)
    names.set(name.k === 'name' ? name.name : text, safe)
  }
  return names
}

/** Names and numbers in an expression: how long it is to read. */
function terms(m: M): number {
  switch (m.k) {
    case 'name':
    case 'num':
    case 'ones':
    case 'grad':
      return 1
    case 'matmul':
      return terms(m.a) + terms(m.b)
    case 'ew':
      return m.args.reduce((s, x) => s + terms(x), 0)
    default:
      return terms(m.a)
  }
}

// ——— The trace ———

export interface SymbolicNode {
  label: string
  /** The nodes it is computed from, as the graph has them. */
  inputs: number[]
  kind: 'variable' | 'constant' | 'op'
  shape: Shape
  /** The operation in its inputs' labels (W·x + b), as the numeric tables write it. */
  expression?: string
  /** The value in the program's names. */
  value: M
}

export interface SymbolicEdge {
  consumer: number
  input: number
  slot: number
  /** The rule as the numeric tables write it (ḡ·xᵀ), and the shapes it multiplies. */
  formula: string
  /** The rule itself, an expression in ḡ and the operands' names. */
  rule: M
  shapes?: string
  contribution: M
  /**
   * Softmax under cross-entropy: p ⊙ ḡ is -T/n for a target T, and where each row of T sums to 1
   * (one-hot labels, probabilities) the contribution is the known form (p - T)/n. Not assumed:
   * said beside the formula, which holds for any T.
   */
  known?: { target: M; form: M }
}

export interface SymbolicTrace {
  source: string
  nodes: SymbolicNode[]
  edges: SymbolicEdge[]
  output: number
  /**
   * Each variable's gradient and its shape; `collected`, where it is shorter, the same multiplied
   * out and collected (the logistic loss's Xᵀ·(p - y) / 4), said beside the formula, never instead.
   */
  gradients: { name: string; shape: Shape; grad: M; collected?: M }[]
  /** The declared shapes, as given. */
  declared: Map<string, Shape>
  /**
   * What the formulas name instead of writing out (past LIMITS.maxMatrixTerms, and in the tables a
   * named layer's activations): each name (a node's, or ∂out/∂node) with its expression, in an
   * order where each uses only the names before it.
   */
  where: { name: M; value: M }[]
}

/** The ops a symbolic program may use: those with a matrix formula here. */
const SYMBOLIC_OPS = new Set(['elementwise', 'matmul', 'transpose', 'sum', 'mean', 'softmax', 'logsumexp', 'dot', 'norm'])

/**
 * A graph whose variables have values or declared shapes (zeros stand in for those), traced in
 * symbols. Throws InputError for an operation with no formula here.
 */
export function traceSymbolic(graph: TensorGraph, declared: Map<string, Shape>, { expand = false } = {}): SymbolicTrace {
  forwardValues(graph)
  const { nodes } = graph
  const out = nodes[graph.output]!
  if (out.value!.data.length !== 1)
    throw new InputError(
      `the output ${out.label} is ${out.value!.shape.length === 1 ? `a vector of ${out.value!.shape[0]} entries` : `a ${shapeText(out.value!.shape)} matrix`}; backpropagation starts from a scalar loss: end with sum(…) or mean(…) of it`,
    )
  const { values, named } = symbolicValues(graph, expand)
  const { grads, edges, placeholders } = symbolicBackward(graph, values, named)
  const where = [...nodes.flatMap((_, i) => (named[i] !== values[i] ? [{ name: named[i]!, value: values[i]! }] : [])), ...placeholders]
  return {
    source: graph.source,
    nodes: nodes.map((node, i) => ({
      label: node.label,
      inputs: node.inputs,
      kind: node.kind,
      // A vector's transpose is a row here (1×3), as a column's is.
      shape: values[i]!.shape,
      ...(node.expression ? { expression: node.expression } : {}),
      value: values[i]!,
    })),
    edges,
    output: graph.output,
    gradients: graph.variables.map((v) => {
      const grad = grads[v] ?? { ...num(0), shape: nodes[v]!.value!.shape }
      const collected = multipliedOut(grad)
      // Said only where it is a quarter shorter or more: a number taken out of a sum is no news.
      return { name: nodes[v]!.label, shape: nodes[v]!.value!.shape, grad, ...(terms(collected) <= 0.75 * terms(grad) ? { collected } : {}) }
    }),
    declared,
    where,
  }
}

/** Each node's value in the program's names, and the expression its consumers write it by (its name, where the program names a layer's activations). */
function symbolicValues(graph: TensorGraph, expand: boolean): { values: M[]; named: M[] } {
  const { nodes } = graph
  const values: M[] = []
  const named: M[] = []
  nodes.forEach((node, i) => {
    const shape = node.value!.shape
    if (node.kind === 'variable') values.push({ k: 'name', name: node.label, shape })
    else if (node.kind === 'constant') {
      if (node.value!.data.length !== 1)
        throw new InputError(
          `${node.expression ?? node.label}: a tensor constant in a symbolic program has no name to write it by; make it a variable (c) and declare its shape (--shape c=${node.value!.shape.join('x')})`,
        )
      // A constant as the program wrote it (sqrt(2), not 1.41421), unless it is a plain number.
      const value = node.value!.data[0]!
      const written = node.expression ?? node.label
      values.push(Number.isInteger(value) || /^[\d.]+$/.test(written) ? num(value) : { k: 'name', name: written, shape: [] })
    } else {
      if (!SYMBOLIC_OPS.has(node.op!))
        throw new InputError(
          `${node.expression}: ${TENSOR_OPS[node.op!].name(node.params)} has no matrix formula in a symbolic program; give every variable a value (--NAME VALUE) to trace it with numbers`,
        )
      refuseRowReading(
        node,
        node.inputs.map((k) => ({
          label: nodes[k]!.label,
          shown: nodes[k]!.kind === 'op' && !nodes[k]!.assigned ? `${nodes[k]!.label} = ${writeText(values[k]!)}` : nodes[k]!.label,
          shape: values[k]!.shape,
          variable: nodes[k]!.kind === 'variable',
        })),
      )
      values.push(
        forwardOf(
          node.op!,
          node.params,
          node.inputs.map((k) => named[k]!),
          shape,
        ),
      )
      // With every vector a column, an element-wise op of a column and a row would be a matrix
      // where the numbers make a vector: said rather than traced as another program.
      const entries = (s: Shape) => s.reduce((x, y) => x * y, 1)
      if (entries(values[i]!.shape) !== entries(shape))
        throw new InputError(
          `${node.expression}: with vectors as columns this is ${shapeText(values[i]!.shape)}, where the numbers make it ${shapeText(shape)}; transpose the row (or the column) so both are the same`,
        )
    }
    // Downstream, an assigned node is written by its name where it applies a function (H for
    // tanh(X·W1 + b1ᵀ), as a textbook names a layer's activations), or once it is long; `expand`
    // (the JSON) writes every formula in the variables alone, so that binding them evaluates it.
    const byName =
      node.assigned && node.kind === 'op' && i !== graph.output && (terms(values[i]!) > LIMITS.maxMatrixTerms || (!expand && callsFunction(values[i]!)))
    named.push(byName ? { k: 'name', name: node.label, shape } : values[i]!)
  })
  return { values, named }
}

/** An edge's rule, built as its contribution is: on ḡ and the operands' names. */
function ruleOf(nodes: TensorGraph['nodes'], values: M[], index: number, slot: number): M {
  const node = nodes[index]!
  const label = (k: number): M => (nodes[k]!.kind === 'constant' ? values[k]! : { k: 'name', name: nodes[k]!.label, shape: values[k]!.shape })
  const shape = values[index]!.shape
  const input = node.inputs[slot]!
  return vjpOf(
    node.op!,
    node.params,
    slot,
    { k: 'name', name: 'ḡ', shape },
    node.inputs.map(label),
    { k: 'name', name: node.label, shape },
    values[input]!.shape,
  )
}

/** The backward pass in symbols: each edge's contribution (its rule on the upstream's expression) and each node's gradient. */
function symbolicBackward(
  graph: TensorGraph,
  values: M[],
  named: M[],
): { grads: (M | undefined)[]; edges: SymbolicEdge[]; placeholders: SymbolicTrace['where'] } {
  const { nodes } = graph
  const out = nodes[graph.output]!
  const grads: (M | undefined)[] = new Array(nodes.length)
  const edges: SymbolicEdge[] = []
  const placeholders: SymbolicTrace['where'] = []
  grads[graph.output] = num(1)
  const live = nodes.map((n) => n.kind === 'variable')
  nodes.forEach((n, i) => n.kind === 'op' && n.inputs.some((k) => live[k]) && (live[i] = true))
  const outLabel = out.label
  for (let index = graph.output; index >= 0; index--) {
    const node = nodes[index]!
    let g = grads[index]
    if (!g || node.kind !== 'op') continue
    if (terms(g) > LIMITS.maxMatrixTerms) {
      const name: M = { k: 'grad', of: outLabel, wrt: node.label, shape: node.value!.shape }
      placeholders.push({ name, value: g })
      g = name
    }
    node.inputs.forEach((input, slot) => {
      if (!live[input]) return
      const edge = symbolicEdge(graph, values, named, index, slot, g!)
      edges.push(edge)
      grads[input] = grads[input] ? ew('add', [grads[input]!, edge.contribution]) : edge.contribution
    })
  }
  return { grads, edges, placeholders }
}

/** One edge of the backward pass: its rule, the shapes it multiplies, and its contribution from the upstream `g`. */
function symbolicEdge(graph: TensorGraph, values: M[], named: M[], index: number, slot: number, g: M): SymbolicEdge {
  const { nodes } = graph
  const node = nodes[index]!
  const input = node.inputs[slot]!
  const operands = node.inputs.map((k) => ({
    label: nodes[k]!.label,
    shape: nodes[k]!.value!.shape,
    ...(nodes[k]!.kind === 'constant' ? { constant: nodes[k]!.value!.data[0]! } : {}),
  }))
  // The node's own value inside its rule (tanh's 1 - tanh(z).^2) by its name where it has one: 1 - H.^2.
  const own = (m: M) => (named[index] === values[index] ? m : replaced(m, values[index]!, named[index]!))
  const contribution = own(
    vjpOf(
      node.op!,
      node.params,
      slot,
      g,
      node.inputs.map((k) => named[k]!),
      named[index]!,
      values[input]!.shape,
    ),
  )
  const shapes = TENSOR_OPS[node.op!].inputs(node.params)[slot]!.shapes?.(operands, node.value!.shape, node.params)
  const rule = ruleOf(nodes, values, index, slot)
  const known = node.op === 'softmax' ? crossEntropyForm(g, named[index]!) : undefined
  return { consumer: index, input, slot, formula: writeText(rule), rule, ...(shapes ? { shapes } : {}), contribution, ...(known ? { known } : {}) }
}

/**
 * Where the numbers would read a vector as a row, which a column cannot be: x*y or x*W with x a
 * vector on the left, and a vector beside an n×1 matrix (which the numbers broadcast to n×n).
 */
function refuseRowReading(node: TensorGraph['nodes'][number], inputs: { label: string; shown: string; shape: Shape; variable: boolean }[]): void {
  const [a, b] = inputs.map((n) => n.shape) as [Shape, Shape | undefined]
  const [la, lb] = inputs.map((n) => n.label) as [string, string | undefined]
  if (node.op === 'matmul' && a.length === 1 && b !== undefined && b.length === 2 && b[0] === 1)
    throw new InputError(
      `${node.expression}: ${la} is a vector, and the numbers read a vector on the left of * as a row, so ${la}*${lb} is not their outer product there: declare ${la}=${a[0]}x1 to mean it`,
    )
  if (node.op === 'matmul' && a.length === 1 && b !== undefined && b.length >= 1)
    throw new InputError(
      `${node.expression}: ${la} is a vector, a column in symbols, so ${la}*${lb} has no meaning; write ${la}'*${lb}${b.length === 1 ? ' for their dot product' : ''}`,
    )
  if (node.op !== 'elementwise' || b === undefined) return
  // An unnamed operand is said with what it computes (the vector t1 = W·x): the table that names it is not written.
  const [sa, sb] = inputs.map((n) => n.shown) as [string, string]
  // A vector of one entry, or a matrix of one row or column beside it, fits either way.
  const vector = (s: Shape) => s.length === 1 && s[0]! > 1
  const column = (s: Shape) => s.length === 2 && s[1] === 1 && s[0]! > 1
  if ((vector(a) && column(b)) || (column(a) && vector(b))) {
    const [name, shown, shape, variable] = column(a) ? [la, sa, a, inputs[0]!.variable] : [lb!, sb, b, inputs[1]!.variable]
    throw new InputError(
      `${node.expression}: ${shown} is ${shapeText(shape)} beside the vector ${column(a) ? sb : sa}, which the numbers would read as a row; a vector is a column in symbols: ${variable ? `declare ${name}=${shape[0]}` : 'write it as a vector'}`,
    )
  }
}

/** Whether `m` uses `part` anywhere. */
const uses = (m: M, part: M): boolean =>
  same(m, part) || (m.k === 'ew' ? m.args.some((x) => uses(x, part)) : 'a' in m ? uses(m.a, part) || ('b' in m && uses(m.b, part)) : false)

/** Under cross-entropy (ḡ ⊙ p = -k·T, T free of p): the target T and the known form k·(p - T). */
function crossEntropyForm(g: M, p: M): SymbolicEdge['known'] {
  const [k, target] = scaled(ew('mul', [p, g]))
  if (k >= 0 || uses(target, p) || target.k === 'ones') return undefined
  return { target, form: ew('mul', [num(-k), ew('sub', [p, target])]) }
}

/** `m` with every occurrence of `target` written as `by`. */
function replaced(m: M, target: M, by: M): M {
  return same(m, target) ? by : rebuilt(m, (x) => replaced(x, target, by))
}

/** What a symbolic trace's formulas use, for its notes: entry-by-entry ops, ones, a vector broadcast as a row, [a > 0]. */
export interface FormulaFeatures {
  entrywise: boolean
  ones: boolean
  onesMatrix: boolean
  rowed: boolean
  indicator: boolean
}

/** What the trace's formulas use, for the notes under them: each note only where it explains something written. */
export function formulaFeatures(trace: SymbolicTrace): FormulaFeatures {
  const f: FormulaFeatures = { entrywise: false, ones: false, onesMatrix: false, rowed: false, indicator: false }
  const walk = (m: M): void => {
    if (m.k === 'ones') {
      f.ones = true
      if (m.shape.length === 2 && m.shape[0]! > 1 && m.shape[1]! > 1) f.onesMatrix = true
    } else if (m.k === 'ew') {
      if (['mul', 'div', 'pow'].includes(m.op) && m.shape.length > 0 && !m.args.some((x) => x.shape.length === 0)) f.entrywise = true
      if (m.op === 'step' || m.op === 'ge') f.indicator = true
      if (m.args.some((x) => x.shape.length === 1 && m.shape.length === 2 && m.shape[1]! > 1 && m.shape[1] === x.shape[0])) f.rowed = true
      m.args.forEach(walk)
    } else if ('a' in m) {
      walk(m.a)
      if ('b' in m) walk(m.b)
    }
  }
  for (const node of trace.nodes) walk(node.value)
  for (const edge of trace.edges) [edge.rule, edge.contribution].forEach(walk)
  for (const g of trace.gradients) [g.grad, ...(g.collected ? [g.collected] : [])].forEach(walk)
  return f
}

/** `m` rebuilt with `f` applied to each of its parts. */
function rebuilt(m: M, f: (x: M) => M): M {
  switch (m.k) {
    case 'matmul':
      return matmul(f(m.a), f(m.b))
    case 'transpose':
      return transpose(f(m.a))
    case 'ew':
      return ew(m.op, m.args.map(f))
    case 'sum':
      return sum(f(m.a))
    case 'norm':
    case 'softmax':
    case 'logsumexp':
      return { ...m, a: f(m.a) }
    default:
      return m
  }
}

const BUILD: Build = { ew, num, scaled, key: (m) => writeMath(m) }

/** `m` with each entry-by-entry part multiplied out and collected where that is shorter (symbolic-expand.ts). */
function multipliedOut(m: M): M {
  const inner = rebuilt(m, multipliedOut)
  return inner.k === 'ew' ? (expandedForm(inner, BUILD, terms) ?? inner) : inner
}

/** Whether an expression applies a function of the scalar table or a softmax at its top. */
const callsFunction = (m: M): boolean =>
  m.k === 'softmax' || m.k === 'logsumexp' || m.k === 'norm' || (m.k === 'ew' && OPS[m.op].call !== undefined && !['max', 'min', 'pow'].includes(m.op))

/** A node's value from its inputs' expressions. */
function forwardOf(op: string, p: Params, [a, b]: M[], shape: Shape): M {
  switch (op) {
    case 'elementwise':
      return ew(p.fn!, b ? [a!, b] : [a!])
    case 'matmul':
      return matmul(a!, b!)
    case 'transpose':
      return transpose(a!)
    case 'sum':
      return axisSum(a!, p.dim)
    case 'mean': {
      const count = p.dim === undefined ? a!.shape.reduce((x, y) => x * y, 1) : a!.shape[p.dim]!
      return ew('div', [axisSum(a!, p.dim), num(count)])
    }
    case 'dot':
      // aᵀ·b, one number (the 1×1 product, as a scalar).
      return { ...matmul(transpose(a!), b!), shape: [] }
    case 'norm':
      return { k: 'norm', a: a!, shape: [] }
    default:
      return { k: op as 'softmax' | 'logsumexp', a: a!, ...(p.dim === undefined ? {} : { dim: p.dim }), shape }
  }
}

/** The contribution to input `slot` of an operation, given its upstream `g` and its operands' expressions. */
function vjpOf(op: string, p: Params, slot: number, g: M, xs: M[], out: M, inputShape: Shape): M {
  const [a, b] = xs as [M, M]
  switch (op) {
    case 'elementwise': {
      // The scalar table's own local derivative, built on the operands' expressions.
      const names = ['a', 'b']
      const local = fromSym(
        OPS[p.fn!].inputs[slot]!.local(
          S,
          xs.map((_, k) => ({ name: names[k]! }) as Sym),
        ),
        xs,
      )
      return reduceTo(ew('mul', [g, local]), inputShape)
    }
    case 'matmul':
      return slot === 0 ? matmul(g, transpose(b)) : matmul(transpose(a), g)
    case 'transpose':
      // A vector's transpose is a row: its gradient, a row too, goes back as the vector's column.
      return inputShape.length === 1 && g.shape.length === 2 ? asColumn(g) : transpose(g)
    case 'sum':
    case 'mean': {
      const count = p.dim === undefined ? a.shape.reduce((x, y) => x * y, 1) : a.shape[p.dim]!
      const spread = spreadTo(g, a.shape, p.dim)
      return op === 'mean' ? ew('div', [spread, num(count)]) : spread
    }
    case 'softmax': {
      // p ⊙ (ḡ − Σ(ḡ ⊙ p)), the sum over the softmax's own axis; or p ⊙ ḡ − p ⊙ Σ(ḡ ⊙ p) where that
      // is shorter (under cross-entropy, p ⊙ ḡ cancels to -y: softmax(z)·sum(y) - y).
      const inner = spreadTo(axisSum(ew('mul', [g, out]), p.dim), out.shape, p.dim)
      const factored = ew('mul', [out, ew('sub', [g, inner])])
      const distributed = ew('sub', [ew('mul', [out, g]), ew('mul', [out, inner])])
      return terms(distributed) < terms(factored) ? distributed : factored
    }
    case 'logsumexp': {
      const soft: M = { k: 'softmax', a, ...(p.dim === undefined ? {} : { dim: p.dim }), shape: a.shape }
      return ew('mul', [spreadTo(g, a.shape, p.dim), soft])
    }
    case 'dot':
      // Each vector's gradient is the other, scaled by ḡ.
      return ew('mul', [g, slot === 0 ? b : a])
    case 'norm':
      // ḡ·a/‖a‖: the length grows along the vector's own direction.
      return ew('mul', [g, ew('div', [a, out])])
  }
  throw new InputError(`${op} has no matrix formula here`)
}

/** A sum over every entry, or over an axis as a product with ones (Aᵀ·𝟏, A·𝟏), a column as every vector here. */
function axisSum(a: M, dim?: number): M {
  if (dim === undefined || a.shape.length < 2) return sum(a)
  const [m, n] = a.shape as [number, number]
  return dim === 0 ? matmul(transpose(a), { k: 'ones', shape: [m] }) : matmul(a, { k: 'ones', shape: [n] })
}

/** A reduced upstream copied back over the axis it was summed along: 𝟏·ḡᵀ, ḡ·𝟏ᵀ, or ḡ times ones for a full sum. */
function spreadTo(g: M, shape: Shape, dim?: number): M {
  // A scalar's sum is itself: its gradient is the upstream, no ones.
  if (shape.length === 0) return g
  if (dim === undefined || shape.length === 1) return ew('mul', [g, { k: 'ones', shape }])
  const [m, n] = shape as [number, number]
  // A sum over the rows (dim 0) is a row of n: each row of the result is it. Over the columns, a column of m.
  return dim === 0 ? matmul({ k: 'ones', shape: [m] }, transpose(g)) : matmul(g, transpose({ k: 'ones', shape: [n] }))
}

/** A scalar local derivative (1 - tanh(a)², in Sym names a and b) as an element-wise expression in the operands. */
function fromSym(s: Sym, xs: M[]): M {
  if (typeof s === 'number') return num(s)
  if ('name' in s) return xs[s.name === 'a' ? 0 : 1]!
  if ('op' in s)
    return ew(
      s.op,
      s.args.map((x) => fromSym(x, xs)),
    )
  throw new InputError('a local derivative that refers to another gradient has no matrix formula here')
}
