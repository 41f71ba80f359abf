// The tensor op table: each operation's shape rule, forward values and vector-Jacobian products
// (the rules a textbook writes: ∂L/∂W = ḡ·xᵀ), with their names and why, beside the scalar table
// (src/ops.ts), whose functions and local derivatives apply entry by entry here.
import { OPS, type Convention, type OpId } from '../ops.js'
import { S, printSym, type Sym } from '../sym.js'
import { formatNumber } from '../format.js'
import {
  broadcastAxes,
  broadcastIndex,
  broadcastShapes,
  isScalar,
  offsetOf,
  sameShape,
  shapeText,
  size,
  tensor,
  transposeData,
  transposeOf,
  unbroadcast,
  type Shape,
  type Tensor,
} from './tensor.js'
import { CONV1D, CONV2D, MAXPOOL1D, MAXPOOL2D } from './conv.js'

export type TensorOpId =
  | 'elementwise'
  | 'matmul'
  | 'transpose'
  | 'sum'
  | 'mean'
  | 'dot'
  | 'maxall'
  | 'minall'
  | 'softmax'
  | 'logsumexp'
  | 'norm'
  | 'entry'
  | 'slice'
  | 'conv1d'
  | 'conv2d'
  | 'maxpool1d'
  | 'maxpool2d'
  | 'flip'

/** What an operation needs beyond its inputs: the scalar function, the dimension, the entry. */
export interface Params {
  /** elementwise: the scalar op applied entry by entry. */
  fn?: OpId
  /** Reductions and softmax: the 0-based axis (written 1-based, as mathjs), or undefined for all entries. */
  dim?: number
  /** entry: the 0-based index per dimension (LAST: mathjs's `end`). */
  index?: number[]
  /** How the program wrote it, where it matters: `.*` or `*`, `./` or `/`, `'` or transpose(). */
  written?: string
  /** transpose in an answer or claim: a vector's transpose is a row (1×n). */
  row?: boolean
  /** slice: per dimension, the 0-based first and last index kept (LAST: mathjs's `end`). */
  ranges?: [number, number][]
  /** conv1d, conv2d: the step between windows (1 unless given) and the zeros added at each edge (0). */
  stride?: number
  padding?: number
  /** maxpool1d, maxpool2d: the window's size k, which is also its stride. */
  size?: number
}

export interface TensorRule {
  /** Stable id, kept in the JSON. */
  id: string
  /** Short name shown in the tables. */
  name: string
  /** Why the rule is what it is, for --explain and the notes. */
  why: string
}

/** The input of an operation, as a rule sees it. */
export interface Operand {
  label: string
  shape: Shape
  /** A scalar constant's value (the 2 of x .^ 2): written into a rule as the number. */
  constant?: number
}

export interface TensorInput {
  rule: TensorRule
  /** The contribution ∂L/∂input given the upstream ḡ = ∂L/∂output. */
  vjp: (g: Tensor, xs: Tensor[], out: Tensor, p: Params) => Tensor
  /**
   * The rule as a formula in ḡ and the operands' labels: "ḡ·xᵀ", "Wᵀ·ḡ", "ḡ ⊙ (1 - tanh(a)²)";
   * words inside it are marked ‹so›, for faces that set them apart from the maths (LaTeX's \text).
   */
  formula: (operands: Operand[], out: Shape, p: Params) => string
  /** The shapes the formula multiplies, when it is a product: "3×1 · 1×2 → 3×2". */
  shapes?: (operands: Operand[], out: Shape, p: Params) => string
  /** Forward mode: what a tangent ṫ of this input (shaped like it) adds to the output's tangent, the rest held. */
  jvp: (t: Tensor, xs: Tensor[], out: Tensor, p: Params) => Tensor
  /** The same as a formula in the input's tangent ⟪x⟫ and the operands' labels: "Ẇ·x", "ż ⊙ (1 - tanh(z)²)". */
  tangentFormula: (operands: Operand[], out: Shape, p: Params) => string
  /**
   * Where the rule is a convention rather than a derivative (a kink, a tie, the zero vector), by
   * convention: the entries of the output (element-wise ops) or of the input (reductions) it
   * holds at. Absent for a rule differentiable everywhere.
   */
  conventions?: (xs: Tensor[], out: Tensor, p: Params) => Map<TensorConvention, { shape: Shape; entries: number[] }>
}

/** The scalar conventions, and the two of reductions: a tie for max or min over many entries, norm at the zero vector. */
export type TensorConvention = Convention | 'tie-extreme' | 'zero-norm' | 'pool-tie'

export interface TensorOp {
  /** The result's shape, or a message saying why the operands do not fit (the caller adds where). */
  shape: (shapes: Shape[], p: Params) => number[] | string
  /** How the result's shape follows from the operands' (with `inputs` of them), in words: the quiz's first hint for the shape question. */
  shapeRule: string | ((p: Params, inputs: number) => string)
  forward: (xs: Tensor[], p: Params) => Tensor
  /** How a node is written from its inputs' labels. */
  write: (labels: string[], p: Params) => string
  /** One entry per input, or one shared by all inputs (elementwise ops take 1 or 2). */
  inputs: (p: Params) => TensorInput[]
  /** A short name for the tables' op column. */
  name: (p: Params) => string
  /** An operation that selects (max-pooling): which entry it took, per output entry, so a check can see a switch within h. */
  branches?: (xs: Tensor[], out: Tensor, p: Params) => Int32Array
  /** Multiply-adds of the forward pass, where it is more than one per entry (a convolution's output × kernel). */
  work?: (shapes: Shape[], out: Shape) => number
  /** A note the trace prints about the operation at these values (max-pooling's winners), given its inputs' labels. */
  notes?: (xs: Tensor[], out: Tensor, p: Params, labels: string[]) => string
}

