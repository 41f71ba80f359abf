// --mode forward / both: tangents beside the values, checked against the reverse pass.
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import katex from 'katex'
import { traceProgram } from '../src/pipeline.js'
import { forwardFor, forwardMode } from '../src/modes/forward.js'
import { FORMATS } from '../src/render/index.js'
import { isNumber } from '../src/sym.js'
import { runCli } from './helpers.js'
import { program } from './random-programs.js'

const coordinate = fc.tuple(fc.integer({ min: 1000, max: 2_000_000 }), fc.boolean()).map(([k, negative]) => (negative ? -k : k) / 1e6)

describe('forward mode', () => {
  it("gives the reverse pass's gradients on the random-program corpus", () => {
    let compared = 0
    fc.assert(
      fc.property(program, fc.record({ x: coordinate, y: coordinate, z: coordinate }), (gen, point) => {
        const { trace } = traceProgram(gen.text, point)
        const mode = forwardMode(trace)
        for (const pass of mode.passes) {
          const reverse = trace.gradients.find((g) => g.name === pass.variable)!.grad
          if (!isNumber(reverse) || !Number.isFinite(reverse)) continue
          expect(isNumber(pass.result)).toBe(true)
          expect(Math.abs((pass.result as number) - reverse)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(reverse)))
          expect(pass.agrees).toBe(true)
          compared++
        }
      }),
      { numRuns: 1500, seed: 18 },
    )
    expect(compared).toBeGreaterThan(500)
  })

  it('agrees symbolically too, where both are written in the variables', () => {
    const mode = forwardMode(traceProgram('(x*w+b-y)^2', { x: 1, w: 1 }).trace)
    expect(mode.passes.map((p) => [p.variable, p.agrees])).toEqual([
      ['x', true],
      ['w', true],
      ['b', true],
      ['y', true],
    ])
  })

  it('counts one pass and one multiply-add per edge for a program of one input, the same as reverse mode', () => {
    // sin(x)·x + x²: edges x→sin, sin→·, x→·, x→^, ·→+, ^→+: six multiply-adds either way.
    const mode = forwardMode(traceProgram('sin(x)*x + x^2', { x: 0.5 }).trace)
    expect(mode.forward).toEqual({ passes: 1, operations: 6 })
    expect(mode.reverse).toEqual({ passes: 1, operations: 6 })
  })

  it('counts a pass per input for 1,000 inputs, against one backward pass', () => {
    const terms = Array.from({ length: 500 }, (_, k) => `x${k + 1}*w${k + 1}`)
    const bindings = Object.fromEntries(
      Array.from({ length: 500 }, (_, k) => [
        [`x${k + 1}`, 1],
        [`w${k + 1}`, 2],
      ]).flat(),
    )
    const mode = forwardMode(traceProgram(terms.join(' + '), bindings).trace)
    // 500 products (2 edges each) and 499 sums (2 edges each): 1,998 edges, each once backwards.
    expect(mode.reverse).toEqual({ passes: 1, operations: 1998 })
    // Term k's two inputs each pass their product and then the sums from where the term joins:
    // term 1 joins at the first of 499, term k ≥ 2 at sum k − 1, so 1 + 499 and 1 + (501 − k) each.
    let expected = 2 * (1 + 499)
    for (let k = 2; k <= 500; k++) expected += 2 * (1 + 501 - k)
    expect(mode.forward).toEqual({ passes: 1000, operations: expected })
    expect(expected).toBe(251498)
  })
})

