// One row per operator and function: the test of a new op is one row here. Each row gives a
// program at a point with its value and gradients written out from calculus (test/ops.test.ts), and,
// for ops a program can call, the op applied to generated operands, kept inside its domain, with a
// plain-JavaScript oracle (the random programs of test/property.test.ts).
import type { OpId } from '../src/ops.js'

export type Env = Record<string, number>
/** A generated expression: its text, and the same computed in plain JavaScript. */
export interface Gen {
  text: string
  f: (env: Env) => number
}

export interface OpRow {
  op: OpId
  program: string
  bindings: Env
  value: number
  gradients: Env
  /** The op on generated operands, for the random programs; its number of parameters is the arity. */
  random?: (...args: Gen[]) => Gen
}

const sig = (x: number) => 1 / (1 + Math.exp(-x))

export const OP_ROWS: OpRow[] = [
  {
    op: 'add',
    program: 'x + y',
    bindings: { x: 2, y: 3 },
    value: 5,
    gradients: { x: 1, y: 1 },
    random: (a, b) => ({ text: `(${a.text}) + (${b.text})`, f: (e) => a.f(e) + b.f(e) }),
  },
  {
    op: 'sub',
    program: 'x - y',
    bindings: { x: 2, y: 3 },
    value: -1,
    gradients: { x: 1, y: -1 },
    random: (a, b) => ({ text: `(${a.text}) - (${b.text})`, f: (e) => a.f(e) - b.f(e) }),
  },
  {
    op: 'mul',
    program: 'x * y',
    bindings: { x: 2, y: 3 },
    value: 6,
    gradients: { x: 3, y: 2 },
    random: (a, b) => ({ text: `(${a.text}) * (${b.text})`, f: (e) => a.f(e) * b.f(e) }),
  },
  {
    op: 'div',
    program: 'x / y',
    bindings: { x: 2, y: 4 },
    value: 0.5,
    gradients: { x: 0.25, y: -2 / 16 },
    random: (a, b) => ({ text: `(${a.text}) / ((${b.text})^2 + 1)`, f: (e) => a.f(e) / (b.f(e) ** 2 + 1) }),
  },
  {
    op: 'pow',
    program: 'x ^ y',
    bindings: { x: 2, y: 3 },
    value: 8,
    gradients: { x: 3 * 4, y: 8 * Math.log(2) },
    random: (a, b) => ({ text: `((${a.text})^2 + 1)^tanh(${b.text})`, f: (e) => (a.f(e) ** 2 + 1) ** Math.tanh(b.f(e)) }),
  },
  {
    op: 'pow',
    program: 'pow(x, y)',
    bindings: { x: 2, y: 3 },
    value: 8,
    gradients: { x: 12, y: 8 * Math.log(2) },
    random: (a, b) => ({ text: `pow((${a.text})^2 + 1, sin(${b.text}))`, f: (e) => (a.f(e) ** 2 + 1) ** Math.sin(b.f(e)) }),
  },
  { op: 'neg', program: '-x', bindings: { x: 2 }, value: -2, gradients: { x: -1 }, random: (a) => ({ text: `-(${a.text})`, f: (e) => -a.f(e) }) },
  { op: 'identity', program: 'a = x; a', bindings: { x: 2 }, value: 2, gradients: { x: 1 } },
  {
    op: 'exp',
    program: 'exp(x)',
    bindings: { x: 1.5 },
    value: Math.exp(1.5),
    gradients: { x: Math.exp(1.5) },
    random: (a) => ({ text: `exp(tanh(${a.text}))`, f: (e) => Math.exp(Math.tanh(a.f(e))) }),
  },
  {
    op: 'log',
    program: 'log(x)',
    bindings: { x: 2 },
    value: Math.log(2),
    gradients: { x: 0.5 },
    random: (a) => ({ text: `log((${a.text})^2 + 1)`, f: (e) => Math.log(a.f(e) ** 2 + 1) }),
  },
  {
    op: 'logb',
    program: 'log(x, y)',
    bindings: { x: 8, y: 2 },
    value: 3,
    gradients: { x: 1 / (8 * Math.log(2)), y: -Math.log(8) / (2 * Math.log(2) ** 2) },
    random: (a, b) => ({ text: `log((${a.text})^2 + 2, (${b.text})^2 + 2)`, f: (e) => Math.log(a.f(e) ** 2 + 2) / Math.log(b.f(e) ** 2 + 2) }),
  },
  {
    op: 'log2',
    program: 'log2(x)',
    bindings: { x: 8 },
    value: 3,
    gradients: { x: 1 / (8 * Math.LN2) },
    random: (a) => ({ text: `log2((${a.text})^2 + 1)`, f: (e) => Math.log2(a.f(e) ** 2 + 1) }),
  },
  {
    op: 'log10',
    program: 'log10(x)',
    bindings: { x: 100 },
    value: 2,
    gradients: { x: 1 / (100 * Math.LN10) },
    random: (a) => ({ text: `log10((${a.text})^2 + 1)`, f: (e) => Math.log10(a.f(e) ** 2 + 1) }),
  },
  {
    op: 'sqrt',
    program: 'sqrt(x)',
    bindings: { x: 4 },
    value: 2,
    gradients: { x: 0.25 },
    random: (a) => ({ text: `sqrt((${a.text})^2 + 1)`, f: (e) => Math.sqrt(a.f(e) ** 2 + 1) }),
  },
  {
    op: 'cbrt',
    program: 'cbrt(x)',
    bindings: { x: -8 },
    value: -2,
    gradients: { x: 1 / 12 },
    random: (a) => ({ text: `cbrt((${a.text})^2 + 1)`, f: (e) => Math.cbrt(a.f(e) ** 2 + 1) }),
  },
  {
    op: 'abs',
    program: 'abs(x)',
    bindings: { x: -3 },
    value: 3,
    gradients: { x: -1 },
    random: (a) => ({ text: `abs(${a.text})`, f: (e) => Math.abs(a.f(e)) }),
  },
  {
    op: 'sin',
    program: 'sin(x)',
    bindings: { x: 0.5 },
    value: Math.sin(0.5),
    gradients: { x: Math.cos(0.5) },
    random: (a) => ({ text: `sin(${a.text})`, f: (e) => Math.sin(a.f(e)) }),
  },
  {
    op: 'cos',
    program: 'cos(x)',
    bindings: { x: 0.5 },
    value: Math.cos(0.5),
    gradients: { x: -Math.sin(0.5) },
    random: (a) => ({ text: `cos(${a.text})`, f: (e) => Math.cos(a.f(e)) }),
  },
  {
    op: 'tan',
    program: 'tan(x)',
    bindings: { x: 0.5 },
    value: Math.tan(0.5),
    gradients: { x: 1 / Math.cos(0.5) ** 2 },
    random: (a) => ({ text: `tan(tanh(${a.text}))`, f: (e) => Math.tan(Math.tanh(a.f(e))) }),
  },
  {
    op: 'asin',
    program: 'asin(x)',
    bindings: { x: 0.5 },
    value: Math.asin(0.5),
    gradients: { x: 1 / Math.sqrt(0.75) },
    random: (a) => ({ text: `asin(tanh(${a.text})/2)`, f: (e) => Math.asin(Math.tanh(a.f(e)) / 2) }),
  },
  {
    op: 'acos',
    program: 'acos(x)',
    bindings: { x: 0.5 },
    value: Math.acos(0.5),
    gradients: { x: -1 / Math.sqrt(0.75) },
    random: (a) => ({ text: `acos(tanh(${a.text})/2)`, f: (e) => Math.acos(Math.tanh(a.f(e)) / 2) }),
  },
  {
    op: 'atan',
    program: 'atan(x)',
    bindings: { x: 2 },
    value: Math.atan(2),
    gradients: { x: 1 / 5 },
    random: (a) => ({ text: `atan(${a.text})`, f: (e) => Math.atan(a.f(e)) }),
  },
  {
    op: 'sinh',
    program: 'sinh(x)',
    bindings: { x: 0.7 },
    value: Math.sinh(0.7),
    gradients: { x: Math.cosh(0.7) },
    random: (a) => ({ text: `sinh(tanh(${a.text}))`, f: (e) => Math.sinh(Math.tanh(a.f(e))) }),
  },
  {
    op: 'cosh',
    program: 'cosh(x)',
    bindings: { x: 0.7 },
    value: Math.cosh(0.7),
    gradients: { x: Math.sinh(0.7) },
    random: (a) => ({ text: `cosh(tanh(${a.text}))`, f: (e) => Math.cosh(Math.tanh(a.f(e))) }),
  },
  {
    op: 'tanh',
    program: 'tanh(x)',
    bindings: { x: 0.7 },
    value: Math.tanh(0.7),
    gradients: { x: 1 - Math.tanh(0.7) ** 2 },
    random: (a) => ({ text: `tanh(${a.text})`, f: (e) => Math.tanh(a.f(e)) }),
  },
  {
    op: 'sigmoid',
    program: 'sigmoid(x)',
    bindings: { x: 0.3 },
    value: sig(0.3),
    gradients: { x: sig(0.3) * (1 - sig(0.3)) },
    random: (a) => ({ text: `sigmoid(${a.text})`, f: (e) => sig(a.f(e)) }),
  },
  {
    op: 'relu',
    program: 'relu(x)',
    bindings: { x: 2 },
    value: 2,
    gradients: { x: 1 },
    random: (a) => ({ text: `relu(${a.text})`, f: (e) => Math.max(a.f(e), 0) }),
  },
  { op: 'relu', program: 'relu(x)', bindings: { x: -2 }, value: 0, gradients: { x: 0 } },
  {
    op: 'softplus',
    program: 'softplus(x)',
    bindings: { x: 0.3 },
    value: Math.log(1 + Math.exp(0.3)),
    gradients: { x: sig(0.3) },
    random: (a) => ({ text: `softplus(tanh(${a.text}))`, f: (e) => Math.log(1 + Math.exp(Math.tanh(a.f(e)))) }),
  },
  {
    op: 'max',
    program: 'max(x, y)',
    bindings: { x: 2, y: 3 },
    value: 3,
    gradients: { x: 0, y: 1 },
    random: (a, b) => ({ text: `max(${a.text}, ${b.text})`, f: (e) => Math.max(a.f(e), b.f(e)) }),
  },
  {
    op: 'min',
    program: 'min(x, y)',
    bindings: { x: 2, y: 3 },
    value: 2,
    gradients: { x: 1, y: 0 },
    random: (a, b) => ({ text: `min(${a.text}, ${b.text})`, f: (e) => Math.min(a.f(e), b.f(e)) }),
  },
  {
    op: 'sign',
    program: 'sign(x)',
    bindings: { x: -5 },
    value: -1,
    gradients: { x: 0 },
    random: (a) => ({ text: `sign(${a.text})`, f: (e) => Math.sign(a.f(e)) }),
  },
  // Helpers inside local derivatives, reached through the functions that use them.
  { op: 'step', program: 'relu(x)', bindings: { x: 0.5 }, value: 0.5, gradients: { x: 1 } },
  { op: 'ge', program: 'max(x, y)', bindings: { x: 4, y: 1 }, value: 4, gradients: { x: 1, y: 0 } },
]

/** Syntax rather than ops, for the random programs: a square, unary plus, implicit products. */
export const SYNTAX: { unary: ((a: Gen) => Gen)[]; binary: ((a: Gen, b: Gen) => Gen)[] } = {
  unary: [(a) => ({ text: `(${a.text})^2`, f: (e) => a.f(e) ** 2 }), (a) => ({ text: `+(${a.text})`, f: (e) => a.f(e) })],
  binary: [(a, b) => ({ text: `2(${a.text})(${b.text})`, f: (e) => 2 * a.f(e) * b.f(e) })],
}