const rule = (id: string, name: string, why: string): TensorRule => ({ id, name, why })
const G = 'ḡ'
/** The tangent of an operand in a formula, marked for each face to write (ẋ, dot(x), \dot{x}). */
export const tangentOf = (label: string) => `⟪${label}⟫`
const T = 'ᵀ'
/** A label as a factor: parenthesized when it is an expression rather than a name. */
// A name, an entry of one (x[1], W[2, 1]), a number or a bracket stands alone as a factor.
const factor = (label: string) => (/^[\p{L}_$][\p{L}\p{N}_$#]*(?:\[[\d, ]+\])?$|^[\d.]+$|^\[[^()]*\]$/u.test(label) || bracketed(label) ? label : `(${label})`)
/** Whether a sum or difference sits outside every bracket of the text (1 - tanh(z)², not [z > 0]). */
function hasTopLevelSum(text: string): boolean {
  let depth = 0
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (c === '(' || c === '[') depth++
    else if (c === ')' || c === ']') depth--
    else if (depth === 0 && (c === '+' || c === '-') && text[i - 1] === ' ' && text[i + 1] === ' ') return true
  }
  return false
}

/** Whether text is one bracketed group, (…), already. */
function bracketed(text: string): boolean {
  if (!text.startsWith('(')) return false
  let depth = 0
  for (let i = 0; i < text.length; i++) {
    depth += text[i] === '(' ? 1 : text[i] === ')' ? -1 : 0
    if (depth === 0) return i === text.length - 1
  }
  return false
}
const dimWord = (dim: number | undefined) => (dim === undefined ? '' : `, ${dim + 1}`)

// ——— Element-wise operations: the scalar table's functions, entry by entry, with broadcasting ———

/** Sym names standing for the operands in a printed local derivative. */
const NAMES = ['a', 'b']

export function localAt(fn: OpId, slot: number, args: number[]): number {
  return OPS[fn].inputs[slot]!.local(S, args) as number
}

/** The local derivative of `fn` for `slot`, written in the operands' labels (1 - tanh(a)²), and the operands it uses. */
export function localText(fn: OpId, slot: number, operands: Operand[]): { text: string; uses: number[] } {
  const local = OPS[fn].inputs[slot]!.local(
    S,
    operands.map((o, k) => o.constant ?? ({ name: NAMES[k]! } as Sym)),
  )
  const text = printSym(local, {
    number: (n) => formatNumber(n, 6),
    times: '·',
    grad: (of, wrt) => `∂${of}/∂${wrt}`,
    superscripts: true,
    spaced: true,
  })
  const uses: number[] = []
  const written = operands.reduce((t, o, k) => {
    // ² and ³ are numbers to Unicode, not name characters: b² is b squared.
    const name = new RegExp(`(?<![\\p{L}\\p{N}_$])${NAMES[k]}(?![\\p{L}\\p{Nd}_$(])`, 'gu')
    if (name.test(t)) uses.push(k)
    return t.replace(name, factor(o.label))
  }, text)
  return { text: written, uses }
}

const ELEMENTWISE_WORDS: Partial<Record<OpId, string>> = {
  add: 'sum',
  sub: 'difference',
  mul: 'product',
  div: 'quotient',
  pow: 'power',
  neg: 'negation',
}

/**
 * Each entry of an element-wise op's output times its local derivative for `slot`: `other(i, at)`
 * is the factor beside it (ḡ's entry i backward, the tangent's entry at the input's index `at`
 * forward). relu, max, min and pow's masks select (as PyTorch does): a blocked entry gets 0, even from ∞.
 */
function byLocal(xs: Tensor[], out: Tensor, p: Params, slot: number, other: (i: number, at: number) => number): Float64Array {
  const fn = p.fn!
  const op = OPS[fn]
  const index = xs.map((x) => broadcastIndex(x.shape, out.shape))
  const result = new Float64Array(out.data.length)
  const args = new Array<number>(xs.length)
  for (let i = 0; i < result.length; i++) {
    for (let k = 0; k < xs.length; k++) args[k] = xs[k]!.data[index[k]![i]!]!
    const d = localAt(fn, slot, args)
    result[i] = d === 0 && op.selects?.(args, slot) ? 0 : other(i, index[slot]![i]!) * d
  }
  return result
}

function elementwiseInput(slot: number): TensorInput {
  return {
    rule: rule(
      'elementwise',
      'element-wise',
      'an element-wise operation acts on each entry alone, so its Jacobian is diagonal: ḡ times the local derivative, entry by entry',
    ),
    vjp: (g, xs, out, p) =>
      unbroadcast(
        tensor(
          out.shape,
          byLocal(xs, out, p, slot, (i) => g.data[i]!),
        ),
        xs[slot]!.shape,
      ),
    jvp: (t, xs, out, p) =>
      tensor(
        out.shape,
        byLocal(xs, out, p, slot, (_, at) => t.data[at]!),
      ),
    conventions: (xs, out, p) => {
      const found = new Map<TensorConvention, { shape: Shape; entries: number[] }>()
      const convention = OPS[p.fn!].convention
      if (!convention) return found
      const index = xs.map((x) => broadcastIndex(x.shape, out.shape))
      const args = new Array<number>(xs.length)
      for (let i = 0; i < out.data.length; i++) {
        for (let k = 0; k < xs.length; k++) args[k] = xs[k]!.data[index[k]![i]!]!
        const c = convention(args, slot)
        if (c) (found.get(c) ?? found.set(c, { shape: out.shape, entries: [] }).get(c)!).entries.push(i)
      }
      return found
    },
    tangentFormula: (operands, out, p) => {
      const { text, uses } = localText(p.fn!, slot, operands)
      const own = operands[slot]!
      const dotted = tangentOf(own.label)
      const times = out.length === 0 || isScalar(own) || uses.every((k) => isScalar(operands[k]!)) ? '·' : '⊙'
      const scaled = text === '1' ? dotted : text === '-1' ? `-${dotted}` : `${hasTopLevelSum(text) ? `(${text})` : text} ${times} ${dotted}`
      // A smaller input is copied across the output's shape, as the program's own broadcasting copies it.
      return sameShape(own.shape, out) ? scaled : `${scaled}‹, ${own.shape.length === 0 ? 'copied to every entry' : 'broadcast'}›`
    },
    formula: (operands, out, p) => {
      const { text, uses } = localText(p.fn!, slot, operands)
      // ḡ times a scalar is a scaling (·); times a tensor, a product entry by entry (⊙).
      const times = out.length === 0 || uses.every((k) => isScalar(operands[k]!)) ? '·' : '⊙'
      const bracketed = hasTopLevelSum(text) ? `(${text})` : text
      const scaled = text === '1' ? G : text === '-1' ? `-${G}` : `${G} ${times} ${bracketed}`
      const own = operands[slot]!.shape
      if (sameShape(own, out)) return scaled
      // Broadcasting copied this input; its gradient adds the copies back up.
      if (own.length === 0) return `${scaled}‹, summed over every entry›`
      const axes = broadcastAxes(own, out)
      return `${scaled}‹, summed over ${out.length === 2 && axes.length === 1 ? (axes[0] === 0 ? 'the rows' : 'the columns') : 'every entry'}›`
    },
  }
}

const ELEMENTWISE: TensorOp = {
  shapeRule: (p, inputs) =>
    inputs > 1
      ? 'entry by entry, with broadcasting: the shapes aligned from the right, each size equal or 1, and the larger taken'
      : p.fn === 'identity'
        ? 'a name for a value is that value: the same shape'
        : 'a function of each entry keeps the shape',
  shape: (shapes, p) => {
    // mathjs's / and ^ are matrix division and matrix power once a matrix is involved.
    if (p.written === '/' && !isScalar({ shape: shapes[1]! }))
      return `a / b with b ${shapes[1]!.length === 1 ? 'a vector' : 'a matrix'} is mathjs's matrix division; for entry-by-entry division write ./`
    if (p.written === '^' && shapes.some((s) => s.length > 0)) return "A^n of a matrix is mathjs's matrix power (A·A·…); for each entry to a power write .^"
    let out: number[] | undefined = [...shapes[0]!]
    for (const s of shapes.slice(1)) out = out && broadcastShapes(out, s)
    if (out) return out
    // A vector as long as a matrix's rows meant one value per row (a row mean): say how to write that.
    const matrix = shapes.find((s) => s.length === 2)
    const vector = shapes.find((s) => s.length === 1)
    const perRow =
      matrix && vector && vector[0] === matrix[0] && matrix[0] !== matrix[1]
        ? `; a vector of ${vector[0]} lines up with the ${matrix[1]} columns: for one value per row, use a ${vector[0]}×1 column, or work along the rows through transposes: (A' - v)' for the matrix A and the vector v`
        : ''
    return `shapes ${shapes.map(shapeText).join(' and ')} do not broadcast (NumPy's rule: sizes aligned from the right must be equal or 1${perRow})`
  },
  forward: (xs, p) => {
    const out = ELEMENTWISE.shape(
      xs.map((x) => x.shape),
      p,
    ) as number[]
    const result = tensor(out)
    const f = OPS[p.fn!].value
    const index = xs.map((x) => broadcastIndex(x.shape, out))
    if (xs.length === 1) {
      const a = xs[0]!.data
      for (let i = 0; i < result.data.length; i++) result.data[i] = f(a[i]!)
    } else {
      const [a, b] = [xs[0]!.data, xs[1]!.data]
      const [ia, ib] = index as [Int32Array, Int32Array]
      for (let i = 0; i < result.data.length; i++) result.data[i] = f(a[ia[i]!]!, b[ib[i]!]!)
    }
    return result
  },
  write: (labels, p) => {
    const fn = p.fn!
    // An assignment of a value already named (h = zeros(2), a = x) is written as that value.
    if (fn === 'identity') return labels[0]!
    const notation = OPS[fn].notation
    if (notation.kind === 'infix') {
      if (fn === 'mul' && p.written === '*') return `${labels[0]}·${labels[1]}`
      if (p.written === '^') return `${labels[0]}^${labels[1]}`
      // pow(a, b) called by name is entry by entry: ^ would read as mathjs's matrix power.
      if (fn === 'pow' && p.written === undefined) return `pow(${labels.join(', ')})`
      return `${labels[0]} ${p.written ?? notation.symbol} ${labels[1]}`
    }
    if (notation.kind === 'prefix') return `${notation.symbol}${factor(labels[0]!)}`
    return `${OPS[fn].call ?? fn}(${labels.join(', ')})`
  },
  inputs: (p) => OPS[p.fn!].inputs.map((_, slot) => elementwiseInput(slot)),
  name: (p) => ELEMENTWISE_WORDS[p.fn!] ?? OPS[p.fn!].call ?? p.fn!,
}

// ——— The matrix product ———

/** Matrix product of row-major m×k and k×n arrays. */
export function matmulData(a: Float64Array, b: Float64Array, m: number, k: number, n: number): Float64Array {
  const out = new Float64Array(m * n)
  // One row of the result at a time, in a scratch row: the inner loop runs along a row of b,
  // contiguous in memory, unrolled by four. Each entry is summed in the order p = 0, 1, …, k - 1.
  const row = new Float64Array(n)
  for (let i = 0; i < m; i++) {
    row.fill(0)
    const aBase = i * k
    for (let p = 0; p < k; p++) {
      const x = a[aBase + p]!
      let at = p * n
      let j = 0
      for (; j + 3 < n; j += 4, at += 4) {
        row[j]! += x * b[at]!
        row[j + 1]! += x * b[at + 1]!
        row[j + 2]! += x * b[at + 2]!
        row[j + 3]! += x * b[at + 3]!
      }
      for (; j < n; j++, at++) row[j]! += x * b[at]!
    }
    out.set(row, i * n)
  }
  return out
}

/**
 * A vector times a one-row matrix (g*x' in an answer, where x' of a vector is a row): the outer
 * product, the vector taken as a column. mathjs has no such product (it is an error there), so no
 * program's meaning changes.
 */
const isOuter = (a: Shape, b: Shape) => a.length === 1 && b.length === 2 && b[0] === 1 && a[0] !== 1

/** Operands as matrices: a vector on the left is a row (1×k), on the right a column (k×1); an outer product's is a column. */
const asLeft = (s: Shape, b: Shape): [number, number] => (s.length === 2 ? [s[0]!, s[1]!] : isOuter(s, b) ? [s[0]!, 1] : [1, s[0]!])
const asRight = (s: Shape): [number, number] => (s.length === 2 ? [s[0]!, s[1]!] : [s[0]!, 1])

function matmulShape(a: Shape, b: Shape): number[] {
  if (isOuter(a, b)) return [a[0]!, b[1]!]
  const out: number[] = []
  if (a.length === 2) out.push(a[0]!)
  if (b.length === 2) out.push(b[1]!)
  return out
}

/** How a product's shapes are written: column vectors as k×1, rows as 1×k. */
const asMatrix = (s: Shape, row: boolean) => (s.length === 2 ? shapeText(s) : row ? `1×${s[0]}` : `${s[0]}×1`)
/** An upstream ḡ as a matrix in the product's terms. */
const gAsMatrix = (out: Shape, a: Shape) => (out.length === 2 ? shapeText(out) : out.length === 0 ? '1×1' : a.length === 2 ? `${out[0]}×1` : `1×${out[0]}`)

const MATMUL_RULE = rule(
  'matmul',
  'matrix product',
  "each entry of A·B is a row of A times a column of B, so ∂L/∂A pairs each row of ḡ with B's rows (ḡ·Bᵀ) and ∂L/∂B pairs A's columns with ḡ (Aᵀ·ḡ)",
)

const MATMUL: TensorOp = {
  shapeRule: 'a matrix product m×k · k×n is m×n; a vector on the right is a column, on the left a row',
  shape: ([a, b]) => {
    if (a!.length === 0 || b!.length === 0 || isOuter(a!, b!)) return matmulShape(a!, b!)
    const inner = [a!.length === 2 ? a![1]! : a![0]!, b![0]!]
    if (inner[0] !== inner[1]) return `inner sizes differ (${inner[0]} and ${inner[1]})`
    return matmulShape(a!, b!)
  },
  forward: ([a, b]) => {
    const [m, k] = asLeft(a!.shape, b!.shape)
    const n = asRight(b!.shape)[1]
    return tensor(matmulShape(a!.shape, b!.shape), matmulData(a!.data, b!.data, m, k, n))
  },
  write: ([a, b]) => `${a}·${b}`,
  name: () => 'matrix product',
  inputs: () => [
    {
      rule: MATMUL_RULE,
      // ∂L/∂A = ḡ·Bᵀ, in the product's matrix terms, then back to A's own shape.
      vjp: (g, [a, b]) => {
        const [m, k] = asLeft(a!.shape, b!.shape)
        const n = asRight(b!.shape)[1]
        return tensor(a!.shape, matmulData(g.data, transposeData(b!.data, k, n), m, n, k))
      },
      formula: ([, b]) => `${G}·${factor(b!.label)}${b!.shape.length === 2 || b!.shape.length === 1 ? T : ''}`,
      jvp: (t, [, b]) => MATMUL.forward([t, b!], {}),
      tangentFormula: ([a, b]) => `${tangentOf(a!.label)}·${factor(b!.label)}`,
      shapes: ([a, b], out) =>
        `${gAsMatrix(out, a!.shape)} · ${b!.shape.length === 2 ? `${b!.shape[1]}×${b!.shape[0]}` : `1×${b!.shape[0]}`} → ${asMatrix(a!.shape, true)}`,
    },
    {
      rule: MATMUL_RULE,
      vjp: (g, [a, b]) => {
        const [m, k] = asLeft(a!.shape, b!.shape)
        const n = asRight(b!.shape)[1]
        return tensor(b!.shape, matmulData(transposeData(a!.data, m, k), g.data, k, m, n))
      },
      formula: ([a]) => `${factor(a!.label)}${T}·${G}`,
      jvp: (t, [a]) => MATMUL.forward([a!, t], {}),
      tangentFormula: ([a, b]) => `${factor(a!.label)}·${tangentOf(b!.label)}`,
      shapes: ([a, b], out) =>
        `${a!.shape.length === 2 ? `${a!.shape[1]}×${a!.shape[0]}` : `${a!.shape[0]}×1`} · ${gAsMatrix(out, a!.shape)} → ${asMatrix(b!.shape, false)}`,
    },
  ],
}

const TRANSPOSE: TensorOp = {
  shapeRule: 'a transpose swaps rows and columns (a vector stays itself, as in mathjs)',
  // A vector stays itself (mathjs); in an answer (params.row) its transpose is a row, 1×n, as a textbook's xᵀ.
  shape: ([a], p) => (a!.length === 2 ? [a![1]!, a![0]!] : p.row && a!.length === 1 ? [1, a![0]!] : [...a!]),
  forward: ([a], p) => (p.row && a!.shape.length === 1 ? tensor([1, a!.shape[0]!], a!.data) : transposeOf(a!)),
  write: ([a], p) => (p.written === "'" ? `${factor(a!)}'` : `transpose(${a})`),
  name: () => 'transpose',
  inputs: () => [
    {
      rule: rule('transpose', 'transpose', 'a transpose moves each entry, so the gradient moves back the same way'),
      vjp: (g, [a]) => (g.shape.length === 2 && a!.shape.length === 1 ? tensor(a!.shape, g.data) : transposeOf(g)),
      formula: ([a]) => (a!.shape.length === 2 ? `${G}${T}` : G),
      jvp: (t, _xs, _out, p) => TRANSPOSE.forward([t], p),
      tangentFormula: ([a]) => (a!.shape.length === 2 ? `${tangentOf(a!.label)}${T}` : tangentOf(a!.label)),
    },
  ],
}

/**
 * Every axis reversed: flip(k) of a vector, rot180(K) of a matrix, the kernel a convolution's
 * input rule correlates with (numpy's flip with no axis). In row-major order that reverses the
 * entries, so the rule is the same reversal of ḡ.
 */
const FLIP: TensorOp = {
  shapeRule: 'reversing the entries keeps the shape',
  shape: ([a]) => [...a!],
  forward: ([a]) => tensor(a!.shape, a!.data.slice().reverse()),
  write: ([a], p) => `${p.written ?? 'flip'}(${a})`,
  name: (p) => p.written ?? 'flip',
  inputs: (p) => [
    {
      rule: rule('flip', 'flip', 'reversing the entries moves each one, so the gradient moves back reversed'),
      vjp: (g) => FLIP.forward([g], p),
      formula: () => `${p.written ?? 'flip'}(${G})`,
      jvp: (t) => FLIP.forward([t], p),
      tangentFormula: ([a]) => `${p.written ?? 'flip'}(${tangentOf(a!.label)})`,
    },
  ],
}

// ——— Reductions and softmax along a dimension ———

/** Indexes the entries of `shape` by (outer, along, inner) for an axis: a vector's axis 0 is (1, n, 1). */
function lanes(shape: Shape, dim: number | undefined): { outer: number; along: number; inner: number } {
  if (dim === undefined) return { outer: 1, along: size(shape), inner: 1 }
  const along = shape[dim]!
  const outer = size(shape.slice(0, dim))
  return { outer, along, inner: size(shape) / (outer * along) }
}

const reducedShape = (shape: Shape, dim: number | undefined) => (dim === undefined ? [] : shape.filter((_, k) => k !== dim))

function checkDim(shape: Shape, dim: number | undefined, name: string): string | undefined {
  if (dim === undefined || (dim >= 0 && dim < shape.length)) return undefined
  const has =
    shape.length === 0
      ? 'a scalar has none'
      : shape.length === 1
        ? 'a vector has only dimension 1'
        : 'a matrix has dimensions 1 (down the rows) and 2 (across a row)'
  return `${name} has no dimension ${dim + 1}: ${has}`
}

/** Applies `f` to each lane (the entries along the axis) of `x`, writing a result per lane. */
function eachLane(x: Tensor, dim: number | undefined, f: (get: (j: number) => number, along: number) => number): Float64Array {
  const { outer, along, inner } = lanes(x.shape, dim)
  const out = new Float64Array(outer * inner)
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < inner; i++) {
      const base = o * along * inner + i
      out[o * inner + i] = f((j) => x.data[base + j * inner]!, along)
    }
  return out
}

