// The op table: everything about each operator and function in one entry. Adding an op is one
// entry here plus one test row; `Record<OpId, OpRule>` makes the compiler check the table is whole.
import type { Sym, SymBuilder } from './sym.js'

export type OpId =
  | 'add'
  | 'sub'
  | 'mul'
  | 'div'
  | 'pow'
  | 'neg'
  | 'identity'
  | 'exp'
  | 'log'
  | 'logb'
  | 'log2'
  | 'log10'
  | 'sqrt'
  | 'cbrt'
  | 'abs'
  | 'sin'
  | 'cos'
  | 'tan'
  | 'asin'
  | 'acos'
  | 'atan'
  | 'sinh'
  | 'cosh'
  | 'tanh'
  | 'sigmoid'
  | 'relu'
  | 'softplus'
  | 'max'
  | 'min'
  // Helpers that appear only inside local derivatives, never in user input.
  | 'sign'
  | 'step'
  | 'ge'

/** How a node of this op is written. Precedence follows mathjs: + - < * / < unary - < ^. */
export type Notation =
  | { kind: 'infix'; symbol: string; precedence: number; rightAssoc?: boolean }
  | { kind: 'prefix'; symbol: string; precedence: number }
  | { kind: 'call'; name: string }
  | { kind: 'iverson'; relation: string }

/** The rule that gives one local derivative, for the tables and for --explain. */
export interface Rule {
  /** Stable id, kept in the JSON. */
  id: string
  /** Short name shown in the tables: "product", "chain", "tanh". */
  name: string
  /**
   * Why the formula is what it is, in a few words for --explain. The formula itself is never
   * written here: the explanation prints it from `local`, so the words cannot drift from the maths.
   */
  why: string
}

/** One input of an op: its local derivative, built from the input expressions, and the rule that gives it. */
export interface OpInput {
  local: (S: SymBuilder, args: Sym[]) => Sym
  rule: Rule
}

/**
 * What an op does at a non-differentiable point (PyTorch's choice); the wording lives in
 * src/steps/words.ts. `zero-at-kink`: the gradient is taken as 0; `tie-split`: half to each input;
 * `infinite-slope`: the derivative is Infinity there; `power-*`: PyTorch's masks for 0^b and a^0;
 * `nan-passes`: relu, max or min of a NaN passes the gradient, since PyTorch blocks an input only
 * where a comparison says so, and every comparison with NaN is false. Three are no kink, only a
 * formula that reads NaN where the derivative has a value: `nan-passes`; `power-flat-base`, 0^b
 * for b > 0 (0 for every b near, so d/db is 0, though 0^b·log(0) is 0·(-Infinity)); and
 * `power-zero-exponent`, a^0 at a = 0 (1 for every a, so d/da is 0, though 0·0^(-1) is 0·Infinity).
 */
export type Convention =
  'zero-at-kink' | 'sign-zero' | 'tie-split' | 'infinite-slope' | 'power-zero-exponent' | 'power-zero-base' | 'power-flat-base' | 'nan-passes'

/** Whether a convention is taken at a non-differentiable point (a kink the check and the quiz must know of). */
export const isKinkConvention = (convention: string): boolean =>
  convention !== 'nan-passes' && convention !== 'power-flat-base' && convention !== 'power-zero-exponent'

/**
 * How a node of this op is written in LaTeX, from its arguments already in LaTeX. `parens` says
 * which arguments get parentheses by precedence (infix operators); otherwise the template groups
 * them itself (\frac, \sqrt, function parentheses).
 */
export interface Latex {
  template: (args: string[]) => string
  parens?: 'precedence' | 'base'
}

const call = (name: string): Latex => ({ template: (args) => `${name}\\left(${args.join(', ')}\\right)` })

