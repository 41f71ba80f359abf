// One row per operator and function: value and local derivative at a point, against plain JS math.
import { describe, expect, it } from 'vitest'
import { OPS, sigmoid, type OpId } from '../src/ops.js'
import { json } from './helpers.js'

const sig = (x: number) => 1 / (1 + Math.exp(-x))
type Row = [op: OpId, program: string, bindings: Record<string, number>, value: number, gradients: Record<string, number>]

// Values and derivatives written out from calculus, not from the op table.
const rows: Row[] = [
  ['add', 'x + y', { x: 2, y: 3 }, 5, { x: 1, y: 1 }],
  ['sub', 'x - y', { x: 2, y: 3 }, -1, { x: 1, y: -1 }],
  ['mul', 'x * y', { x: 2, y: 3 }, 6, { x: 3, y: 2 }],
  ['div', 'x / y', { x: 2, y: 4 }, 0.5, { x: 0.25, y: -2 / 16 }],
  ['pow', 'x ^ y', { x: 2, y: 3 }, 8, { x: 3 * 4, y: 8 * Math.log(2) }],
  ['pow', 'pow(x, y)', { x: 2, y: 3 }, 8, { x: 12, y: 8 * Math.log(2) }],
  ['neg', '-x', { x: 2 }, -2, { x: -1 }],
  ['identity', 'a = x; a', { x: 2 }, 2, { x: 1 }],
  ['exp', 'exp(x)', { x: 1.5 }, Math.exp(1.5), { x: Math.exp(1.5) }],
  ['log', 'log(x)', { x: 2 }, Math.log(2), { x: 0.5 }],
  ['logb', 'log(x, y)', { x: 8, y: 2 }, 3, { x: 1 / (8 * Math.log(2)), y: -Math.log(8) / (2 * Math.log(2) ** 2) }],
  ['log2', 'log2(x)', { x: 8 }, 3, { x: 1 / (8 * Math.LN2) }],
  ['log10', 'log10(x)', { x: 100 }, 2, { x: 1 / (100 * Math.LN10) }],
  ['sqrt', 'sqrt(x)', { x: 4 }, 2, { x: 0.25 }],
  ['cbrt', 'cbrt(x)', { x: -8 }, -2, { x: 1 / 12 }],
  ['abs', 'abs(x)', { x: -3 }, 3, { x: -1 }],
  ['sin', 'sin(x)', { x: 0.5 }, Math.sin(0.5), { x: Math.cos(0.5) }],
  ['cos', 'cos(x)', { x: 0.5 }, Math.cos(0.5), { x: -Math.sin(0.5) }],
  ['tan', 'tan(x)', { x: 0.5 }, Math.tan(0.5), { x: 1 / Math.cos(0.5) ** 2 }],
  ['asin', 'asin(x)', { x: 0.5 }, Math.asin(0.5), { x: 1 / Math.sqrt(0.75) }],
  ['acos', 'acos(x)', { x: 0.5 }, Math.acos(0.5), { x: -1 / Math.sqrt(0.75) }],
  ['atan', 'atan(x)', { x: 2 }, Math.atan(2), { x: 1 / 5 }],
  ['sinh', 'sinh(x)', { x: 0.7 }, Math.sinh(0.7), { x: Math.cosh(0.7) }],
  ['cosh', 'cosh(x)', { x: 0.7 }, Math.cosh(0.7), { x: Math.sinh(0.7) }],
  ['tanh', 'tanh(x)', { x: 0.7 }, Math.tanh(0.7), { x: 1 - Math.tanh(0.7) ** 2 }],
  ['sigmoid', 'sigmoid(x)', { x: 0.3 }, sig(0.3), { x: sig(0.3) * (1 - sig(0.3)) }],
  ['relu', 'relu(x)', { x: 2 }, 2, { x: 1 }],
  ['relu', 'relu(x)', { x: -2 }, 0, { x: 0 }],
  ['softplus', 'softplus(x)', { x: 0.3 }, Math.log(1 + Math.exp(0.3)), { x: sig(0.3) }],
  ['max', 'max(x, y)', { x: 2, y: 3 }, 3, { x: 0, y: 1 }],
  ['min', 'min(x, y)', { x: 2, y: 3 }, 2, { x: 1, y: 0 }],
  // Helpers inside local derivatives, reached through the functions that use them.
  ['sign', 'abs(x)', { x: 5 }, 5, { x: 1 }],
  ['step', 'relu(x)', { x: 0.5 }, 0.5, { x: 1 }],
  ['ge', 'max(x, y)', { x: 4, y: 1 }, 4, { x: 1, y: 0 }],
]