/** The upstream of a reduction spread back over its lanes, entry (o, j, i) ← g(o, i) · weight(o, j, i). */
function spread(g: Tensor, x: Tensor, dim: number | undefined, weight: (flat: number, lane: number) => number): Tensor {
  const { outer, along, inner } = lanes(x.shape, dim)
  const out = tensor(x.shape)
  for (let o = 0; o < outer; o++)
    for (let j = 0; j < along; j++)
      for (let i = 0; i < inner; i++) {
        const flat = o * along * inner + j * inner + i
        const lane = o * inner + i
        out.data[flat] = g.data[lane]! * weight(flat, lane)
      }
  return out
}

const REDUCES = 'a reduction removes the dimension it runs along (all of them without one)'

function reduction(id: 'sum' | 'mean', why: string): TensorOp {
  const mean = id === 'mean'
  const op: TensorOp = {
    shapeRule: REDUCES,
    shape: ([a], p) => checkDim(a!, p.dim, id) ?? reducedShape(a!, p.dim),
    forward: ([a], p) =>
      tensor(
        reducedShape(a!.shape, p.dim),
        eachLane(a!, p.dim, (get, n) => {
          let s = 0
          for (let j = 0; j < n; j++) s += get(j)
          return mean ? s / n : s
        }),
      ),
    write: ([a], p) => `${id}(${a}${dimWord(p.dim)})`,
    name: () => id,
    inputs: () => [
      {
        rule: rule(id, id, why),
        vjp: (g, [a], _out, p) => {
          const n = lanes(a!.shape, p.dim).along
          return spread(g, a!, p.dim, () => (mean ? 1 / n : 1))
        },
        formula: ([a], _out, p) => {
          const n = lanes(a!.shape, p.dim).along
          const each = mean ? `${G}/${n}` : G
          if (a!.shape.length === 0) return each
          if (p.dim === undefined || a!.shape.length === 1) return `${each} ‹copied to every entry›`
          return `${each} ‹${p.dim === 1 ? '(one per row) copied across its row' : '(one per column) copied down its column'}›`
        },
        // Linear: the tangent is summed (averaged) as the values are.
        jvp: (t, _xs, _out, p) => op.forward([t], p),
        tangentFormula: ([a], _out, p) => `${id}(${tangentOf(a!.label)}${dimWord(p.dim)})`,
      },
    ],
  }
  return op
}