export interface OpRule {
  notation: Notation
  latex: Latex
  /** Forward value on numbers; real doubles only, so domain errors give NaN, never complex. */
  value: (...xs: number[]) => number
  /** Each input in argument order: its local derivative and its rule. The op's arity is their number. */
  inputs: OpInput[]
  /** The function name a program calls it by, with `inputs.length` arguments (log(x) and log(x, b) are two ops). */
  call?: string
  /** At a non-differentiable point, the convention used for the input at `slot`; undefined where differentiable. */
  convention?: (xs: number[], slot: number) => Convention | undefined
  /** For ops with a kink: a quantity whose sign flips where the op switches branch (relu: a). */
  kink?: (xs: number[]) => number
  /**
   * Where the backward pass selects rather than multiplies (PyTorch's relu, max, min, and pow's
   * mask for a^0): an input whose local derivative is 0 there gets 0, even when the
   * upstream is infinite or NaN. (abs multiplies by sign(x), in PyTorch too, so abs(0) passes on
   * ∞·0 = NaN.)
   */
  selects?: (xs: number[], slot: number) => boolean
}

/**
 * a^b as IEEE 754 and C's pow define it (and PyTorch computes it): 1^b is 1 for every b, NaN and
 * ±Infinity included, and (-1)^±Infinity is 1, where JavaScript's Math.pow gives NaN.
 */
export const pow = (a: number, b: number) => (a === 1 || (a === -1 && (b === Infinity || b === -Infinity)) ? 1 : Math.pow(a, b))
export const sigmoid = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)))
// log(1 + e^x) without overflow for large x or loss of precision for very negative x.
const softplus = (x: number) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)))
// PyTorch's maximum/minimum backward: the larger input gets the gradient, a tie splits it evenly.
/**
 * [a ≥ b] with a tie split: PyTorch's max backward blocks a only where a < b, so a comparison with
 * NaN, which is false, passes the gradient (1).
 */
const ge = (a: number, b: number) => (a < b ? 0 : a === b ? 0.5 : 1)
const always = () => true
/** max, min and relu: a NaN input is no kink, but PyTorch's rule for it is a convention to name. */
const nanPasses = (xs: number[]): Convention | undefined => (xs.some(Number.isNaN) ? 'nan-passes' : undefined)

type Local = OpInput['local']
const rule = (id: string, why: string, name = id): Rule => ({ id, name, why })
/** A one-input function called by its name, with its local derivative and why. */
const unary = (id: string, local: Local, why: string, latex: Latex = call(`\\${id}`)): Pick<OpRule, 'notation' | 'latex' | 'inputs' | 'call'> => ({
  notation: { kind: 'call', name: id },
  latex,
  inputs: [{ local, rule: rule(id, why) }],
  call: id,
})

const SUM = rule('sum', 'each term passes the gradient through unchanged')
const flat = (why: string): OpInput => ({ local: () => 0, rule: rule('step', why) })