describe('--mode', () => {
  const MISSION = ['(x*w+b-y)^2', '--x', '2', '--w', '0.5', '--b', '0', '--y', '3']

  it('both: the reverse trace, a tangent table per input, and the costs, checked to agree', async () => {
    const { code, stdout } = await runCli([...MISSION, '--mode', 'both', '--width', '1000'])
    expect(code).toBe(0)
    expect(stdout).toContain('5. Gradients, checked against finite differences')
    expect(stdout).toMatch(/│ ṫ1 +│ ∂\(x·w\)\/∂w · ẇ +│ 2 · 1 +│ 2 +│/)
    expect(stdout).toContain('  ∂L/∂w = L̇ = -8: the same as the backward pass')
    expect(stdout).toContain('forward mode: 4 passes (one per input), 13 multiply-adds')
    expect(stdout).toContain('reverse mode: 1 backward pass (one per output, for all 4 inputs at once), 7 multiply-adds')
    expect(stdout).toContain('Both give the same gradients (each of the 4 checked).')
    // One input: never "all 1 input".
    const one = await runCli(['x*x', '--x', '3', '--mode', 'both', '--width', '1000'])
    expect(one.stdout).toContain('reverse mode: 1 backward pass (one per output, for its one input)')
    expect(one.stdout).toContain('Both give the same gradient (checked).')
  })

  it('forward: the values, then the tangents, without the backward pass', async () => {
    const { stdout } = await runCli([...MISSION, '--mode', 'forward', '--wrt', 'x', '--ascii'])
    expect(stdout).not.toContain('Backward pass')
    expect(stdout).toContain('2. Forward mode for x')
    expect(stdout).toMatch(/\| dot\(L\) +\| d\(t3\^2\)\/dt3 \* dot\(t3\) +\| \(-4\) \* 0\.5 \| -2 +\|/)
    expect(stdout).toContain('Both give the same gradient (checked).')
    expect(stdout).toContain('forward mode: 1 pass (one per input), 4 multiply-adds')
  })

  it('takes ∞·0 and ∞ - ∞ as the backward pass does, and says so in the row', async () => {
    // sqrt(relu(x)) at x = -1: relu blocks, so ∂L/∂x is 0 in the backward pass, not Infinity · 0 = NaN.
    const blocked = await runCli(['sqrt(relu(x))*y', '--x', '-1', '--y', '2', '--mode', 'forward'])
    expect(blocked.stdout).toMatch(/│ ṫ2 +│ ∂sqrt\(t1\)\/∂t1 · ṫ1 │ Infinity · 0 +│ 0 +│\n│ +│ +│ +\(relu selects its branch, as in │/)
    expect(blocked.stdout).toContain('∂L/∂x = L̇ = 0: the same as the backward pass')
    // sqrt(x·x + x) at x = -1: the backward pass spreads ∞ over three paths (∞ - ∞ - ∞ = NaN).
    const spread = await runCli(['sqrt(x*x + x)', '--x', '-1', '--mode', 'forward'])
    expect(spread.stdout).toContain("(the backward pass's order)")
    expect(spread.stdout).toContain('∂L/∂x = L̇ = NaN: the same as the backward pass. With Infinity on the way,')
  })

  it('json: a forward field beside the unchanged contract', async () => {
    const plain = JSON.parse((await runCli([...MISSION, '--format', 'json'])).stdout)
    const both = JSON.parse((await runCli([...MISSION, '--format', 'json', '--mode', 'both'])).stdout)
    expect(both.value).toEqual(plain.value)
    expect(both.gradients).toEqual(plain.gradients)
    expect(both.forward.passes[1]).toEqual({ variable: 'w', result: -8, agrees: true, operations: 4, tangents: { w: 1, t1: 2, t2: 2, t3: 2, L: -8 } })
    expect(both.forward.costs).toEqual({ forward: { passes: 4, operations: 13 }, reverse: { passes: 1, operations: 7 } })
  })

  it('markdown and latex: every formula renders in KaTeX', async () => {
    for (const [source, bindings] of [
      ['(x*w+b-y)^2', { x: 2, w: 0.5, b: 0, y: 3 }],
      ['(x*w+b-y)^2', { x: 1, w: 1 }],
      ['y_hat = sigmoid(theta_1*x); loss = -log(y_hat)', { theta_1: 0.3, x: 2 }],
    ] as const) {
      const trace = traceProgram(source, bindings).trace
      for (const format of ['markdown', 'latex'] as const) {
        const options = { precision: 6, ascii: false, explain: true, mode: 'both' } as const
        const text = await FORMATS[format].render(trace, { ...options, forward: forwardFor(trace, options) })
        const spans = [...text.matchAll(/\\begin\{align\*\}[\s\S]*?\\end\{align\*\}|\$\$\n[\s\S]*?\n\$\$|(?<!\$)\$(?!\$)[^$\n]+?\$(?!\$)/g)].map((m) => m[0])
        expect(spans.some((s) => s.includes('\\dot{'))).toBe(true)
        for (const span of spans) {
          const tex = span.startsWith('$$') ? span.slice(3, -3) : span.startsWith('$') ? span.slice(1, -1) : span
          katex.renderToString(tex, { throwOnError: true, displayMode: !span.startsWith('$') || span.startsWith('$$'), strict: 'error' })
        }
      }
    }
  })

  it('refuses a mode it does not know', async () => {
    const { code, stderr } = await runCli([...MISSION, '--mode', 'sideways'])
    expect(code).toBe(2)
    expect(stderr).toContain('--mode sideways: expected reverse, forward or both')
  })
})

describe('quiz --mode forward', () => {
  it('asks each tangent as local · incoming after the locals, and judges it', async () => {
    // (x·w − y)² at x = 1, w = 0.5, y = 1: values 0.5, −0.5, 0.25; locals 0.5, 1, 1, −1, −1.
    const answers = ['0.5', '-0.5', '0.25', '0.5', '1', '1', '-1', '-1', '0.5', '0.5', '-0.5', '1', '1', '-1', '-1', '1']
    const { stdout } = await runCli(['quiz', '(x*w-y)^2', '--x', '1', '--w', '0.5', '--y', '1', '--mode', 'forward'], { answers })
    expect(stdout).not.toContain('Backward pass')
    expect(stdout).toContain('(9/16) ṫ1 = ∂(x·w)/∂x · ẋ = ?   (seeded ẋ = 1, every other input 0)\n> 0.5\n  ✓ right')
    expect(stdout).toContain('L̇ = ∂(t2²)/∂t2 · ṫ2 = ?')
    expect(stdout).toContain('Score: 16 of 16 right at the first try')
  })
})