/** max/min over every entry; the gradient goes to the entry that wins, split evenly among ties (as PyTorch's amax). */
function extreme(id: 'maxall' | 'minall'): TensorOp {
  const word = id === 'maxall' ? 'max' : 'min'
  const better = id === 'maxall' ? (a: number, b: number) => a > b : (a: number, b: number) => a < b
  const best = (x: Float64Array) => {
    let m = x[0]!
    for (let i = 1; i < x.length; i++) if (better(x[i]!, m) || Number.isNaN(x[i]!)) m = x[i]!
    return m
  }
  return {
    shapeRule: `${word}(v) of every entry is one number: a scalar`,
    shape: ([a]) => (size(a!) === 0 ? `${word} of no entries` : []),
    forward: ([a]) => tensor([], [best(a!.data)]),
    write: ([a]) => `${word}(${a})`,
    name: () => word,
    inputs: () => [
      {
        rule: rule(
          word,
          word,
          `${word} passes the gradient to the entry that is ${word === 'max' ? 'largest' : 'smallest'} (split evenly among ties) and none to the rest`,
        ),
        vjp: (g, [a], out) => {
          const m = out.data[0]!
          let ties = 0
          for (const v of a!.data) if (v === m) ties++
          const result = tensor(a!.shape)
          for (let i = 0; i < result.data.length; i++) result.data[i] = a!.data[i] === m ? g.data[0]! / ties : 0
          return result
        },
        // "split evenly": at a tie ([1, 3, 3]) each largest entry gets ḡ/2, as the backward pass gives it.
        formula: ([a]) => `${G} ‹split evenly among the ${word === 'max' ? 'largest' : 'smallest'} entries of› ${a!.label}‹, 0 elsewhere›`,
        // The same split as backward: the mean of the tangent over the tied winners.
        jvp: (t, [a], out) => {
          const m = out.data[0]!
          let ties = 0
          let sum = 0
          for (let i = 0; i < a!.data.length; i++) if (a!.data[i] === m) (ties++, (sum += t.data[i]!))
          return tensor([], [ties === 0 ? 0 : sum / ties])
        },
        tangentFormula: ([a]) => `‹the mean of› ${tangentOf(a!.label)} ‹over the ${word === 'max' ? 'largest' : 'smallest'} entries of› ${a!.label}`,
        conventions: ([a], out) => {
          const tied: number[] = []
          a!.data.forEach((v, i) => v === out.data[0] && tied.push(i))
          return new Map<TensorConvention, { shape: Shape; entries: number[] }>(tied.length > 1 ? [['tie-extreme', { shape: a!.shape, entries: tied }]] : [])
        },
      },
    ],
  }
}

