// One entry of a matrix formula (--entry W[1, 2] with --shape): the bridge from the matrix form to
// the index form a course also writes. ∂loss/∂W = 2·(W·x + b - y)·xᵀ at [1, 2] is first
// 2·(Σₖ W₁ₖ·xₖ + b₁ - y₁)·x₂, each matrix product an explicit sum over its inner index, then
// the same with every sum written out in the entries themselves, 2·(W₁₁·x₁ + W₁₂·x₂ + b₁ - y₁)·x₂,
// in the scalar tutor's canonical form.
import { InputError } from '../errors.js'
import { OPS, type OpId } from '../ops.js'
import { E, printSym, symTerms, type Sym } from '../sym.js'
import type { M, SymbolicTrace } from './symbolic.js'
import { ew, writeText } from './symbolic.js'
import type { Shape } from './tensor.js'

export interface SymbolicEntry {
  /** The node whose gradient it is, and the entry's 1-based indexes. */
  of: string
  index: number[]
  /** The gradient as a matrix formula. */
  grad: M
  /** The entry's 0-based indexes. */
  at: number[]
  /** The entry written out: every sum's terms, in the entries of the names (W[1, 2] for W₁₂). */
  written: Sym | undefined
}

/** Bound indexes, in order of nesting: k, then l, m, … (their subscripts exist in Unicode). */
const LETTERS = ['k', 'l', 'm', 'n', 'p', 's', 't']
const SUB: Record<string, string> = { k: 'ₖ', l: 'ₗ', m: 'ₘ', n: 'ₙ', p: 'ₚ', s: 'ₛ', t: 'ₜ' }
const DIGITS = '₀₁₂₃₄₅₆₇₈₉'
const SUPERSCRIPT: Record<string, string> = { '2': '²', '3': '³' }
/** An index: a fixed position (0-based), or a bound letter of an enclosing Σ. */
type Idx = number | string

/** A written-out entry longer than this many names and numbers is left in index form. */
const WRITTEN_TERMS = 60

/**
 * The entry `index` (0-based) of node `node`'s gradient. The gradient of a variable is the
 * trace's; of another node, the sum of the contributions into it.
 */
export function symbolicEntry(trace: SymbolicTrace, node: number, index: number[]): SymbolicEntry {
  const label = trace.nodes[node]!.label
  const variable = trace.gradients.find((g) => g.name === label && trace.nodes[node]!.kind === 'variable')
  const into = trace.edges.filter((edge) => edge.input === node).map((edge) => edge.contribution)
  const output = node === trace.output
  if (!variable && !output && into.length === 0) throw new InputError(`--entry ${label}: ${label} does not reach the output, so it has no gradient`)
  // The output's own gradient is the seed, 1.
  const grad = output ? ({ k: 'num', value: 1, shape: [] } as M) : variable ? variable.grad : into.reduce((sum, c) => ew('add', [sum, c]))
  const at = index.length === 0 ? [] : index
  const written = writtenEntry(grad, at)
  return {
    of: label,
    index: index.map((i) => i + 1),
    grad,
    at,
    written: written !== undefined && symTerms(written, WRITTEN_TERMS + 1) <= WRITTEN_TERMS ? written : undefined,
  }
}

/** The entry in index form: each matrix product a sum Σₖ over its inner index (sum_k, W[1,k] in ASCII). */
export const indexForm = (entry: SymbolicEntry, ascii: boolean): string => indexText(entry.grad, entry.at, 0, pen(ascii)).text

/** A name's entry: W₁₂, x₂, (w2)₂ where the name ends in a digit, W₁,₁₂ past 9; W[1,2] in ASCII. */
export function entryName(name: string, index: Idx[], ascii = false): string {
  if (index.length === 0) return name
  if (ascii) return `${name.includes('/') ? `(${name})` : name}[${index.map((i) => (typeof i === 'number' ? i + 1 : i)).join(', ')}]`
  const sub = (i: Idx) => (typeof i === 'number' ? [...String(i + 1)].map((d) => DIGITS[Number(d)]).join('') : SUB[i]!)
  const wide = index.some((i) => typeof i === 'number' && i >= 9)
  const base = /[\d′]$/.test(name) || name.includes('/') ? `(${name})` : name
  return `${base}${index.map(sub).join(wide ? ',' : '')}`
}

