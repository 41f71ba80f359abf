// One row per operator and function: value and local derivative at a point, against plain JS math.
import { describe, expect, it } from 'vitest'
import { OPS, pow, sigmoid, type OpId } from '../src/ops.js'
import { json } from './helpers.js'
import { OP_ROWS } from './op-rows.js'

// Values and derivatives written out from calculus, not from the op table (test/op-rows.ts).
const rows = OP_ROWS.map((r) => [r.op, r.program, r.bindings, r.value, r.gradients] as const)

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
    ['x^y', { x: 0, y: 0 }, { x: 0, y: 0 }, /d\(0\^b\)\/db is taken as 0/],
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
  it("and they are the op table's own value functions", () => {
    // check.ts inlines these ops (codes 6-10): its numbers must be the table's numbers.
    expect(OPS.tanh.value).toBe(Math.tanh)
    expect(OPS.exp.value).toBe(Math.exp)
    expect(OPS.log.value).toBe(Math.log)
    expect(OPS.sigmoid.value).toBe(sigmoid)
    for (const [a, b] of [
      [2, 0.5],
      [-8, 1 / 3],
      [0, 0],
      [1e300, 2],
      [-2, 3],
      [1, Infinity],
    ] as const)
      expect(Object.is(OPS.pow.value(a, b), pow(a, b))).toBe(true)
  })
})

describe('powers follow IEEE 754, as PyTorch does', () => {
  it.each([
    [1, Infinity, 1],
    [1, -Infinity, 1],
    [1, NaN, 1],
    [-1, Infinity, 1],
    [-1, -Infinity, 1],
    [NaN, 0, 1],
    [2, 0.5, Math.SQRT2],
    [-8, 1 / 3, NaN],
    [0, -1, Infinity],
  ])('%s^%s = %s', (a, b, expected) => {
    expect(pow(a, b)).toBe(expected)
  })

  it('gives y^(x/0) at y = 1 the value 1, not NaN', () => {
    expect(json('y^(x/0)', { x: 1, y: 1 }).value).toBe(1)
  })
})