/** Softmax along a lane, stable: exp(x - max) / Σ exp(x - max). */
export function softmaxData(x: Tensor, dim: number | undefined): Float64Array {
  const { outer, along, inner } = lanes(x.shape, dim)
  const out = new Float64Array(x.data.length)
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < inner; i++) {
      const base = o * along * inner + i
      let m = -Infinity
      for (let j = 0; j < along; j++) m = Math.max(m, x.data[base + j * inner]!)
      let s = 0
      for (let j = 0; j < along; j++) s += out[base + j * inner] = Math.exp(x.data[base + j * inner]! - m)
      for (let j = 0; j < along; j++) out[base + j * inner]! /= s
    }
  return out
}

const SOFTMAX: TensorOp = {
  shapeRule: 'softmax keeps the shape: each entry becomes its share along the dimension',
  shape: ([a], p) => {
    if (a!.length === 2 && p.dim === undefined)
      return `softmax of a ${shapeText(a!)} matrix needs its dimension: softmax(A, 2) normalizes each row, softmax(A, 1) each column`
    return checkDim(a!, p.dim, 'softmax') ?? [...a!]
  },
  forward: ([a], p) => tensor(a!.shape, softmaxData(a!, p.dim ?? (a!.shape.length === 1 ? 0 : undefined))),
  write: ([a], p) => `softmax(${a}${dimWord(p.dim)})`,
  name: () => 'softmax',
  inputs: () => [
    {
      rule: rule('softmax', 'softmax', "softmax's Jacobian is diag(p) - p·pᵀ along each lane, so ḡ is centred on its p-weighted mean and scaled by p"),
      vjp: (g, [a], out, p) => {
        const dim = p.dim ?? (a!.shape.length === 1 ? 0 : undefined)
        const { outer, along, inner } = lanes(a!.shape, dim)
        const result = tensor(a!.shape)
        for (let o = 0; o < outer; o++)
          for (let i = 0; i < inner; i++) {
            const base = o * along * inner + i
            let dotted = 0
            for (let j = 0; j < along; j++) dotted += g.data[base + j * inner]! * out.data[base + j * inner]!
            for (let j = 0; j < along; j++) {
              const at = base + j * inner
              result.data[at] = out.data[at]! * (g.data[at]! - dotted)
            }
          }
        return result
      },
      formula: ([a], _out, p) =>
        `p ⊙ (${G} - Σ(${G} ⊙ p)${a!.shape.length === 2 ? (p.dim === 1 ? '‹ per row›' : '‹ per column›') : ''})‹, where› p = softmax(${a!.label}${dimWord(p.dim)})`,
      // The Jacobian diag(p) - p·pᵀ is symmetric: the tangent goes through the same formula as ḡ.
      jvp: (t, xs, out, p) => SOFTMAX.inputs(p)[0]!.vjp(t, xs, out, p),
      tangentFormula: ([a], _out, p) => {
        const dotted = tangentOf(a!.label)
        return `p ⊙ (${dotted} - Σ(p ⊙ ${dotted})${a!.shape.length === 2 ? (p.dim === 1 ? '‹ per row›' : '‹ per column›') : ''})‹, where› p = softmax(${a!.label}${dimWord(p.dim)})`
      },
    },
  ],
}

