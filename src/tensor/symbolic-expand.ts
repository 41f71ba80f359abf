// An entry-by-entry contribution multiplied out and collected, for naming beside it where that is
// shorter: under the sigmoid, cross-entropy's ((1 - y) / (4·(1 - p)) - y / (4·p)) ⊙ p ⊙ (1 - p)
// is (p - y) / 4. The formulas themselves are never multiplied out (a textbook keeps 2·(z - y)
// whole); this is said beside one, as the softmax's known form is. Products and quotients are
// distributed over sums, each term collected by the scalar canonical form (so p / p cancels), and
// like terms added up; anything that is not entry-by-entry arithmetic (a matrix product, a sum, a
// function) stays one symbol.
import { E, type Sym } from '../sym.js'
import type { OpId } from '../ops.js'
import type { M } from './symbolic.js'

/** Terms past this many while multiplying out: the expansion is given up (it would not be shorter). */
const MAX_TERMS = 24

/** The constructors of symbolic.ts, passed in (this module is below it). */
export interface Build {
  ew: (op: OpId, args: M[]) => M
  num: (value: number) => M
  scaled: (m: M) => [number, M]
  /** The same text: one expression as another. */
  key: (m: M) => string
}

/** `m` multiplied out and collected, where that has fewer names and numbers; else undefined. */
export function expandedForm(m: M, build: Build, terms: (m: M) => number): M | undefined {
  const atoms = new Map<string, M>()
  let sym: Sym
  try {
    sym = distribute(symOf(m, atoms, build), { budget: MAX_TERMS * 4 })
  } catch (error) {
    if (error === TOO_MANY) return undefined
    throw error
  }
  // Rebuilt, the shapes come again from broadcasting, which is only sure where every part has the
  // whole's shape or is one number: a row beside a vector read as a column would make a matrix.
  const fits = (shape: readonly number[]) => shape.every((n) => n === 1) || (shape.length === m.shape.length && shape.every((n, d) => n === m.shape[d]))
  if (![...atoms.values()].every((atom) => fits(atom.shape))) return undefined
  const back = factored(fromSym(sym, atoms, build), build)
  return terms(back) < terms(m) ? back : undefined
}

const TOO_MANY = new Error('too many terms')
const ARITHMETIC = new Set<OpId>(['add', 'sub', 'mul', 'div', 'neg'])

/** The arithmetic of `m` as a scalar expression (collected by the canonical form as it is built), anything else one symbol. */
function symOf(m: M, atoms: Map<string, M>, build: Build): Sym {
  if (m.k === 'num') return m.value
  if (m.k === 'ew' && m.op === 'pow' && m.args[1]!.k === 'num') return E.pow(symOf(m.args[0]!, atoms, build), m.args[1]!.value)
  if (m.k !== 'ew' || !ARITHMETIC.has(m.op)) {
    const key = build.key(m)
    atoms.set(key, m)
    return { name: key }
  }
  return E.apply(
    m.op,
    m.args.map((x) => symOf(x, atoms, build)),
  )
}

const isSum = (s: Sym) => typeof s === 'object' && 'op' in s && (s.op === 'add' || s.op === 'sub' || s.op === 'neg')

/** A product's factors above and below the line, and its sign. */
function factorsOf(s: Sym, above: Sym[] = [], below: Sym[] = []): { above: Sym[]; below: Sym[] } {
  if (typeof s === 'object' && 'op' in s && s.op === 'mul') {
    factorsOf(s.args[0]!, above, below)
    factorsOf(s.args[1]!, above, below)
  } else if (typeof s === 'object' && 'op' in s && s.op === 'div') {
    factorsOf(s.args[0]!, above, below)
    factorsOf(s.args[1]!, below, above)
  } else above.push(s)
  return { above, below }
}

/**
 * Sums above the line multiplied out one at a time, each term rebuilt with the other factors
 * whole, so that what cancels (p / p, (1 - p) / (1 - p)) does before the next is multiplied out.
 */
function distribute(s: Sym, spend: { budget: number }): Sym {
  if (--spend.budget < 0) throw TOO_MANY
  if (isSum(s)) return sumOf(signedTerms(s).map(([sign, t]) => [sign, distribute(t, spend)] as const))
  const { above, below } = factorsOf(s)
  const at = above.findIndex(isSum)
  if (at < 0) return s
  const others = [...above.slice(0, at), ...above.slice(at + 1)].reduce<Sym>((p, f) => E.mul(p, f), 1)
  const rest = below.reduce<Sym>((p, f) => E.div(p, f), others)
  return sumOf(signedTerms(above[at]!).map(([sign, t]) => [sign, distribute(E.mul(t, rest), spend)] as const))
}

/** A sum's terms with their signs: a - (b + c) is +a, -b, -c. */
function signedTerms(s: Sym): (readonly [number, Sym])[] {
  if (typeof s === 'object' && 'op' in s) {
    if (s.op === 'add') return [...signedTerms(s.args[0]!), ...signedTerms(s.args[1]!)]
    if (s.op === 'sub') return [...signedTerms(s.args[0]!), ...signedTerms(s.args[1]!).map(([sign, t]) => [-sign, t] as const)]
    if (s.op === 'neg') return signedTerms(s.args[0]!).map(([sign, t]) => [-sign, t] as const)
  }
  return [[1, s]]
}

function sumOf(terms: (readonly [number, Sym])[]): Sym {
  if (terms.length > MAX_TERMS) throw TOO_MANY
  return terms.reduce<Sym>((sum, [sign, t], k) => (k === 0 ? (sign < 0 ? E.neg(t) : t) : E.apply(sign < 0 ? 'sub' : 'add', [sum, t])), 0)
}

function fromSym(s: Sym, atoms: Map<string, M>, build: Build): M {
  if (typeof s === 'number') return build.num(s)
  if ('name' in s) return atoms.get(s.name)!
  if ('op' in s)
    return build.ew(
      s.op,
      s.args.map((x) => fromSym(x, atoms, build)),
    )
  throw new Error('an expansion refers to a gradient')
}

/** A sum whose terms share one number in front, with it taken out: p / 4 - y / 4 is (p - y) / 4. */
function factored(m: M, build: Build): M {
  const parts: [number, M][] = []
  const walk = (x: M, sign: number): void => {
    if (x.k === 'ew' && (x.op === 'add' || x.op === 'sub')) {
      walk(x.args[0]!, sign)
      walk(x.args[1]!, x.op === 'sub' ? -sign : sign)
    } else {
      const [k, rest] = build.scaled(x)
      parts.push([sign * k, rest])
    }
  }
  walk(m, 1)
  const k = Math.abs(parts[0]![0])
  if (parts.length < 2 || k === 1 || parts.some(([c]) => Math.abs(c) !== k)) return m
  const inner = parts
    .slice(1)
    .reduce((sum, [c, rest]) => build.ew(c < 0 ? 'sub' : 'add', [sum, rest]), parts[0]![0] < 0 ? build.ew('neg', [parts[0]![1]]) : parts[0]![1])
  return build.ew('mul', [build.num(k), inner])
}