/** The entry's index in an operand of shape `shape` broadcast into `out` (aligned from the right, a size-1 axis at 0). */
function broadcastIndex(index: Idx[], out: Shape, shape: Shape): Idx[] {
  return shape.map((n, d) => (n === 1 ? 0 : index[d + out.length - shape.length]!))
}

/** A 2-D view of an index: a vector is a column, (i, 0); a scalar (0, 0). */
// (A vector's gradient may be built as an n×1 matrix, and a row's as 1×n: one index names its entry either way.)
const rowCol = (shape: Shape, index: Idx[]): [Idx, Idx] =>
  shape.length === 2 ? (index.length === 2 ? [index[0]!, index[1]!] : shape[0] === 1 ? [0, index[0] ?? 0] : [index[0] ?? 0, 0]) : [index[0] ?? 0, 0]
/** Back from (i, j) to an operand's own index. */
const ownIndex = (shape: Shape, i: Idx, j: Idx): Idx[] => (shape.length === 2 ? [i, j] : shape.length === 1 ? [i] : [])
/** The inner size of a matrix product's left operand (a column vector is m×1). */
const inner = (a: M) => (a.shape.length === 2 ? a.shape[1]! : 1)

// ——— Index form: text, with its precedence for parentheses ———

interface Written {
  text: string
  /** 1 a sum, 1.5 a Σ, 2 a product, 3 a sign, 4 a power, 5 an atom. */
  p: number
}

const INFIX: Partial<Record<OpId, [string, number]>> = { add: [' + ', 1], sub: [' - ', 1], mul: ['·', 2], div: [' / ', 2], pow: ['^', 4] }

/** What the index form writes with: Σ and the product sign in its alphabet, and brackets by precedence. */
const pen = (ascii: boolean) => ({
  ascii,
  sigma: (letters: string[]) => (ascii ? `sum_${letters.join('')}` : `Σ${letters.map((l) => SUB[l]).join('')}`),
  times: ascii ? '*' : '·',
  wrap: (w: Written, min: number) => (w.p < min ? `(${w.text})` : w.text),
})
type Pen = ReturnType<typeof pen>

function indexText(m: M, index: Idx[], depth: number, w: Pen): Written {
  const { ascii } = w
  switch (m.k) {
    case 'name':
      return { text: entryName(m.name, index, ascii), p: 5 }
    case 'num':
      return { text: writeText(m), p: m.value < 0 ? 3 : 5 }
    case 'ones':
      return { text: '1', p: 5 }
    case 'grad':
      return { text: entryName(ascii ? `d${m.of}/d${m.wrt}` : `∂${m.of}/∂${m.wrt}`, index, ascii), p: 5 }
    case 'transpose': {
      const [i, j] = rowCol(m.shape, index)
      return indexText(m.a, ownIndex(m.a.shape, j, i), depth, w)
    }
    case 'matmul':
      return productText(m, index, depth, w)
    case 'sum': {
      const letters = m.a.shape.map((_, d) => LETTERS[(depth + d) % LETTERS.length]!)
      const a = indexText(m.a, letters, depth + letters.length, w)
      return { text: `${w.sigma(letters)} ${w.wrap(a, 2)}`, p: 1.5 }
    }
    case 'norm': {
      const k = LETTERS[depth % LETTERS.length]!
      const square = w.wrap(indexText(m.a, [k], depth + 1, w), 4)
      return { text: ascii ? `sqrt(${w.sigma([k])} ${square}^2)` : `√(${w.sigma([k])} ${square}²)`, p: 5 }
    }
    case 'softmax':
    case 'logsumexp': {
      const k = LETTERS[depth % LETTERS.length]!
      const { lane, own } = lanes(m, index, k)
      const at = (idx: Idx[]) => `exp(${indexText(m.a, idx, depth + 1, w).text})`
      const total = `${w.sigma([k])} ${at(lane)}`
      return m.k === 'softmax' ? { text: `${at(own)} / (${total})`, p: 2 } : { text: `log(${total})`, p: 5 }
    }
    case 'ew':
      return elementwiseText(
        m,
        m.args.map((x) => indexText(x, broadcastIndex(index, m.shape, x.shape), depth, w)),
        w,
      )
  }
}