const LOGSUMEXP: TensorOp = {
  shapeRule: REDUCES,
  shape: ([a], p) => checkDim(a!, p.dim, 'logsumexp') ?? reducedShape(a!, p.dim),
  forward: ([a], p) =>
    tensor(
      reducedShape(a!.shape, p.dim),
      eachLane(a!, p.dim, (get, n) => {
        let m = -Infinity
        for (let j = 0; j < n; j++) m = Math.max(m, get(j))
        if (!Number.isFinite(m)) return m
        let s = 0
        for (let j = 0; j < n; j++) s += Math.exp(get(j) - m)
        return m + Math.log(s)
      }),
    ),
  write: ([a], p) => `logsumexp(${a}${dimWord(p.dim)})`,
  name: () => 'logsumexp',
  inputs: () => [
    {
      rule: rule('logsumexp', 'logsumexp', "logsumexp's gradient is the softmax of its input: each entry's share of the sum of exponentials"),
      vjp: (g, [a], _out, p) => {
        const probabilities = softmaxData(a!, p.dim)
        return spread(g, a!, p.dim, (flat) => probabilities[flat]!)
      },
      jvp: (t, [a], _out, p) => {
        const probabilities = softmaxData(a!, p.dim)
        const weighted = tensor(
          a!.shape,
          t.data.map((v, i) => v * probabilities[i]!),
        )
        return TENSOR_OPS.sum.forward([weighted], p)
      },
      tangentFormula: ([a], _out, p) => `sum(softmax(${a!.label}${dimWord(p.dim)}) ⊙ ${tangentOf(a!.label)}${dimWord(p.dim)})`,
      formula: ([a], _out, p) =>
        `${G} ⊙ softmax(${a!.label}${dimWord(p.dim)})${a!.shape.length === 2 && p.dim !== undefined ? `‹, ›${G}‹ ${p.dim === 1 ? '(one per row) copied across its row' : '(one per column) copied down its column'}›` : ''}`,
    },
  ],
}

const DOT: TensorOp = {
  shapeRule: 'a dot product of two vectors is one number: a scalar',
  shape: ([a, b]) =>
    a!.length === 1 && b!.length === 1
      ? a![0] === b![0]
        ? []
        : `the vectors have ${a![0]} and ${b![0]} entries; dot needs equal lengths`
      : 'dot takes two vectors',
  forward: ([a, b]) => {
    let s = 0
    for (let i = 0; i < a!.data.length; i++) s += a!.data[i]! * b!.data[i]!
    return tensor([], [s])
  },
  write: ([a, b]) => `dot(${a}, ${b})`,
  name: () => 'dot',
  inputs: () =>
    [0, 1].map((slot) => ({
      rule: rule('dot', 'dot product', "each vector's gradient is the other vector, scaled by ḡ"),
      vjp: (g: Tensor, xs: Tensor[]) =>
        tensor(
          xs[slot]!.shape,
          xs[1 - slot]!.data.map((v) => v * g.data[0]!),
        ),
      formula: (operands: Operand[]) => `${G}·${factor(operands[1 - slot]!.label)}`,
      jvp: (t: Tensor, xs: Tensor[]) => DOT.forward(slot === 0 ? [t, xs[1]!] : [xs[0]!, t], {}),
      tangentFormula: ([a, b]: Operand[]) => (slot === 0 ? `dot(${tangentOf(a!.label)}, ${b!.label})` : `dot(${a!.label}, ${tangentOf(b!.label)})`),
    })),
}

