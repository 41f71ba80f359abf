// The op table: everything about each operator and function in one entry. Adding an op is one
// entry here plus one test row; `Record<OpId, OpRule>` makes the compiler check the table is whole.
import type { Sym, SymBuilder } from './sym.js'

export type OpId =
  | 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'neg' | 'identity'
  | 'exp' | 'log' | 'logb' | 'log2' | 'log10' | 'sqrt' | 'cbrt' | 'abs'
  | 'sin' | 'cos' | 'tan' | 'asin' | 'acos' | 'atan' | 'sinh' | 'cosh' | 'tanh'
  | 'sigmoid' | 'relu' | 'softplus' | 'max' | 'min'
  // Helpers that appear only inside local derivatives, never in user input.
  | 'sign' | 'step' | 'ge'

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
  /** One plain sentence for --explain. */
  explain: string
}

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
  /** Local derivative with respect to each input, built from the input expressions. */
  local: ((S: SymBuilder, args: Sym[]) => Sym)[]
  /** The rule for each input (same order as `local`). */
  rules: Rule[]
  /**
   * At a non-differentiable point, the convention used (PyTorch's), for the input at `slot`.
   * Returns undefined where the op is differentiable.
   */
  convention?: (xs: number[], slot: number) => string | undefined
  /** For ops with a kink: a quantity whose sign flips where the op switches branch (relu: a). */
  kink?: (xs: number[]) => number
}

export const sigmoid = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)))
// log(1 + e^x) without overflow for large x or loss of precision for very negative x.
const softplus = (x: number) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)))
// PyTorch's maximum/minimum backward: the larger input gets the gradient, a tie splits it evenly.
const ge = (a: number, b: number) => (a > b ? 1 : a < b ? 0 : a === b ? 0.5 : NaN)

const unary = (name: string, explain: string): Rule[] => [{ id: name, name, explain }]
const fn = (name: string): Notation => ({ kind: 'call', name })

const SUM: Rule = { id: 'sum', name: 'sum', explain: 'In a sum each term passes the gradient through unchanged: the local derivative is 1.' }