/** A matrix product's entry: Σₖ over its inner index, or one product where that index has one value. */
function productText(m: M & { k: 'matmul' }, index: Idx[], depth: number, w: Pen): Written {
  const [i, j] = rowCol(m.shape, index)
  const k = inner(m.a) === 1 ? 0 : LETTERS[depth % LETTERS.length]!
  const next = k === 0 ? depth : depth + 1
  const a = indexText(m.a, ownIndex(m.a.shape, i, k), next, w)
  const b = indexText(m.b, ownIndex(m.b.shape, k, j), next, w)
  // An entry of ones is 1: the other factor alone (G·𝟏 at i is Σₖ Gᵢₖ).
  const term = m.a.k === 'ones' ? w.wrap(b, 1.5) : m.b.k === 'ones' ? w.wrap(a, 1.5) : `${w.wrap(a, 2)}${w.times}${w.wrap(b, 3)}`
  if (k === 0) return m.a.k === 'ones' ? b : m.b.k === 'ones' ? a : { text: term, p: 2 }
  return { text: `${w.sigma([k as string])} ${term}`, p: 1.5 }
}

/** An element-wise operation of its operands' entries. */
function elementwiseText(m: M & { k: 'ew' }, args: Written[], w: Pen): Written {
  const [a, b] = args as [Written, Written]
  if (m.op === 'neg') return { text: `-${w.wrap(a, 4)}`, p: 3 }
  if (m.op === 'mul' && m.args.some((x) => x.k === 'ones')) return m.args[0]!.k === 'ones' ? b : a
  // x² rather than x^2, as the scalar tables write a small power.
  const power = m.args[1]?.k === 'num' ? SUPERSCRIPT[String(m.args[1].value)] : undefined
  if (m.op === 'pow' && power && !w.ascii) return { text: `${w.wrap(a, 5)}${power}`, p: 4 }
  const infix = INFIX[m.op]
  if (infix) {
    const [written, p] = infix
    const symbol = m.op === 'mul' ? w.times : written
    const right = m.op === 'sub' || m.op === 'div' ? p + 1 : m.op === 'pow' ? 5 : p
    // A Σ reads as the sum it is on either side of +, and is bracketed anywhere tighter.
    const left = m.op === 'pow' ? 5 : p
    return { text: `${w.wrap(a, left)}${symbol}${w.wrap(b, right)}`, p }
  }
  if (m.op === 'step') return { text: `[${a.text} > 0]`, p: 5 }
  if (m.op === 'ge') return { text: `[${a.text} ${w.ascii ? '>=' : '≥'} ${b.text}]`, p: 5 }
  return { text: `${OPS[m.op].call ?? m.op}(${args.map((x) => x.text).join(', ')})`, p: 5 }
}

/** A softmax's or logsumexp's entry: the index it runs over (k along its axis), and the entry's own. */
function lanes(m: M & { k: 'softmax' | 'logsumexp'; dim?: number }, index: Idx[], k: Idx): { lane: Idx[]; own: Idx[] } {
  const shape = m.a.shape
  if (m.dim === undefined || shape.length < 2) return { lane: shape.length === 0 ? [] : [k], own: index }
  // logsumexp(A, 2) has one entry per row, softmax(A, 2) one per entry: the row is its first index.
  const row = index[0] ?? 0
  const column = m.k === 'softmax' ? index[1]! : row
  return m.dim === 1 ? { lane: [row, k], own: [row, column] } : { lane: [k, m.k === 'softmax' ? column : row], own: [index[0]!, column] }
}

// ——— Written out: a scalar expression in the entries ———