const NORM: TensorOp = {
  shapeRule: "a vector's length is one number: a scalar",
  // mathjs's norm of a matrix is its largest singular value, whose gradient needs an SVD: refused, with the Frobenius norm written out.
  shape: ([a]) =>
    a!.length === 2 ? "norm of a matrix is mathjs's spectral norm (its largest singular value); for the Frobenius norm write sqrt(sum(A .^ 2))" : [],
  forward: ([a]) => {
    let s = 0
    for (const v of a!.data) s += v * v
    return tensor([], [Math.sqrt(s)])
  },
  write: ([a]) => `norm(${a})`,
  name: () => 'norm',
  inputs: () => [
    {
      rule: rule('norm', 'norm', "a vector's length grows along its own direction; at the zero vector the gradient is taken as 0 (PyTorch's choice)"),
      vjp: (g, [a], out) =>
        tensor(
          a!.shape,
          a!.data.map((v) => (out.data[0] === 0 ? 0 : (g.data[0]! * v) / out.data[0]!)),
        ),
      formula: ([a]) => `${G}·${factor(a!.label)}/norm(${a!.label})`,
      jvp: (t, [a], out) => {
        let s = 0
        for (let i = 0; i < t.data.length; i++) s += a!.data[i]! * t.data[i]!
        return tensor([], [out.data[0] === 0 ? 0 : s / out.data[0]!])
      },
      tangentFormula: ([a]) => `dot(${a!.label}, ${tangentOf(a!.label)})/norm(${a!.label})`,
      conventions: ([a], out) =>
        new Map<TensorConvention, { shape: Shape; entries: number[] }>(
          out.data[0] === 0 ? [['zero-norm', { shape: a!.shape, entries: Array.from(a!.data, (_, i) => i) }]] : [],
        ),
    },
  ],
}

/** An index written `end`: the last along its dimension, whatever the size. */
export const LAST = -1
const resolved = (i: number, size: number) => (i === LAST ? size - 1 : i)
const indexText = (i: number) => (i === LAST ? 'end' : `${i + 1}`)
/** An entry's index with `end` resolved against the operand's shape. */
const entryIndex = (shape: Shape, p: Params) => p.index!.map((i, k) => resolved(i, shape[k]!))

const ENTRY: TensorOp = {
  shapeRule: 'one entry is one number: a scalar',
  shape: ([a], p) => {
    const index = p.index!
    if (index.length !== a!.length)
      return `${shapeText(a!) === 'scalar' ? 'a scalar has no entries' : `a ${a!.length === 1 ? 'vector' : 'matrix'} takes ${a!.length} ${a!.length === 1 ? 'index' : 'indexes'}`}, not ${index.length}`
    const bad = index.findIndex((i, k) => i !== LAST && (i < 0 || i >= a![k]!))
    if (bad >= 0) return `index ${index[bad]! + 1} is outside 1 to ${a![bad]} (indexes start at 1, as in mathjs)`
    return []
  },
  forward: ([a], p) => tensor([], [a!.data[offsetOf(a!.shape, entryIndex(a!.shape, p))]!]),
  write: ([a], p) => `${factor(a!)}[${p.index!.map(indexText).join(', ')}]`,
  name: () => 'entry',
  inputs: () => [
    {
      rule: rule('entry', 'entry', 'picking one entry passes the gradient to that entry and none to the others'),
      vjp: (g, [a], _out, p) => {
        const result = tensor(a!.shape)
        result.data[offsetOf(a!.shape, entryIndex(a!.shape, p))] = g.data[0]!
        return result
      },
      formula: ([a], _out, p) =>
        `${G} ‹at› [${entryIndex(a!.shape, p)
          .map((i) => i + 1)
          .join(', ')}]‹, 0 elsewhere›`,
      jvp: (t, _xs, _out, p) => ENTRY.forward([t], p),
      tangentFormula: ([a], _out, p) =>
        `${tangentOf(a!.label)}[${entryIndex(a!.shape, p)
          .map((i) => i + 1)
          .join(', ')}]`,
    },
  ],
}

/** A slice's kept index range per axis, `end` resolved against the operand's shape. */
const sliceBounds = (shape: Shape, p: Params) => p.ranges!.map(([from, to], k) => [resolved(from, shape[k]!), resolved(to, shape[k]!)] as [number, number])

/** Row-major offsets of the operand's entries a slice keeps, in the slice's own order. */
function sliceOffsets(shape: Shape, p: Params): number[] {
  const [r0, r1] = sliceBounds(shape, p)[0]!
  if (shape.length === 1) return Array.from({ length: r1 - r0 + 1 }, (_, i) => r0 + i)
  const [c0, c1] = sliceBounds(shape, p)[1]!
  const out: number[] = []
  for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) out.push(r * shape[1]! + c)
  return out
}

const rangeText = ([from, to]: [number, number], size: number) =>
  from === 0 && (to === LAST || to === size - 1) ? ':' : from === to ? indexText(from) : `${indexText(from)}:${indexText(to)}`

const SLICE: TensorOp = {
  shapeRule:
    'a slice keeps, along each dimension, what its index names: a:b keeps b - a + 1, a single index or end keeps 1, : keeps all (mathjs keeps the dimension)',
  shape: ([a], p) => {
    if (p.ranges!.length !== a!.length)
      return `${a!.length === 0 ? 'a scalar has no entries' : `a ${a!.length === 1 ? 'vector' : 'matrix'} takes ${a!.length} ${a!.length === 1 ? 'index' : 'indexes'}`}, not ${p.ranges!.length}`
    const bounds = sliceBounds(a!, p)
    const bad = bounds.findIndex(([from, to], k) => from > to || to >= a![k]!)
    if (bad >= 0) {
      const [from, to] = bounds[bad]!
      const written = `${indexText(p.ranges![bad]![0])}:${indexText(p.ranges![bad]![1])}`
      const span = `${a!.length === 2 ? (bad === 0 ? 'rows' : 'columns') : 'entries'} 1 to ${a![bad]}`
      if (from === to) return `the index ${from + 1} is outside ${span} (indexes start at 1, as in mathjs)`
      if (from < a![bad]! && to < a![bad]!) return `the slice ${written} runs backwards; a slice a:b runs up, from a to b`
      return `the slice ${written} goes outside ${span} (indexes start at 1, as in mathjs)`
    }
    return bounds.map(([from, to]) => to - from + 1)
  },
  forward: ([a], p) =>
    tensor(
      SLICE.shape([a!.shape], p) as Shape,
      sliceOffsets(a!.shape, p).map((o) => a!.data[o]!),
    ),
  write: ([a], p) => `${factor(a!)}[${p.ranges!.map((r) => rangeText(r, Infinity)).join(', ')}]`,
  name: () => 'slice',
  inputs: (p) => [
    {
      rule: rule(
        'slice',
        'slice',
        'a slice passes each entry its gradient back to where it was taken from, and none to the entries it left out: a scatter into zeros',
      ),
      vjp: (g, [a]) => {
        const result = tensor(a!.shape)
        sliceOffsets(a!.shape, p).forEach((o, k) => (result.data[o] = g.data[k]!))
        return result
      },
      formula: ([a]) =>
        `${G}‹ placed at [${sliceBounds(a!.shape, p)
          .map((r, k) => rangeText(r, a!.shape[k]!))
          .join(', ')}] of ›${a!.label}‹, 0 elsewhere›`,
      jvp: (t) => SLICE.forward([t], p),
      tangentFormula: ([a]) =>
        `${tangentOf(a!.label)}[${sliceBounds(a!.shape, p)
          .map((r, k) => rangeText(r, a!.shape[k]!))
          .join(', ')}]`,
    },
  ],
}