export const OPS: Record<OpId, OpRule> = {
  add: {
    notation: { kind: 'infix', symbol: '+', precedence: 1 },
    latex: { template: ([a, b]) => `${a} + ${b}`, parens: 'precedence' },
    value: (a, b) => a! + b!,
    local: [() => 1, () => 1],
    rules: [SUM, SUM],
  },
  sub: {
    notation: { kind: 'infix', symbol: '-', precedence: 1 },
    latex: { template: ([a, b]) => `${a} - ${b}`, parens: 'precedence' },
    value: (a, b) => a! - b!,
    local: [() => 1, () => -1],
    rules: [
      { id: 'difference', name: 'difference', explain: 'In a difference a - b, the first term passes the gradient through: the local derivative is 1.' },
      { id: 'difference', name: 'difference', explain: 'In a difference a - b, the subtracted term gets the gradient with its sign flipped: the local derivative is -1.' },
    ],
  },
  mul: {
    notation: { kind: 'infix', symbol: '*', precedence: 2 },
    latex: { template: ([a, b]) => `${a} \\cdot ${b}`, parens: 'precedence' },
    value: (a, b) => a! * b!,
    local: [(_, [, b]) => b!, (_, [a]) => a!],
    rules: [
      { id: 'product', name: 'product', explain: 'Product rule: the derivative of a*b with respect to a is the other factor, b.' },
      { id: 'product', name: 'product', explain: 'Product rule: the derivative of a*b with respect to b is the other factor, a.' },
    ],
  },
  div: {
    notation: { kind: 'infix', symbol: '/', precedence: 2 },
    latex: { template: ([a, b]) => `\\frac{${a}}{${b}}` },
    value: (a, b) => a! / b!,
    local: [(S, [, b]) => S.div(1, b!), (S, [a, b]) => S.neg(S.div(a!, S.pow(b!, 2)))],
    rules: [
      { id: 'quotient', name: 'quotient', explain: 'Quotient rule: a/b changes with a at the rate 1/b.' },
      { id: 'quotient', name: 'quotient', explain: 'Quotient rule: a/b changes with b at the rate -a/b^2.' },
    ],
  },
  pow: {
    notation: { kind: 'infix', symbol: '^', precedence: 4, rightAssoc: true },
    latex: { template: ([a, b]) => `${a}^{${b}}`, parens: 'base' },
    value: (a, b) => Math.pow(a!, b!),
    local: [
      // PyTorch masks the base's gradient to 0 when the exponent is 0 (0^-1 would give 0*∞).
      (S, [a, b]) => (b === 0 ? 0 : S.mul(b!, S.pow(a!, S.sub(b!, 1)))),
      // ... and the exponent's gradient to 0 when the base is 0 and the exponent is not negative.
      (S, [a, b]) => (a === 0 && typeof b === 'number' && b >= 0 ? 0 : S.mul(S.pow(a!, b!), S.apply('log', [a!]))),
    ],
    rules: [
      { id: 'power', name: 'power', explain: 'Power rule: the derivative of a^b with respect to the base a is b*a^(b-1).' },
      { id: 'exponential', name: 'exponential', explain: 'Exponential rule: the derivative of a^b with respect to the exponent b is a^b*log(a).' },
    ],
    convention: ([a, b], slot) =>
      slot === 1 && a === 0 && b! >= 0
        ? 'd(0^b)/db is taken as 0 (PyTorch\'s convention; log(0) is -Infinity)'
        : slot === 0 && b === 0
          ? 'd(a^0)/da is taken as 0 (PyTorch\'s convention)'
          : undefined,
  },
  neg: {
    notation: { kind: 'prefix', symbol: '-', precedence: 3 },
    latex: { template: ([a]) => `-${a}`, parens: 'precedence' },
    value: (a) => -a!,
    local: [() => -1],
    rules: unary('negation', 'Negation flips the sign of the gradient: the local derivative is -1.'),
  },
  identity: {
    notation: fn('id'),
    latex: { template: ([a]) => a! },
    value: (a) => a!,
    local: [() => 1],
    rules: unary('assignment', 'A plain assignment copies its value, so the gradient passes through unchanged.'),
  },
  exp: {
    notation: fn('exp'),
    latex: { template: ([a]) => `e^{${a}}` },
    value: Math.exp,
    local: [(S, [a]) => S.apply('exp', [a!])],
    rules: unary('exp', 'exp is its own derivative: d exp(a)/da = exp(a).'),
  },
  log: {
    notation: fn('log'),
    latex: call('\\ln'),
    value: Math.log,
    local: [(S, [a]) => S.div(1, a!)],
    rules: unary('log', 'The natural log changes at the rate 1/a.'),
  },
  logb: {
    notation: fn('log'),
    latex: { template: ([a, b]) => `\\log_{${b}}\\left(${a}\\right)` },
    value: (a, b) => Math.log(a!) / Math.log(b!),
    local: [
      (S, [a, b]) => S.div(1, S.mul(a!, S.apply('log', [b!]))),
      (S, [a, b]) => S.neg(S.div(S.apply('log', [a!]), S.mul(b!, S.pow(S.apply('log', [b!]), 2)))),
    ],
    rules: [
      { id: 'log-base', name: 'log base', explain: 'log(a, b) = log(a)/log(b), which changes with a at the rate 1/(a*log(b)).' },
      { id: 'log-base', name: 'log base', explain: 'log(a, b) = log(a)/log(b), which changes with the base b at the rate -log(a)/(b*log(b)^2).' },
    ],
  },
  log2: {
    notation: fn('log2'),
    latex: call('\\log_{2}'),
    value: Math.log2,
    local: [(S, [a]) => S.div(1, S.mul(a!, Math.LN2))],
    rules: unary('log2', 'log2(a) = log(a)/log(2) changes at the rate 1/(a*log(2)).'),
  },
  log10: {
    notation: fn('log10'),
    latex: call('\\log_{10}'),
    value: Math.log10,
    local: [(S, [a]) => S.div(1, S.mul(a!, Math.LN10))],
    rules: unary('log10', 'log10(a) = log(a)/log(10) changes at the rate 1/(a*log(10)).'),
  },
  sqrt: {
    notation: fn('sqrt'),
    latex: { template: ([a]) => `\\sqrt{${a}}` },
    value: Math.sqrt,
    local: [(S, [a]) => S.div(1, S.mul(2, S.apply('sqrt', [a!])))],
    rules: unary('sqrt', 'sqrt(a) = a^(1/2), so by the power rule it changes at the rate 1/(2*sqrt(a)).'),
    convention: ([a]) => (a === 0 ? 'sqrt is not differentiable at 0: its derivative 1/(2*sqrt(0)) is Infinity' : undefined),
  },
  cbrt: {
    notation: fn('cbrt'),
    latex: { template: ([a]) => `\\sqrt[3]{${a}}` },
    value: Math.cbrt,
    local: [(S, [a]) => S.div(1, S.mul(3, S.pow(S.apply('cbrt', [a!]), 2)))],
    rules: unary('cbrt', 'cbrt(a) = a^(1/3), so by the power rule it changes at the rate 1/(3*cbrt(a)^2).'),
    convention: ([a]) => (a === 0 ? 'cbrt is not differentiable at 0: its derivative 1/(3*cbrt(0)^2) is Infinity' : undefined),
  },
  abs: {
    notation: fn('abs'),
    latex: { template: ([a]) => `\\left\\lvert ${a} \\right\\rvert` },
    value: Math.abs,
    local: [(S, [a]) => S.apply('sign', [a!])],
    rules: unary('abs', 'abs(a) has slope +1 where a > 0 and -1 where a < 0: its derivative is sign(a).'),
    kink: ([a]) => a!,
    convention: ([a]) => (a === 0 ? "abs is not differentiable at 0: the gradient is taken as 0 (PyTorch's convention, sign(0) = 0)" : undefined),
  },
  sin: {
    notation: fn('sin'),
    latex: call('\\sin'),
    value: Math.sin,
    local: [(S, [a]) => S.apply('cos', [a!])],
    rules: unary('sin', 'The derivative of sin(a) is cos(a).'),
  },
  cos: {
    notation: fn('cos'),
    latex: call('\\cos'),
    value: Math.cos,
    local: [(S, [a]) => S.neg(S.apply('sin', [a!]))],
    rules: unary('cos', 'The derivative of cos(a) is -sin(a).'),
  },
  tan: {
    notation: fn('tan'),
    latex: call('\\tan'),
    value: Math.tan,
    local: [(S, [a]) => S.div(1, S.pow(S.apply('cos', [a!]), 2))],
    rules: unary('tan', 'The derivative of tan(a) is 1/cos(a)^2.'),
  },
  asin: {
    notation: fn('asin'),
    latex: call('\\arcsin'),
    value: Math.asin,
    local: [(S, [a]) => S.div(1, S.apply('sqrt', [S.sub(1, S.pow(a!, 2))]))],
    rules: unary('asin', 'The derivative of asin(a) is 1/sqrt(1 - a^2).'),
  },
  acos: {
    notation: fn('acos'),
    latex: call('\\arccos'),
    value: Math.acos,
    local: [(S, [a]) => S.neg(S.div(1, S.apply('sqrt', [S.sub(1, S.pow(a!, 2))])))],
    rules: unary('acos', 'The derivative of acos(a) is -1/sqrt(1 - a^2).'),
  },
  atan: {
    notation: fn('atan'),
    latex: call('\\arctan'),
    value: Math.atan,
    local: [(S, [a]) => S.div(1, S.add(1, S.pow(a!, 2)))],
    rules: unary('atan', 'The derivative of atan(a) is 1/(1 + a^2).'),
  },
  sinh: {
    notation: fn('sinh'),
    latex: call('\\sinh'),
    value: Math.sinh,
    local: [(S, [a]) => S.apply('cosh', [a!])],
    rules: unary('sinh', 'The derivative of sinh(a) is cosh(a).'),
  },
  cosh: {
    notation: fn('cosh'),
    latex: call('\\cosh'),
    value: Math.cosh,
    local: [(S, [a]) => S.apply('sinh', [a!])],
    rules: unary('cosh', 'The derivative of cosh(a) is sinh(a).'),
  },
  tanh: {
    notation: fn('tanh'),
    latex: call('\\tanh'),
    value: Math.tanh,
    local: [(S, [a]) => S.sub(1, S.pow(S.apply('tanh', [a!]), 2))],
    rules: unary('tanh', 'The derivative of tanh(a) is 1 - tanh(a)^2: the slope shrinks as tanh saturates.'),
  },
  sigmoid: {
    notation: fn('sigmoid'),
    latex: call('\\sigma'),
    value: sigmoid,
    local: [(S, [a]) => S.mul(S.apply('sigmoid', [a!]), S.sub(1, S.apply('sigmoid', [a!])))],
    rules: unary('sigmoid', 'The derivative of sigmoid(a) is sigmoid(a)*(1 - sigmoid(a)).'),
  },
  relu: {
    notation: fn('relu'),
    latex: call('\\operatorname{relu}'),
    value: (a) => Math.max(a!, 0),
    local: [(S, [a]) => S.apply('step', [a!])],
    rules: unary('relu', 'relu passes the gradient where its input is positive and blocks it elsewhere: the derivative is [a > 0].'),
    kink: ([a]) => a!,
    convention: ([a]) => (a === 0 ? "relu is not differentiable at 0: the gradient is taken as 0 (PyTorch's convention)" : undefined),
  },
  softplus: {
    notation: fn('softplus'),
    latex: call('\\operatorname{softplus}'),
    value: softplus,
    local: [(S, [a]) => S.apply('sigmoid', [a!])],
    rules: unary('softplus', 'softplus(a) = log(1 + exp(a)), whose derivative is sigmoid(a).'),
  },
  max: {
    notation: fn('max'),
    latex: call('\\max'),
    value: Math.max,
    local: [(S, [a, b]) => S.apply('ge', [a!, b!]), (S, [a, b]) => S.apply('ge', [b!, a!])],
    rules: [
      { id: 'max', name: 'max', explain: 'max passes the whole gradient to the larger input and none to the other.' },
      { id: 'max', name: 'max', explain: 'max passes the whole gradient to the larger input and none to the other.' },
    ],
    kink: ([a, b]) => a! - b!,
    convention: ([a, b]) => (a === b ? "max is not differentiable at a tie: the gradient is split evenly, 1/2 to each input (PyTorch's convention)" : undefined),
  },
  min: {
    notation: fn('min'),
    latex: call('\\min'),
    value: Math.min,
    local: [(S, [a, b]) => S.apply('ge', [b!, a!]), (S, [a, b]) => S.apply('ge', [a!, b!])],
    rules: [
      { id: 'min', name: 'min', explain: 'min passes the whole gradient to the smaller input and none to the other.' },
      { id: 'min', name: 'min', explain: 'min passes the whole gradient to the smaller input and none to the other.' },
    ],
    kink: ([a, b]) => a! - b!,
    convention: ([a, b]) => (a === b ? "min is not differentiable at a tie: the gradient is split evenly, 1/2 to each input (PyTorch's convention)" : undefined),
  },
  sign: {
    notation: fn('sign'),
    latex: call('\\operatorname{sign}'),
    value: Math.sign,
    local: [() => 0],
    rules: unary('sign', 'sign is flat away from 0.'),
  },
  step: {
    notation: { kind: 'iverson', relation: '>' },
    latex: { template: ([a]) => `\\left[${a} > 0\\right]` },
    value: (a) => (a! > 0 ? 1 : a! <= 0 ? 0 : NaN),
    local: [() => 0],
    rules: unary('step', 'A step is flat away from 0.'),
  },
  ge: {
    notation: { kind: 'iverson', relation: '>' },
    latex: { template: ([a, b]) => `\\left[${a} > ${b}\\right]` },
    value: (a, b) => ge(a!, b!),
    local: [() => 0, () => 0],
    rules: [unary('step', 'A step is flat away from a tie.')[0]!, unary('step', 'A step is flat away from a tie.')[0]!],
  },
}

