// Symbolic values and gradients as a textbook writes them (src/canon.ts), in the program's names.
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { bindProgram, traceProgram } from '../src/pipeline.js'
import { trace } from '../src/trace.js'
import { isNumber, printSym, type Sym, type SymStyle } from '../src/sym.js'
import { json } from './helpers.js'
import { program as randomProgram } from './random-programs.js'

const grads = (source: string, bindings: Record<string, number> = {}) => json(source, bindings).gradients

describe('the textbook form', () => {
  it('collects like terms and like factors', () => {
    expect(json('x*x*x').value).toBe('x^3')
    expect(grads('x*x*x')).toEqual({ x: '3*x^2' })
    expect(grads('(x+x)*y')).toEqual({ x: '2*y', y: '2*x' })
    expect(grads('x^2/x')).toEqual({ x: 1 })
    expect(json('(x-y)^2-(y-x)^2').value).toBe(0)
    expect(grads('(x-y)^2-(y-x)^2')).toEqual({ x: 0, y: 0 })
    expect(grads('2*(x-1) + 3*(1-x)')).toEqual({ x: -1 })
  })

  it('keeps e, pi and exact numbers by name', () => {
    const { value, gradients } = json('-x^2+e^x+pi*x')
    expect(value).toBe('-x^2 + e^x + pi*x')
    // Terms in the order the backward pass adds them.
    expect(gradients.x).toBe('pi + e^x - 2*x')
    expect(json('e^x').edges[0]!.localValue).toBe('e^x')
    expect(grads('log(x, 2)')).toEqual({ x: '1/(x*log(2))' })
    expect(grads('x^(1/3)')).toEqual({ x: '1/(3*x^(2/3))' })
  })

  it('makes -1 and 1/3 constants, not operations', () => {
    for (const [source, value, local] of [
      ['x^-1', '1/x', '-1/x^2'],
      ['x^(1/3)', 'x^(1/3)', '1/(3*x^(2/3))'],
      ['x^(-1/3)', '1/x^(1/3)', '-1/(3*x^(4/3))'],
    ] as const) {
      const trace = json(source)
      expect(trace.nodes.filter((n) => n.kind === 'op').map((n) => n.op)).toEqual(['pow'])
      expect(trace.value).toBe(value)
      expect(trace.edges[0]!.localValue).toBe(local)
    }
    // Bound, the numbers are the same as before: only the extra node is gone.
    expect(json('x^(1/3)', { x: 8 }).gradients.x).toBeCloseTo(1 / 12, 12)
  })

  it('writes a fraction so that it reads one way only', () => {
    expect(grads('1/(1+exp(-x))')).toEqual({ x: 'exp(-x)/(1 + exp(-x))^2' })
    expect(grads('atan(x^2)')).toEqual({ x: '2*x/(1 + x^4)' })
  })
})

const TWO_LAYER_NET = [
  'z1 = w11*x1 + w12*x2 + b1',
  'h1 = tanh(z1)',
  'z2 = w21*x1 + w22*x2 + b2',
  'h2 = relu(z2)',
  'z3 = w31*x1 + w32*x2 + b3',
  'h3 = sigmoid(z3)',
  'o = v1*h1 + v2*h2 + v3*h3 + c',
  'p = sigmoid(o)',
  'a = y*log(p)',
  'b = (1 - y)*log(1 - p)',
  'loss = -(a + b)',
].join('\n')

