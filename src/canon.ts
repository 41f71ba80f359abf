// The canonical form of a symbolic expression, the way a textbook writes one: numbers folded
// exactly (1/3 stays 1/3), like terms collected (y + y = 2·y, x·x·x = x³), like factors collected
// (x²/x = x), a sum's sign normalized so that y − x and −(x − y) are one expression, and factors
// with negative powers written under the fraction bar. Products of sums are not multiplied out:
// 2·(1 + b − y) stays as written. Every expression reaching here is already canonical (they are
// built bottom-up), so combining two is linear in their size, and sizes are capped by the trace.
//
// Terms keep the order they first appear in, so a program's own order survives (x·w + b − y); two
// expressions are compared by a key that sorts terms and factors, so order never hides a like term.
import { OPS, type OpId } from './ops.js'
import type { Sym } from './sym.js'

/** A coefficient: n/d with safe integers (d > 1, in lowest terms), or d = 1 and n any double. */
interface Q {
  n: number
  d: number
}

const gcd = (a: number, b: number): number => {
  a = Math.abs(a)
  b = Math.abs(b)
  while (b) [a, b] = [b, a % b]
  return a
}

function q(n: number, d = 1): Q {
  if (d === 1) return { n, d }
  if (!Number.isSafeInteger(n) || !Number.isSafeInteger(d) || d === 0) return { n: n / d, d: 1 }
  const g = gcd(n, d) || 1
  const sign = d < 0 ? -1 : 1
  return { n: (sign * n) / g + 0, d: (sign * d) / g }
}

const exact = (a: Q) => Number.isInteger(a.n)
const value = (a: Q) => a.n / a.d
const isZero = (a: Q) => a.n === 0
const isOne = (a: Q) => a.n === 1 && a.d === 1
const isInteger = (a: Q) => a.d === 1 && Number.isInteger(a.n)
const negate = (a: Q): Q => ({ n: -a.n + 0, d: a.d })
const add = (a: Q, b: Q): Q => (exact(a) && exact(b) ? q(a.n * b.d + b.n * a.d, a.d * b.d) : q(value(a) + value(b)))
const mul = (a: Q, b: Q): Q => (exact(a) && exact(b) ? q(a.n * b.n, a.d * b.d) : q(value(a) * value(b)))
const lessThanZero = (a: Q) => a.n < 0

/** a^k for an integer k, exact where a is. */
function power(a: Q, k: number): Q {
  if (!exact(a)) return q(Math.pow(value(a), k))
  const n = Math.pow(a.n, Math.abs(k))
  const d = Math.pow(a.d, Math.abs(k))
  if (k >= 0) return q(n, d)
  return n === 0 ? q(Infinity) : q(d, n)
}

/** The coefficient a Sym stands for when it is a number (2, 1/3, −1/3), else undefined. */
function numberOf(s: Sym): Q | undefined {
  if (typeof s === 'number') return q(s)
  if (!('op' in s)) return undefined
  if (s.op === 'div' && isIntegerLiteral(s.args[0]!) && isIntegerLiteral(s.args[1]!)) return q(s.args[0] as number, s.args[1] as number)
  if (s.op === 'neg') {
    const inner = numberOf(s.args[0]!)
    return inner && inner.d > 1 ? negate(inner) : undefined
  }
  return undefined
}

const isIntegerLiteral = (s: Sym) => typeof s === 'number' && Number.isSafeInteger(s)

/** A coefficient as a Sym: a number, n/d, or −(n/d). */
export function rational(n: number, d = 1): Sym {
  return symOf(q(n, d))
}

function symOf(a: Q): Sym {
  if (a.d === 1) return a.n
  const fraction: Sym = { op: 'div', args: [Math.abs(a.n), a.d] }
  return a.n < 0 ? { op: 'neg', args: [fraction] } : fraction
}

const isApply = (s: Sym): s is { op: OpId; args: Sym[] } => typeof s === 'object' && 'op' in s
const isSum = (s: Sym) => isApply(s) && (s.op === 'add' || s.op === 'sub' || s.op === 'neg') && numberOf(s) === undefined
const isProduct = (s: Sym) => isApply(s) && (s.op === 'mul' || s.op === 'div' || s.op === 'pow') && numberOf(s) === undefined