/** Functions a program may call, by name and number of arguments. */
const CALLS: Record<string, Partial<Record<number, OpId>>> = {
  log: { 1: 'log', 2: 'logb' },
  pow: { 2: 'pow' },
  max: { 2: 'max' },
  min: { 2: 'min' },
}
for (const id of ['exp', 'log2', 'log10', 'sqrt', 'cbrt', 'abs', 'sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'sinh', 'cosh', 'tanh', 'sigmoid', 'relu', 'softplus'] as const) {
  CALLS[id] = { 1: id }
}

/** The op a call `name(arg, ...)` with `arity` arguments means, if the tutor supports it. */
export function callOp(name: string, arity: number): OpId | undefined {
  return Object.hasOwn(CALLS, name) ? CALLS[name]![arity] : undefined
}

/** Supported function names with the argument counts they take. */
export const functionArities: Record<string, number[]> = Object.fromEntries(
  Object.entries(CALLS).map(([name, byArity]) => [name, Object.keys(byArity).map(Number)]),
)

export function supportedFunctions(): string[] {
  return Object.entries(functionArities).map(([name, arities]) =>
    arities.includes(2) ? (arities.includes(1) ? `${name}(x[, base])` : `${name}(a, b)`) : name,
  )
}

/** Named constants: their values and what they are. */
export const CONSTANT_VALUES: Record<string, number> = { pi: Math.PI, e: Math.E }
export const CONSTANTS: Record<string, string> = { pi: 'pi = 3.14159…', e: 'e = 2.71828…' }