export const OPS: Record<OpId, OpRule> = {
  add: {
    notation: { kind: 'infix', symbol: '+', precedence: 1 },
    latex: { template: ([a, b]) => `${a} + ${b}`, parens: 'precedence' },
    value: (a, b) => a! + b!,
    inputs: [
      { local: () => 1, rule: SUM },
      { local: () => 1, rule: SUM },
    ],
  },
  sub: {
    notation: { kind: 'infix', symbol: '-', precedence: 1 },
    latex: { template: ([a, b]) => `${a} - ${b}`, parens: 'precedence' },
    value: (a, b) => a! - b!,
    inputs: [
      { local: () => 1, rule: rule('difference', 'the first term passes the gradient through') },
      { local: () => -1, rule: rule('difference', 'the subtracted term gets the gradient with its sign flipped') },
    ],
  },
  mul: {
    notation: { kind: 'infix', symbol: '*', precedence: 2 },
    latex: { template: ([a, b]) => `${a} \\cdot ${b}`, parens: 'precedence' },
    value: (a, b) => a! * b!,
    inputs: [
      { local: (_, [, b]) => b!, rule: rule('product', "each factor's derivative is the other factor") },
      { local: (_, [a]) => a!, rule: rule('product', "each factor's derivative is the other factor") },
    ],
  },
  div: {
    notation: { kind: 'infix', symbol: '/', precedence: 2 },
    latex: { template: ([a, b]) => `\\frac{${a}}{${b}}` },
    value: (a, b) => a! / b!,
    inputs: [
      { local: (S, [, b]) => S.div(1, b!), rule: rule('quotient', 'the numerator is scaled by one over the denominator') },
      { local: (S, [a, b]) => S.neg(S.div(a!, S.pow(b!, 2))), rule: rule('quotient', 'a larger denominator makes the quotient smaller') },
    ],
  },
  pow: {
    notation: { kind: 'infix', symbol: '^', precedence: 4, rightAssoc: true },
    latex: { template: ([a, b]) => `${a}^{${b}}`, parens: 'base' },
    value: (a, b) => pow(a!, b!),
    inputs: [
      // PyTorch masks the base's gradient to 0 when the exponent is 0 (0^-1 would give 0*∞).
      { local: (S, [a, b]) => (b === 0 ? 0 : S.mul(b!, S.pow(a!, S.sub(b!, 1)))), rule: rule('power', 'the exponent comes down and the power drops by one') },
      // ... and the exponent's gradient to 0 when the base is 0 and the exponent is not negative.
      {
        local: (S, [a, b]) => (a === 0 && typeof b === 'number' && b >= 0 ? 0 : S.mul(S.pow(a!, b!), S.apply('log', [a!]))),
        rule: rule('exponential', 'with respect to the exponent, a power grows by itself times the log of its base'),
      },
    ],
    call: 'pow',
    convention: ([a, b], slot) =>
      slot === 1 && a === 0 && b! >= 0
        ? b === 0
          ? 'power-zero-base'
          : 'power-flat-base'
        : slot === 0 && b === 0 && a === 0
          ? 'power-zero-exponent'
          : undefined,
    // PyTorch's mask for a^0 is a where() around the product with the upstream, so its 0 holds even
    // from an infinite upstream; its mask for 0^b is multiplied by the upstream (∞·0 = NaN there).
    selects: ([, b], slot) => slot === 0 && b === 0,
  },
  neg: {
    notation: { kind: 'prefix', symbol: '-', precedence: 3 },
    latex: { template: ([a]) => `-${a}`, parens: 'precedence' },
    value: (a) => -a!,
    inputs: [{ local: () => -1, rule: rule('negation', 'negation flips the sign of the gradient') }],
  },
  identity: {
    notation: { kind: 'call', name: 'id' },
    latex: { template: ([a]) => a! },
    value: (a) => a!,
    inputs: [{ local: () => 1, rule: rule('assignment', 'a plain assignment copies its value, so the gradient passes through unchanged') }],
  },
  exp: { ...unary('exp', (S, [a]) => S.apply('exp', [a!]), 'exp is its own derivative', { template: ([a]) => `e^{${a}}` }), value: Math.exp },
  log: { ...unary('log', (S, [a]) => S.div(1, a!), 'the natural log grows ever more slowly', call('\\ln')), value: Math.log },
  logb: {
    notation: { kind: 'call', name: 'log' },
    latex: { template: ([a, b]) => `\\log_{${b}}\\left(${a}\\right)` },
    value: (a, b) => Math.log(a!) / Math.log(b!),
    inputs: [
      {
        local: (S, [a, b]) => S.div(1, S.mul(a!, S.apply('log', [b!]))),
        rule: rule('log-base', 'a log in any base is the natural log divided by the log of the base', 'log base'),
      },
      {
        local: (S, [a, b]) => S.neg(S.div(S.apply('log', [a!]), S.mul(b!, S.pow(S.apply('log', [b!]), 2)))),
        rule: rule('log-base', 'a log in any base is the natural log divided by the log of the base', 'log base'),
      },
    ],
    call: 'log',
  },
  log2: { ...unary('log2', (S, [a]) => S.div(1, S.mul(a!, Math.LN2)), 'log2 is the natural log divided by log(2)', call('\\log_{2}')), value: Math.log2 },
  log10: {
    ...unary('log10', (S, [a]) => S.div(1, S.mul(a!, Math.LN10)), 'log10 is the natural log divided by log(10)', call('\\log_{10}')),
    value: Math.log10,
  },
  sqrt: {
    ...unary('sqrt', (S, [a]) => S.div(1, S.mul(2, S.apply('sqrt', [a!]))), 'a square root is a power 1/2, so the power rule applies', {
      template: ([a]) => `\\sqrt{${a}}`,
    }),
    value: Math.sqrt,
    convention: ([a]) => (a === 0 ? 'infinite-slope' : undefined),
  },
  cbrt: {
    ...unary('cbrt', (S, [a]) => S.div(1, S.mul(3, S.pow(S.apply('cbrt', [a!]), 2))), 'a cube root is a power 1/3, so the power rule applies', {
      template: ([a]) => `\\sqrt[3]{${a}}`,
    }),
    value: Math.cbrt,
    convention: ([a]) => (a === 0 ? 'infinite-slope' : undefined),
  },
  abs: {
    ...unary('abs', (S, [a]) => S.apply('sign', [a!]), 'the slope is +1 right of 0 and -1 left of it', {
      template: ([a]) => `\\left\\lvert ${a} \\right\\rvert`,
    }),
    value: Math.abs,
    kink: ([a]) => a!,
    convention: ([a]) => (a === 0 ? 'sign-zero' : undefined),
  },
  sin: { ...unary('sin', (S, [a]) => S.apply('cos', [a!]), "sine's slope is cosine"), value: Math.sin },
  cos: { ...unary('cos', (S, [a]) => S.neg(S.apply('sin', [a!])), "cosine's slope is minus sine"), value: Math.cos },
  tan: { ...unary('tan', (S, [a]) => S.div(1, S.pow(S.apply('cos', [a!]), 2)), 'tangent steepens towards its poles'), value: Math.tan },
  asin: { ...unary('asin', (S, [a]) => S.div(1, S.apply('sqrt', [S.sub(1, S.pow(a!, 2))])), 'the inverse of sine', call('\\arcsin')), value: Math.asin },
  acos: {
    ...unary('acos', (S, [a]) => S.neg(S.div(1, S.apply('sqrt', [S.sub(1, S.pow(a!, 2))]))), 'the inverse of cosine', call('\\arccos')),
    value: Math.acos,
  },
  atan: { ...unary('atan', (S, [a]) => S.div(1, S.add(1, S.pow(a!, 2))), 'the inverse of tangent flattens far from 0', call('\\arctan')), value: Math.atan },
  sinh: { ...unary('sinh', (S, [a]) => S.apply('cosh', [a!]), "the hyperbolic sine's slope is the hyperbolic cosine"), value: Math.sinh },
  cosh: { ...unary('cosh', (S, [a]) => S.apply('sinh', [a!]), "the hyperbolic cosine's slope is the hyperbolic sine"), value: Math.cosh },
  tanh: { ...unary('tanh', (S, [a]) => S.sub(1, S.pow(S.apply('tanh', [a!]), 2)), 'the slope shrinks as tanh saturates'), value: Math.tanh },
  sigmoid: {
    ...unary(
      'sigmoid',
      (S, [a]) => S.mul(S.apply('sigmoid', [a!]), S.sub(1, S.apply('sigmoid', [a!]))),
      'the slope is largest at 0 and shrinks as sigmoid saturates',
      call('\\sigma'),
    ),
    value: sigmoid,
  },
  relu: {
    ...unary(
      'relu',
      (S, [a]) => S.apply('step', [a!]),
      'relu passes the gradient where its input is positive and blocks it elsewhere',
      call('\\operatorname{relu}'),
    ),
    value: (a) => Math.max(a!, 0),
    kink: ([a]) => a!,
    selects: always,
    convention: ([a]) => (a === 0 ? 'zero-at-kink' : nanPasses([a!])),
  },
  softplus: {
    ...unary('softplus', (S, [a]) => S.apply('sigmoid', [a!]), 'softplus is log(1 + exp(u)), a smooth relu', call('\\operatorname{softplus}')),
    value: softplus,
  },
  max: {
    notation: { kind: 'call', name: 'max' },
    latex: call('\\max'),
    value: Math.max,
    inputs: [
      { local: (S, [a, b]) => S.apply('ge', [a!, b!]), rule: rule('max', 'max passes the whole gradient to the larger input and none to the other') },
      { local: (S, [a, b]) => S.apply('ge', [b!, a!]), rule: rule('max', 'max passes the whole gradient to the larger input and none to the other') },
    ],
    call: 'max',
    kink: ([a, b]) => a! - b!,
    selects: always,
    convention: (xs) => (xs[0] === xs[1] ? 'tie-split' : nanPasses(xs)),
  },
  min: {
    notation: { kind: 'call', name: 'min' },
    latex: call('\\min'),
    value: Math.min,
    inputs: [
      { local: (S, [a, b]) => S.apply('ge', [b!, a!]), rule: rule('min', 'min passes the whole gradient to the smaller input and none to the other') },
      { local: (S, [a, b]) => S.apply('ge', [a!, b!]), rule: rule('min', 'min passes the whole gradient to the smaller input and none to the other') },
    ],
    call: 'min',
    kink: ([a, b]) => a! - b!,
    selects: always,
    convention: (xs) => (xs[0] === xs[1] ? 'tie-split' : nanPasses(xs)),
  },
  // abs's slope, callable too, so that a claim or an answer may say ∂|x|/∂x = sign(x).
  sign: {
    notation: { kind: 'call', name: 'sign' },
    latex: call('\\operatorname{sign}'),
    value: Math.sign,
    inputs: [{ local: () => 0, rule: rule('sign', 'sign is flat away from 0, where it jumps') }],
    call: 'sign',
    kink: ([a]) => a!,
    convention: ([a]) => (a === 0 ? 'zero-at-kink' : undefined),
  },
  // Helpers that appear only inside local derivatives: no `call`, so a program cannot use them.
  step: {
    notation: { kind: 'iverson', relation: '>' },
    latex: { template: ([a]) => `\\left[${a} > 0\\right]` },
    // PyTorch's relu backward blocks where the input is ≤ 0: NaN ≤ 0 is false, so NaN passes (1).
    value: (a) => (a! <= 0 ? 0 : 1),
    inputs: [flat('a step is flat away from 0')],
  },
  ge: {
    notation: { kind: 'iverson', relation: '>' },
    latex: { template: ([a, b]) => `\\left[${a} > ${b}\\right]` },
    value: (a, b) => ge(a!, b!),
    inputs: [flat('a step is flat away from a tie'), flat('a step is flat away from a tie')],
  },
}