/**
 * A factor base^exp. A sum keeps the sign it was written with ((1 − t²), (x − 1)); `flipped` says
 * it is the negative of its canonical orientation (the one whose first term by key is positive), so
 * that (y − x) and (x − y) are one factor up to a sign.
 */
interface Factor {
  base: Sym
  exp: Q | Sym
  flipped: boolean
}

/** A product: a coefficient and factors, by the key of their base, in order of appearance. */
interface Product {
  coef: Q
  factors: Map<string, Factor>
}

/** The coefficient with every factor in its canonical orientation: −2·(y − x) is 2·(x − y). */
function canonicalCoef(p: Product): Q {
  let coef = p.coef
  for (const f of p.factors.values()) if (f.flipped && isOdd(f.exp)) coef = negate(coef)
  return coef
}

const isOdd = (e: Q | Sym) => isQ(e) && isInteger(e) && e.n % 2 !== 0

/** A sum: terms by the key of their factors (the constant term under ''), in order of appearance. */
type Sum = Map<string, Product>

// Keys are interned: a sum's key is made of its terms' short ids, not their whole texts, so making
// keys stays linear in an expression's size. The table is dropped when it grows large (ids are
// never reused, so an expression keyed before and after only misses being collected with itself).
let keys = new WeakMap<object, string>()
let interned = new Map<string, string>()
let nextId = 0
function intern(full: string): string {
  let id = interned.get(full)
  if (id === undefined) {
    if (interned.size >= 1_000_000) {
      interned = new Map()
      keys = new WeakMap()
      orientations = new WeakMap()
    }
    id = `#${nextId++}`
    interned.set(full, id)
  }
  return id
}

/** A key equal for two expressions exactly when their canonical forms are equal, whatever their order. */
export function keyOf(s: Sym): string {
  if (typeof s === 'number') return String(s)
  const known = keys.get(s)
  if (known !== undefined) return known
  let key: string
  if ('name' in s) key = s.mark === undefined ? `$${s.name}` : `$${s.name}[${s.mark}]`
  else if ('grad' in s) key = `∂${s.grad.of}/∂${s.grad.wrt}`
  else if ('tooLong' in s) key = '…'
  else if (isApply(s) && (s.op === 'div' || s.op === 'neg') && numberOf(s)) key = qKey(numberOf(s)!)
  else if (isSum(s)) {
    const terms = [...sumOf(s)].map(([k, p]) => `${k}*${qKey(canonicalCoef(p))}`)
    key = `S(${terms.sort().join(',')})`
  } else if (isProduct(s)) {
    const product = productOf(s)
    key = `P(${qKey(canonicalCoef(product))};${monomialKey(product)})`
  } else key = `${s.op}(${s.args.map(keyOf).join(',')})`
  if (key.length > 12) key = intern(key)
  keys.set(s, key)
  return key
}

const qKey = (a: Q) => (a.d === 1 ? String(a.n) : `${a.n}/${a.d}`)
const expKey = (e: Q | Sym) => (isQ(e) ? qKey(e) : keyOf(e))
const isQ = (e: Q | Sym): e is Q => typeof e === 'object' && 'n' in e && 'd' in e

function monomialKey(p: Product): string {
  return [...p.factors]
    .map(([k, f]) => `${k}^${expKey(f.exp)}`)
    .sort()
    .join(',')
}

function sumOf(s: Sym): Sum {
  const sum: Sum = new Map()
  addTerms(sum, s, q(1))
  return sum
}

function addTerms(sum: Sum, s: Sym, scale: Q): void {
  const n = numberOf(s)
  if (n) return addTerm(sum, { coef: mul(n, scale), factors: new Map() })
  if (isApply(s) && (s.op === 'add' || s.op === 'sub')) {
    addTerms(sum, s.args[0]!, scale)
    addTerms(sum, s.args[1]!, s.op === 'sub' ? negate(scale) : scale)
    return
  }
  if (isApply(s) && s.op === 'neg') return addTerms(sum, s.args[0]!, negate(scale))
  const product = productOf(s)
  addTerm(sum, { coef: mul(product.coef, scale), factors: product.factors })
}