describe('op table', () => {
  it.each(rows)('%s: %s', (_op, program, bindings, value, gradients) => {
    const result = json(program, bindings)
    expect(result.value).toBeCloseTo(value, 12)
    for (const [name, grad] of Object.entries(gradients)) expect(result.gradients[name]).toBeCloseTo(grad, 10)
    expect(result.checks.every((c) => c.status === 'agree')).toBe(true)
  })

  it('has rows for every op in the table', () => {
    const covered = new Set(rows.map((r) => r[0]))
    expect(Object.keys(OPS).filter((op) => !covered.has(op as OpId))).toEqual([])
  })

  it('stays real: domain errors give NaN, never a complex number', () => {
    expect(json('log(x)', { x: -1 }).value).toBe('NaN')
    expect(json('sqrt(x)', { x: -4 }).value).toBe('NaN')
    expect(json('x^(1/3)', { x: -8 }).value).toBe('NaN')
    expect(json('asin(x)', { x: 2 }).value).toBe('NaN')
    expect(json('cbrt(x)', { x: -8 }).value).toBe(-2)
  })
})

describe('non-differentiable points follow PyTorch', () => {
  const cases: [string, Record<string, number>, Record<string, number | string>, RegExp][] = [
    ['abs(x)', { x: 0 }, { x: 0 }, /abs is not differentiable at 0.*sign\(0\) = 0/],
    ['relu(x)', { x: 0 }, { x: 0 }, /relu is not differentiable at 0/],
    ['max(x, y)', { x: 1, y: 1 }, { x: 0.5, y: 0.5 }, /tie: the gradient is split evenly/],
    ['min(x, y)', { x: 1, y: 1 }, { x: 0.5, y: 0.5 }, /tie: the gradient is split evenly/],
    ['sqrt(x)', { x: 0 }, { x: 'Infinity' }, /sqrt is not differentiable at 0/],
    ['x^y', { x: 0, y: 2 }, { x: 0, y: 0 }, /d\(0\^b\)\/db is taken as 0/],
  ]
  it.each(cases)('%s at %o', (program, bindings, gradients, message) => {
    const result = json(program, bindings)
    expect(result.gradients).toEqual(gradients)
    const flags = result.flags.filter((f) => f.kind === 'non-differentiable')
    expect(flags.length).toBeGreaterThan(0)
    expect(flags.some((f) => message.test(f.message))).toBe(true)
    expect(result.checks.some((c) => c.status === 'disagree')).toBe(false)
  })
})

describe('the gradient check calls some functions directly', () => {
  it('and they are the op table\'s own value functions', () => {
    // check.ts inlines these ops (codes 6-10): its numbers must be the table's numbers.
    expect(OPS.tanh.value).toBe(Math.tanh)
    expect(OPS.exp.value).toBe(Math.exp)
    expect(OPS.log.value).toBe(Math.log)
    expect(OPS.sigmoid.value).toBe(sigmoid)
    for (const [a, b] of [[2, 0.5], [-8, 1 / 3], [0, 0], [1e300, 2], [-2, 3]] as const) expect(Object.is(OPS.pow.value(a, b), Math.pow(a, b))).toBe(true)
  })
})
