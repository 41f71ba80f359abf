// Answers that are formulas are judged as formulas: right here is not enough (src/modes/formula.ts).
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { bindProgram } from '../src/pipeline.js'
import { trace } from '../src/trace.js'
import { isNumber, printSym, type SymStyle } from '../src/sym.js'
import { agrees } from '../src/modes/claims.js'
import { Elsewhere, formulaSlip } from '../src/modes/formula.js'
import { runCli } from './helpers.js'
import { program as randomProgram } from './random-programs.js'

describe('a formula right at this point only', () => {
  it('is wrong in the quiz, with where it departs, and the hints go on', async () => {
    const answers = ['1', '1', '-1', '1', 'x', 'w', 'x', '1', '1', '1', '-1', '2*t3^3', 'q']
    const { stdout } = await runCli(['quiz', '(x*w+b-y)^2', '--x', '1', '--w', '1', '--b', '0', '--y', '2'], { answers })
    const afterX = stdout.slice(stdout.indexOf('> x\n'))
    expect(afterX).toMatch(
      /^> x\n {2}✗ not quite: right value here, wrong formula: at x = [\d.]+, w = [\d.]+, b = [\d.]+, y = [\d.]+ yours gives [\d.]+, the right one gives [\d.]+\n {2}hint: product rule/,
    )
    // A node is not moved as if it were a variable: it follows from the moved variables, and is said so.
    expect(stdout).toMatch(
      /> 2\*t3\^3\n {2}✗ not quite: right value here, wrong formula: at x = [\d.]+, w = [\d.]+, b = [\d.]+, y = [\d.]+ \(so t3 = [-\d.]+\) yours/,
    )
    // The right formula, w, is right.
    const right = await runCli(['quiz', '(x*w+b-y)^2', '--x', '1', '--w', '1', '--b', '0', '--y', '2'], { answers: ['1', '1', '-1', '1', 'w', 'q'] })
    expect(right.stdout).toMatch(/> w\n {2}✓ right/)
  })

  it('shows the moved node the right formula uses, though the student never typed it', async () => {
    const { stdout } = await runCli(['quiz', 'a = x*w; L = a^2', '--x', '1', '--w', '1'], { answers: ['1', '1', '1', '1', '2*x', 'q'] })
    const slip =
      /> 2\*x\n {2}✗ not quite: right value here, wrong formula: at x = ([\d.]+), w = ([\d.]+) \(so a = ([\d.]+)\) yours gives ([\d.]+), the right one gives ([\d.]+)/.exec(
        stdout,
      )!
    const [x, w, a, yours, truth] = slip.slice(1).map(Number) as [number, number, number, number, number]
    expect(a).toBeCloseTo(x * w, 6)
    expect(yours).toBeCloseTo(2 * x, 6)
    expect(truth).toBeCloseTo(2 * a, 6)
    const check = await runCli(['check', 'a = x*w; L = a^2', '--x', '1', '--w', '1', '--claim', 'd(a^2)/da = 2*x'])
    expect(check.stdout).toMatch(/∂\(a²\)\/∂a is not 2\*x: right value here, wrong formula: at x = [\d.]+, w = [\d.]+ \(so a = [\d.]+\) yours gives/)
  })

  it('is a wrong claim in check, with the numbers that show it, and exit code 3', async () => {
    const file = 'yhat = x*w + b\nloss = (yhat - y)^2'
    const claims = ['d (yhat - y)^2 / d (yhat - y) = 2*(yhat - y)^2', 'd (x*w)/d x = x', 'd (x*w)/d x = w', 'd loss/d w = 2*(yhat - y)*x']
    const args = ['check', '--file', 'p.txt', '--x', '1', '--w', '1', '--b', '0', '--y', '0', ...claims.flatMap((c) => ['--claim', c])]
    const { code, stdout } = await runCli(args, { files: { 'p.txt': file } })
    expect(code).toBe(3)
    expect(stdout).toContain('Claims: 2 of 4 right')
    const slip =
      /at x = ([\d.]+), w = ([\d.]+), b = ([\d.]+), y = ([\d.]+) \(so yhat = ([\d.]+), t2 = ([\d.]+)\) yours gives ([\d.]+), the right one gives ([\d.]+)/.exec(
        stdout,
      )!
    const [x, w, b, y, yhat, t2, yours, truth] = slip.slice(1).map(Number) as [number, number, number, number, number, number, number, number]
    expect(yhat).toBeCloseTo(x * w + b, 4)
    // t2, which the right formula 2·t2 uses, is shown moved too.
    expect(t2).toBeCloseTo(yhat - y, 4)
    expect(yours).toBeCloseTo(2 * (yhat - y) ** 2, 3)
    expect(truth).toBeCloseTo(2 * (yhat - y), 3)
    expect(stdout).toMatch(/✗ 2\. d \(x\*w\)\/d x = x\n.*right value here, wrong formula: at x = /)
    expect(stdout).toMatch(/✓ 3\. d \(x\*w\)\/d x = w/)
    expect(stdout).toMatch(/✓ 4\. d loss\/d w = 2\*\(yhat - y\)\*x/)
  })

  it('is a diagnosis in the JSON of check, with the point and both numbers', async () => {
    const { stdout } = await runCli(['check', 'x*w', '--x', '1', '--w', '1', '--claim', 'dL/dx = x', '--format', 'json'])
    const { diagnosis } = JSON.parse(stdout).claims[0]
    expect(diagnosis.kind).toBe('formula')
    const { point, yours, truth } = diagnosis.at
    expect(yours).toBeCloseTo(point.x, 12)
    expect(truth).not.toBeCloseTo(yours, 2)
  })
})