/** Functions a program may call: name → number of arguments → op, read from the table's `call` fields. */
const CALLS = new Map<string, Map<number, OpId>>()
for (const [id, op] of Object.entries(OPS) as [OpId, OpRule][]) {
  if (op.call === undefined) continue
  const byArity = CALLS.get(op.call) ?? new Map<number, OpId>()
  byArity.set(op.inputs.length, id)
  CALLS.set(op.call, byArity)
}

/** The op a call `name(arg, ...)` with `arity` arguments means, if the tutor supports it. */
export function callOp(name: string, arity: number): OpId | undefined {
  return CALLS.get(name)?.get(arity)
}

/** Supported function names with the argument counts they take. */
export const functionArities: Record<string, number[]> = Object.fromEntries([...CALLS].map(([name, byArity]) => [name, [...byArity.keys()].sort()]))

/** The callable functions as the README and the unknown-function message list them: exp, log(x[, base]), max(a, b). */
export function supportedFunctions(): string[] {
  // One-argument functions first, in table order, then those of two arguments only (pow, max, min).
  const entries = Object.entries(functionArities)
  const ordered = [...entries.filter(([, arities]) => arities.includes(1)), ...entries.filter(([, arities]) => !arities.includes(1))]
  return ordered.map(([name, arities]) => (arities.includes(2) ? (arities.includes(1) ? `${name}(x[, base])` : `${name}(a, b)`) : name))
}

/** Named constants: their values and what they are. */
export const CONSTANT_VALUES: Record<string, number> = { pi: Math.PI, e: Math.E }
export const CONSTANTS: Record<string, string> = { pi: 'pi = 3.14159…', e: 'e = 2.71828…' }