/** The entry as a scalar Sym over names such as W[1, 2] (1-based), every sum's terms written; undefined past the written length. */
function writtenEntry(m: M, index: number[]): Sym | undefined {
  let budget = WRITTEN_TERMS * 4
  const spend = (n: number) => (budget -= n) >= 0
  const entry = (x: M, at: number[]): Sym | undefined => {
    switch (x.k) {
      case 'name':
        return { name: at.length === 0 ? x.name : `${x.name}[${at.map((i) => i + 1).join(', ')}]` }
      case 'grad':
        return { name: `∂${x.of}/∂${x.wrt}${at.length === 0 ? '' : `[${at.map((i) => i + 1).join(', ')}]`}` }
      case 'num':
        return x.value
      case 'ones':
        return 1
      case 'transpose': {
        const [i, j] = rowCol(x.shape, at) as [number, number]
        return entry(x.a, ownIndex(x.a.shape, j, i) as number[])
      }
      case 'matmul': {
        const [i, j] = rowCol(x.shape, at) as [number, number]
        if (!spend(inner(x.a))) return undefined
        return sumOf(
          Array.from({ length: inner(x.a) }, (_, k) =>
            product(entry(x.a, ownIndex(x.a.shape, i, k) as number[]), entry(x.b, ownIndex(x.b.shape, k, j) as number[])),
          ),
        )
      }
      case 'sum':
        if (!spend(size(x.a.shape))) return undefined
        return sumOf(allIndexes(x.a.shape).map((idx) => entry(x.a, idx)))
      case 'norm':
        if (!spend(size(x.a.shape))) return undefined
        return apply('sqrt', [sumOf(allIndexes(x.a.shape).map((idx) => apply('pow', [entry(x.a, idx), 2])))])
      case 'softmax':
      case 'logsumexp': {
        const n = x.dim === undefined || x.a.shape.length < 2 ? size(x.a.shape) : x.a.shape[x.dim]!
        if (!spend(n)) return undefined
        const exp = (idx: Idx[]) => apply('exp', [entry(x.a, idx as number[])])
        const total = sumOf(Array.from({ length: n }, (_, k) => exp(lanes(x, at, k).lane)))
        return x.k === 'softmax' ? apply('div', [exp(lanes(x, at, 0).own), total]) : apply('log', [total])
      }
      case 'ew':
        return apply(
          x.op,
          x.args.map((a) => entry(a, broadcastIndex(at, x.shape, a.shape) as number[])),
        )
    }
  }
  return entry(m, index)
}

const size = (shape: Shape) => shape.reduce((a, b) => a * b, 1)
const allIndexes = (shape: Shape): number[][] =>
  shape.length === 0
    ? [[]]
    : shape.length === 1
      ? Array.from({ length: shape[0]! }, (_, i) => [i])
      : allIndexes([shape[0]!]).flatMap(([i]) => Array.from({ length: shape[1]! }, (_, j) => [i!, j]))
/** An op on entries, undefined where an entry is past the budget. */
const apply = (op: OpId, args: (Sym | undefined)[]): Sym | undefined => (args.every((a) => a !== undefined) ? E.apply(op, args as Sym[]) : undefined)
const product = (a: Sym | undefined, b: Sym | undefined) => apply('mul', [a, b])
const sumOf = (terms: (Sym | undefined)[]): Sym | undefined => terms.reduce((s, t) => apply('add', [s, t]))

/** The written entry in the tables' notation: names by their entries (W₁₂), · and superscripts. */
export function writtenText(s: Sym, ascii: boolean): string {
  return printSym(s, {
    number: (n) => String(n),
    times: ascii ? '*' : '·',
    grad: (of, wrt) => `∂${of}/∂${wrt}`,
    superscripts: !ascii,
    spaced: true,
    name: ascii ? undefined : nameOfEntry,
  })
}

/** The written entry in the syntax check takes: W[1, 2], *, ^. */
export function writtenMath(s: Sym): string {
  return printSym(s, {
    number: (n) => String(n),
    times: '*',
    grad: (of, wrt) => `d${of}/d${wrt}`,
    superscripts: false,
    spaced: true,
    // [a > 0] is an array literal to check; (a > 0) is the indicator it reads.
    indicator: (a, relation, b) => `(${a} ${relation === '≥' ? '>=' : relation} ${b})`,
  })
}

/** W[1, 2] as W₁₂. */
function nameOfEntry(name: string): string {
  const match = /^(.*)\[(\d+)(?:, (\d+))?\]$/.exec(name)
  if (!match) return name
  return entryName(
    match[1]!,
    [match[2], match[3]].filter((i) => i !== undefined).map((i) => Number(i) - 1),
  )
}