describe('long expressions', () => {
  it('are written in the program names, never the tool-made ones, never as the thing asked for', () => {
    const trace = json(TWO_LAYER_NET)
    expect(trace.gradients).toMatchObject({
      w11: 'dloss/dz1*x1',
      x1: 'dloss/dz3*w31 + dloss/dz2*w21 + dloss/dz1*w11',
      b2: 'dloss/dz2',
      v1: 'dloss/do*h1',
      c: 'dloss/do',
    })
    for (const [name, grad] of Object.entries(trace.gradients)) expect(String(grad)).not.toBe(`dloss/d${name}`)
    for (const node of trace.nodes) {
      expect(String(node.value)).not.toMatch(/\bt\d+\b/)
      expect(String(node.grad)).not.toMatch(/\bt\d+\b/)
    }
    const b = trace.nodes.find((n) => n.id === 'loss')!
    expect(b.value).toBe('-(a + b)')
  })

  it('that cannot be written short even in the program names are said to be too long', () => {
    const trace = json('sin(x*y)*exp(x+y)/(1+x^2*y^2)', { y: 1 })
    expect(trace.gradients.x).toEqual({ tooLong: true })
    const text = traceProgram('sin(x*y)*exp(x+y)/(1+x^2*y^2)', { y: 1 }).trace
    expect(text.gradients[0]!.grad).toEqual({ tooLong: true })
  })

  it('a value too long in the variables is written with the names of the statements it uses', () => {
    const trace = json('a = x*y + x/y + sin(x*y) + cos(x/y); b = a*a + a; c = b*b + b*a; c*c')
    expect(trace.nodes.find((n) => n.id === 'b')!.value).toBe('a^2 + a')
  })
})

/** Values and gradients only: the check and the chains are not what is tested here. */
const quick = (source: string, bindings: Record<string, number>) => {
  const bound = bindProgram(source, bindings)
  return trace(bound.graph, bound.values, { checks: false, chains: false })
}

// A style whose output the tool reads back as a program: numbers in full, ∂L/∂h as a name.
const PARSEABLE: SymStyle = {
  number: (n) => (Object.is(n, -0) ? '0' : String(n)),
  times: '*',
  grad: (of, wrt) => `grad_${of}_${wrt}`,
  superscripts: false,
  spaced: true,
}
const readable = (s: Sym) => !isNumber(s) && !('tooLong' in s)
const printable = (text: string) => !/\[|sign\(|Infinity|NaN/.test(text)

describe('random programs with unbound variables', () => {
  it('print values and gradients that, read back, compute the numeric trace and print the same', () => {
    let compared = 0
    const unboundSets = fc.subarray(['x', 'y', 'z'], { minLength: 1 })
    const coordinate = fc.integer({ min: 100, max: 2000 }).map((k) => k / 1000)
    const points = fc.array(fc.record({ x: coordinate, y: coordinate, z: coordinate }), { minLength: 3, maxLength: 3 })
    fc.assert(
      fc.property(randomProgram, unboundSets, points, (gen, unbound, [first, ...others]) => {
        const bound = Object.fromEntries(Object.entries(first!).filter(([k]) => !unbound.includes(k)))
        const symbolic = quick(gen.text, bound)
        const shown: { text: string; value: (t: typeof symbolic) => Sym | null }[] = []
        symbolic.nodes.forEach((node, i) => {
          if (readable(node.value)) shown.push({ text: printSym(node.value, PARSEABLE), value: (t) => t.nodes[i]!.value })
          if (node.grad !== null && readable(node.grad)) shown.push({ text: printSym(node.grad, PARSEABLE), value: (t) => t.nodes[i]!.grad })
        })
        for (const { text, value } of shown.filter((s) => printable(s.text))) {
          // Read back with the same names unbound, it prints the same.
          // (pi alone reads back as the number it is: no variable is left to keep it symbolic.)
          const again = quick(text, {}).value
          if (!isNumber(again)) expect(printSym(again, PARSEABLE)).toBe(text)
          for (const point of [first!, ...others]) {
            const at = { ...bound, ...Object.fromEntries(unbound.map((k) => [k, point[k as 'x']])) }
            const numeric = value(quick(gen.text, at))!
            const names = Object.fromEntries(Object.entries(at).filter(([k]) => new RegExp(`\\b${k}\\b`).test(text)))
            const mine = quick(text, names).value
            if (!isNumber(numeric) || !Number.isFinite(numeric) || Math.abs(numeric) > 1e6) continue
            expect(isNumber(mine)).toBe(true)
            expect(Math.abs((mine as number) - numeric)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(numeric)))
            compared++
          }
        }
      }),
      { numRuns: 1000, seed: 20261129 },
    )
    expect(compared).toBeGreaterThan(3000)
    // Over 3,000 comparisons of whole traces: seconds of work, more on a loaded machine.
  }, 30_000)
})