function addTerm(sum: Sum, term: Product): void {
  const key = term.factors.size === 0 ? '' : monomialKey(term)
  const known = sum.get(key)
  if (!known) return void sum.set(key, term)
  // x − y written both ways: count this term in the orientation the first one was written in.
  let coef = term.coef
  for (const [k, f] of term.factors) if (known.factors.get(k)!.flipped !== f.flipped && isOdd(f.exp)) coef = negate(coef)
  known.coef = add(known.coef, coef)
}

function productOf(s: Sym): Product {
  const product: Product = { coef: q(1), factors: new Map() }
  multiply(product, s, q(1))
  return product
}

/** Multiplies `product` by s^k. */
function multiply(product: Product, s: Sym, k: Q): void {
  const n = numberOf(s)
  if (n && isInteger(k)) {
    product.coef = mul(product.coef, power(n, k.n))
    return
  }
  if (isApply(s) && isInteger(k)) {
    if (s.op === 'mul') {
      multiply(product, s.args[0]!, k)
      multiply(product, s.args[1]!, k)
      return
    }
    if (s.op === 'div') {
      multiply(product, s.args[0]!, k)
      multiply(product, s.args[1]!, negate(k))
      return
    }
    if (s.op === 'neg') {
      if (k.n % 2 !== 0) product.coef = negate(product.coef)
      return multiply(product, s.args[0]!, k)
    }
    if (s.op === 'pow') {
      const e = numberOf(s.args[1]!)
      if (e && isInteger(e)) return multiply(product, s.args[0]!, mul(e, k))
      // (x^a)^k = x^(a·k) for an integer k; a rational power of a power stays as it is.
      return addFactor(product, s.args[0]!, e ? mul(e, k) : scaleExponent(s.args[1]!, k))
    }
  }
  if (isApply(s) && s.op === 'pow' && !isProduct(s.args[0]!) && !isSum(s.args[0]!)) {
    // x^(1/2) raised to 1/3: exponents multiply for a plain base.
    const e = numberOf(s.args[1]!)
    return addFactor(product, s.args[0]!, e ? mul(e, k) : scaleExponent(s.args[1]!, k))
  }
  if (isSum(s)) {
    // y − x is −(x − y): one factor, written as it first appeared, the sign going to the coefficient.
    const { key, flipped } = orientation(s as object)
    // Only integer powers may trade a sign: (−u)^(1/2) is not ±u^(1/2).
    return addFactor(product, s, k, flipped, isInteger(k) ? key : `${key}${flipped ? '-' : '+'}`)
  }
  addFactor(product, s, k)
}

let orientations = new WeakMap<object, { key: string; flipped: boolean }>()

/** A sum's canonical key and whether it is written as the negative of its canonical orientation. */
function orientation(s: object): { key: string; flipped: boolean } {
  let known = orientations.get(s)
  if (known === undefined) {
    const sum = sumOf(s as Sym)
    const flipped = lessThanZero(firstByKey(sum).coef)
    known = { key: flipped ? keyOf(buildSum(negateSum(sum), true)) : keyOf(s as Sym), flipped }
    orientations.set(s, known)
  }
  return known
}

const scaleExponent = (e: Sym, k: Q): Sym => (isOne(k) ? e : canonical('mul', [e, symOf(k)]))

function addFactor(product: Product, base: Sym, exp: Q | Sym, flipped = false, key = keyOf(base)): void {
  const known = product.factors.get(key)
  if (!known) {
    product.factors.set(key, { base, exp, flipped })
    return
  }
  if (known.flipped !== flipped && isOdd(exp)) product.coef = negate(product.coef)
  known.exp = isQ(known.exp) && isQ(exp) ? add(known.exp, exp) : canonical('add', [expSym(known.exp), expSym(exp)])
}

const expSym = (e: Q | Sym): Sym => (isQ(e) ? symOf(e) : e)

function firstByKey(sum: Sum): Product {
  let first: string | undefined
  for (const key of sum.keys()) if (first === undefined || key < first) first = key
  return sum.get(first!)!
}

function negateSum(sum: Sum): Sum {
  const negated: Sum = new Map()
  for (const [key, term] of sum) negated.set(key, { coef: negate(term.coef), factors: term.factors })
  return negated
}