/**
 * Multiply-adds of an operation's rule for one input, backward (ḡ through it) or forward (a
 * tangent through it), and of the operation itself: m·k·n for a matrix product, else one per
 * entry of the larger of the input and the output.
 */
export function ruleWork(op: TensorOpId, shapes: Shape[], out: Shape, slot: number): number {
  if (op === 'matmul') return productWork(shapes[0]!, shapes[1]!)
  // A convolution's rules take as many multiply-adds as its forward pass (each meeting once).
  const own = TENSOR_OPS[op].work
  if (own) return own(shapes, out)
  return Math.max(size(shapes[slot]!), size(out))
}

/** A matrix product's multiply-adds: each entry of the left operand meets a row of the right one. */
export const productWork = (a: Shape, b: Shape) => size(a) * (b.length === 2 ? b[1]! : 1)

export const TENSOR_OPS: Record<TensorOpId, TensorOp> = {
  elementwise: ELEMENTWISE,
  matmul: MATMUL,
  transpose: TRANSPOSE,
  sum: reduction('sum', 'a sum passes the gradient to each of its terms unchanged'),
  mean: reduction('mean', 'a mean is a sum divided by the count, so each term gets the gradient divided by the count'),
  dot: DOT,
  maxall: extreme('maxall'),
  minall: extreme('minall'),
  softmax: SOFTMAX,
  logsumexp: LOGSUMEXP,
  norm: NORM,
  entry: ENTRY,
  slice: SLICE,
  conv1d: CONV1D,
  conv2d: CONV2D,
  maxpool1d: MAXPOOL1D,
  maxpool2d: MAXPOOL2D,
  flip: FLIP,
}

/** Tensor functions a program calls by name, with the arguments they take (besides the scalar table's). */
export const TENSOR_FUNCTIONS: Record<
  string,
  {
    op: TensorOpId
    arities: number[]
    dim?: boolean
    integers?: { after: number; names: ('stride' | 'padding' | 'size')[] }
    /** One operation under several names (flip, rot180): the node keeps the name it was called by. */
    named?: boolean
  }
> = {
  sum: { op: 'sum', arities: [1, 2], dim: true },
  mean: { op: 'mean', arities: [1, 2], dim: true },
  dot: { op: 'dot', arities: [2] },
  softmax: { op: 'softmax', arities: [1, 2], dim: true },
  logsumexp: { op: 'logsumexp', arities: [1, 2], dim: true },
  norm: { op: 'norm', arities: [1] },
  transpose: { op: 'transpose', arities: [1] },
  // After their tensors, whole numbers written in the program: stride and padding, a window's size.
  conv1d: { op: 'conv1d', arities: [2, 3, 4], integers: { after: 2, names: ['stride', 'padding'] } },
  conv2d: { op: 'conv2d', arities: [2, 3, 4], integers: { after: 2, names: ['stride', 'padding'] } },
  maxpool1d: { op: 'maxpool1d', arities: [2], integers: { after: 1, names: ['size'] } },
  maxpool2d: { op: 'maxpool2d', arities: [2], integers: { after: 1, names: ['size'] } },
  flip: { op: 'flip', arities: [1], named: true },
  rot180: { op: 'flip', arities: [1], named: true },
}

/**
 * The README's list of the tensor functions (generated from here and checked by its test): one
 * phrase per operation a program calls by name, typed so that a new operation cannot lack one.
 */
export const TENSOR_FUNCTION_DOCS: Record<Exclude<TensorOpId, 'elementwise' | 'matmul' | 'entry' | 'slice'>, string> = {
  sum: '`sum(A)`, `sum(A, dim)`: dimensions are 1-based as in mathjs (`sum(A, 1)` sums down the rows, `sum(A, 2)` across each row)',
  mean: '`mean(A)`, `mean(A, dim)`',
  maxall: "`max(v)` over every entry (a tie shares the gradient evenly, as PyTorch's `amax`)",
  minall: '`min(v)`, likewise',
  dot: '`dot(a, b)`',
  norm: "`norm(v)`, a vector's length (its gradient at zero is taken as 0; mathjs's `norm(A)` of a matrix is its spectral norm and is refused, with `sqrt(sum(A .^ 2))` suggested for the Frobenius norm)",
  softmax: '`softmax(v)`, `softmax(A, dim)` (a matrix needs its dimension)',
  logsumexp: '`logsumexp(v)`, `logsumexp(A, dim)`',
  transpose: "`transpose(A)`, also written `A'`",
  conv1d:
    "`conv1d(x, k)`, `conv1d(x, k, stride, padding)`: cross-correlation as PyTorch's `F.conv1d` (the kernel is not flipped), valid unless padded with zeros",
  conv2d: '`conv2d(X, K)`, `conv2d(X, K, stride, padding)`, likewise for a matrix (one channel)',
  maxpool1d: '`maxpool1d(x, k)`: the largest entry of each window of k, stride k (a tie goes to the first, as PyTorch)',
  maxpool2d: '`maxpool2d(X, k)`: likewise over k×k windows',
  flip: "`flip(v)`, `rot180(A)`: every axis reversed (numpy's `flip`), the flipped kernel of a convolution's rule",
}

/**
 * The operation a node performs once its operands' shapes are known: mathjs's * scales when
 * either side is a scalar (entry by entry) and is the matrix product otherwise.
 */
export function resolve(op: TensorOpId, params: Params, shapes: Shape[]): { op: TensorOpId; params: Params } {
  if (op === 'matmul' && shapes.some((s) => s.length === 0)) return { op: 'elementwise', params: { fn: 'mul', written: '*' } }
  return { op, params }
}