const PARSEABLE: SymStyle = { number: (n) => String(n), times: '*', grad: () => 'unused', superscripts: false, spaced: true }

describe('random programs', () => {
  it('take each right local derivative as right, and the same plus k·(v − v0) as wrong', () => {
    let judged = 0
    const coordinate = fc.integer({ min: 200, max: 1500 }).map((k) => k / 1000)
    fc.assert(
      fc.property(randomProgram, fc.record({ x: coordinate, y: coordinate, z: coordinate }), (gen, point) => {
        const bound = bindProgram(gen.text, point)
        const here = trace(bound.graph, bound.values, { checks: false, chains: false })
        const elsewhere = new Elsewhere(bound.graph, bound.values)
        const agree = (a: number, b: number) => agrees(a, b, 0.01)
        here.edges.forEach((edge, e) => {
          const formula = printSym(edge.local, PARSEABLE)
          // Marked uses (x[1]) and the helpers of kinks ([x > 0], sign) are not typed by students.
          if (/\[|sign\(|e\+|e-/.test(formula) || !isNumber(edge.localValue) || !Number.isFinite(edge.localValue)) return
          const input = here.nodes[edge.from]!
          if (!isNumber(input.value) || here.flags.some((f) => f.node === edge.to)) return
          const at = (t: typeof here) => t.edges[e]!.localValue as number
          // The right formula is never called wrong (where the moved points keep it defined).
          const slip = formulaSlip(formula, at, elsewhere, agree)
          if (slip && elsewhere.points.some((t) => t.flags.length > 0)) return
          expect(slip).toBeUndefined()
          // k·(v − v0), with k large enough to be told from rounding where v moves (it is 0 where
          // v does not move: then the "wrong" formula is the same function, and is skipped).
          const there = elsewhere.points[0]!
          const moved = (there.nodes[edge.from]!.value as number) - input.value
          if (!Number.isFinite(at(there)) || Math.abs(moved) < 1e-9) return
          const k = (0.1 * Math.abs(at(there)) + 0.1) / Math.abs(moved)
          const wrong = `${formula} + ${k}*(${input.label} - ${input.value})`
          expect(formulaSlip(wrong, at, elsewhere, agree)).toBeDefined()
          judged++
        })
      }),
      { numRuns: 300, seed: 1129 },
    )
    expect(judged).toBeGreaterThan(300)
  })
})