/**
 * A sum written out in order of appearance; a negated one (y − x for −(x − y)) starts with a
 * positive term when it has one.
 */
function buildSum(sum: Sum, positiveFirst = false): Sym {
  const terms = [...sum.values()].filter((term) => !isZero(term.coef) || !exact(term.coef))
  if (terms.length === 0) return 0
  const firstPositive = terms.findIndex((term) => !lessThanZero(term.coef))
  if (positiveFirst && firstPositive > 0) terms.unshift(...terms.splice(firstPositive, 1))
  let result = buildProduct(terms[0]!)
  for (const term of terms.slice(1)) {
    const negative = lessThanZero(term.coef)
    const magnitude = buildProduct({ coef: negative ? negate(term.coef) : term.coef, factors: term.factors })
    result = { op: negative ? 'sub' : 'add', args: [result, magnitude] }
  }
  return result
}

/** A product written out: coefficient and positive powers over the negative ones, x·y/(2·z²). */
function buildProduct(p: Product): Sym {
  if (isZero(p.coef) && exact(p.coef)) return 0
  const over: Sym[] = []
  const under: Sym[] = []
  for (const { base, exp } of p.factors.values()) {
    if (isQ(exp)) {
      if (isZero(exp)) continue
      if (lessThanZero(exp)) under.push(raise(base, negate(exp)))
      else over.push(raise(base, exp))
    } else {
      over.push({ op: 'pow', args: [base, exp] })
    }
  }
  if (over.length === 0 && under.length === 0) return symOf(p.coef)
  const negative = lessThanZero(p.coef)
  const magnitude = negative ? negate(p.coef) : p.coef
  const top = magnitude.d === 1 ? magnitude.n : Math.abs(magnitude.n)
  const bottom = magnitude.d
  // The sign goes on a leading number (−2·x) or in front of the whole (−x/y).
  const overWithNumber = top === 1 && over.length > 0 ? over : [negative ? -top : top, ...over]
  const numerator = overWithNumber.reduce((a, b) => ({ op: 'mul', args: [a, b] }))
  const denominator = [...(bottom === 1 ? [] : [bottom]), ...under].reduce<Sym | undefined>(
    (a, b) => (a === undefined ? b : { op: 'mul', args: [a, b] }),
    undefined,
  )
  const whole: Sym = denominator === undefined ? numerator : { op: 'div', args: [numerator, denominator] }
  return negative && overWithNumber === over ? { op: 'neg', args: [whole] } : whole
}

function raise(base: Sym, exp: Q): Sym {
  return isOne(exp) ? base : { op: 'pow', args: [base, symOf(exp)] }
}

/**
 * `op(args)` in canonical form, for arguments already canonical and not all numbers (the caller
 * folds those). Arithmetic goes through the sum and product forms; a function stays a function of
 * its canonical arguments, except log(e) = 1.
 */
export function canonical(op: OpId, args: Sym[]): Sym {
  const [a, b] = args as [Sym, Sym]
  // The common cases, already canonical as written: x·tanh(u), 2·x², x + y, 1 − tanh(u)², t².
  if (op === 'pow' && isAtom(a) && typeof b === 'number' && Number.isInteger(b) && b > 1) return { op, args }
  if (op === 'mul' && isPlainNumber(a) && isMonomial(b)) return { op, args }
  if (op === 'mul' && isPlainNumber(b) && isMonomial(a)) return { op, args: [b, a] }
  if (op === 'mul' && isMonomial(a) && isMonomial(b) && keyOf(baseOf(a)) !== keyOf(baseOf(b))) return { op, args }
  const isTerm = (s: Sym) => typeof s === 'number' && s > 0 && Number.isFinite(s)
  if ((op === 'add' || op === 'sub') && (isMonomial(a) || isTerm(a)) && (isMonomial(b) || isTerm(b))) {
    if (typeof a === 'number' || typeof b === 'number' || keyOf(a) !== keyOf(b)) return { op, args }
  }
  switch (op) {
    case 'add':
    case 'sub':
    case 'neg': {
      // −(a + b) stays as written, as a textbook keeps −(y·log p + (1 − y)·log(1 − p)).
      if (op === 'neg' && isApply(args[0]!) && (args[0].op === 'add' || args[0].op === 'sub')) return { op, args }
      const sum: Sum = new Map()
      addTerms(sum, args[0]!, q(1))
      if (op !== 'neg') addTerms(sum, args[1]!, op === 'sub' ? q(-1) : q(1))
      else return buildSum(negateSum(sum), true)
      return buildSum(sum)
    }
    case 'mul':
    case 'div':
    case 'pow': {
      if (op === 'pow') {
        const e = numberOf(args[1]!)
        if (!e || !isInteger(e)) {
          // A base raised to a symbolic or fractional power: one factor (x^(1/3), e^x).
          const product: Product = { coef: q(1), factors: new Map() }
          multiply(product, { op, args }, q(1))
          return buildProduct(product)
        }
      }
      const product: Product = { coef: q(1), factors: new Map() }
      if (op === 'pow') multiply(product, args[0]!, numberOf(args[1]!)!)
      else {
        multiply(product, args[0]!, q(1))
        multiply(product, args[1]!, op === 'div' ? q(-1) : q(1))
      }
      return buildOne(product)
    }
    case 'identity':
      return args[0]!
    case 'log':
      if (isName(args[0]!, 'e')) return 1
      break
  }
  return { op, args }
}

/** A name, a gradient or a function call: a factor and a term of its own. */
const isAtom = (s: Sym) => typeof s === 'object' && (!isApply(s) || !ARITHMETIC.has(s.op)) && !('tooLong' in s)
const ARITHMETIC = new Set<OpId>(['add', 'sub', 'mul', 'div', 'pow', 'neg'])
/** An atom, or an atom to a positive integer power: x, tanh(u)². */
const isMonomial = (s: Sym) =>
  isAtom(s) || (isApply(s) && s.op === 'pow' && isAtom(s.args[0]!) && typeof s.args[1] === 'number' && Number.isInteger(s.args[1]) && s.args[1] > 1)
const baseOf = (s: Sym) => (isApply(s) && s.op === 'pow' ? s.args[0]! : s)

/** A number that multiplies as written: not 0, 1 or −1, which a product drops or turns into a sign. */
const isPlainNumber = (s: Sym) => typeof s === 'number' && s !== 0 && s !== 1 && s !== -1 && !Number.isNaN(s)

const isName = (s: Sym, name: string) => typeof s === 'object' && 'name' in s && s.name === name && s.mark === undefined

/** A product that may have collapsed to one sum factor (2·(a + b) keeps its factor; (a + b)¹ is the sum). */
function buildOne(product: Product): Sym {
  if (product.factors.size === 1 && isOne(product.coef)) {
    const { base, exp } = product.factors.values().next().value!
    if (isQ(exp) && isOne(exp)) return base
  }
  return buildProduct(product)
}

/**
 * op(args) folded exactly where every argument is an exact number: 1/3 stays 1/3, log(2) stays
 * log(2), 2·3 is 6. Inexact numbers (a bound value such as 0.7) fold as doubles.
 */
export function exactFold(op: OpId, args: Sym[]): Sym | undefined {
  const qs = args.map(numberOf)
  if (qs.some((a) => a === undefined)) return undefined
  const [a, b] = qs as Q[]
  if (!qs.every((x) => exact(x!))) return OPS[op].value(...qs.map((x) => value(x!)))
  switch (op) {
    case 'add':
      return symOf(add(a!, b!))
    case 'sub':
      return symOf(add(a!, negate(b!)))
    case 'neg':
      return symOf(negate(a!))
    case 'mul':
      return symOf(mul(a!, b!))
    case 'div':
      return isZero(b!) ? OPS.div.value(value(a!), 0) : symOf(mul(a!, power(b!, -1)))
    case 'pow':
      if (isInteger(b!) && !(isZero(a!) && b!.n < 0)) return symOf(power(a!, b!.n))
      break
    case 'identity':
      return args[0]
  }
  const result = OPS[op].value(...qs.map((x) => value(x!)))
  // sqrt(4) is 2 and log(1) is 0; log(2) and sqrt(1/3) stay as they are written.
  return Number.isInteger(result) ? result : { op, args }
}
