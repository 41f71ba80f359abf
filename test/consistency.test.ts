// The tutor held to its own words: on random programs at points where kinks, ties, infinities
// and NaNs sit, every gradient a view prints (the chains, --wrt, forward mode, check) is the
// backward pass's, for scalar programs and for the same programs written with tensors.
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { traceProgram } from '../src/pipeline.js'
import { forwardMode } from '../src/modes/forward.js'
import { formatNumber, DEFAULT_PRECISION } from '../src/format.js'
import { isNumber } from '../src/sym.js'
import { traceTensorProgram } from '../src/tensor/pipeline.js'
import { firstEntries, tensorForwardMode } from '../src/tensor/forward.js'
import { TENSOR_PRECISION } from '../src/render/tensor-table.js'
import { DEFAULT_TOLERANCE, agrees } from '../src/modes/claims.js'
import { runCli } from './helpers.js'
import { kinkPoint, program, twinPrograms } from './random-programs.js'

const expr = twinPrograms(['relu', 'abs', 'sqrt', 'log', 'tanh', 'exp'])
const point = kinkPoint

/** The same number, NaN and the infinities included, to rounding. */
const same = (a: number, b: number) => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b)) || Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b))

const usedIn = (program: string, at: Record<string, number>) =>
  Object.fromEntries(Object.entries(at).filter(([name]) => new RegExp(`\\b${name}\\b`).test(program)))

const flags = (values: Record<string, number | string>) => Object.entries(values).flatMap(([name, v]) => [`--${name}`, String(v)])

const NUMBER_AT_END = /= (-?\d[\d.e+-]*|-?Infinity|NaN)(?: {1,2}\(.*\))?$/

/** The total of each `∂L/∂name = …` block of the chains section: the last number a block ends a line with. */
function chainTotals(text: string): Map<string, string> {
  const section = text.slice(text.indexOf('4. Chains'), text.indexOf('5. Gradients'))
  const totals = new Map<string, string>()
  let name: string | undefined
  for (const line of section.split('\n')) {
    const head = /^ {2}∂[^/\s]+\/∂([^\s,]+)[ ,]/.exec(line)
    if (head) name = head[1]
    const last = NUMBER_AT_END.exec(line)
    if (name && last) totals.set(name, last[1]!)
  }
  return totals
}

/** The gradient column of the gradients table, by row name. */
function gradientColumn(text: string): Map<string, string> {
  const section = text.slice(text.indexOf('5. Gradients'))
  const rows = new Map<string, string>()
  for (const line of section.split('\n')) {
    const cells = /^│ (\S+) +│ (\S+) +│/.exec(line)
    if (cells && cells[1] !== 'variable') rows.set(cells[1]!, cells[2]!)
  }
  return rows
}

describe('every view prints the backward pass’s gradients, at kinks and NaNs too', () => {
  it('scalar programs: the chains, --wrt, forward mode and check', async () => {
    let nonFinite = 0
    await fc.assert(
      fc.asyncProperty(expr, point, async (gen, at) => {
        const values = usedIn(gen.scalar, at)
        if (Object.keys(values).length === 0) return
        const { trace } = traceProgram(gen.scalar, values)
        const grads = new Map(trace.gradients.map((g) => [g.name, g.grad as number]))
        if ([...grads.values()].some((g) => !Number.isFinite(g))) nonFinite++
        // The chains' path products, summed, are the gradient.
        for (const chain of trace.chains) {
          if (!chain.paths || chain.paths.some((p) => !isNumber(p.product))) continue
          const total = chain.paths.reduce((sum, p) => sum + (p.product as number), 0)
          expect([gen.scalar, chain.variable, same(total, grads.get(chain.variable)!)]).toEqual([gen.scalar, chain.variable, true])
        }
        // Forward mode's result is the gradient.
        for (const pass of forwardMode(trace).passes) {
          expect([gen.scalar, pass.variable, same(pass.result as number, grads.get(pass.variable)!)]).toEqual([gen.scalar, pass.variable, true])
          expect(pass.agrees).toBe(true)
        }
        // What the terminal prints: the chains' totals, and the gradients of --wrt on an intermediate.
        const { stdout } = await runCli([gen.scalar, ...flags(values)])
        const fmt = (g: number) => formatNumber(g, DEFAULT_PRECISION)
        for (const [name, total] of chainTotals(stdout)) expect([gen.scalar, name, total]).toEqual([gen.scalar, name, fmt(grads.get(name)!)])
        const node = trace.nodes.find((n, i) => n.kind === 'op' && i !== trace.output && n.onPath && typeof n.grad === 'number')
        if (node) {
          const wrt = await runCli([gen.scalar, ...flags(values), '--wrt', node.label])
          expect([gen.scalar, gradientColumn(wrt.stdout).get(node.label)]).toEqual([gen.scalar, fmt(node.grad as number)])
        }
        // check takes the backward pass's own number as right.
        const out = trace.nodes[trace.output]!.label
        const claims = [...grads].filter(([, g]) => Number.isFinite(g)).flatMap(([name, g]) => ['--claim', `d${out}/d${name} = ${formatNumber(g)}`])
        if (claims.length === 0) return
        const check = await runCli(['check', gen.scalar, ...flags(values), ...claims, '--format', 'json'])
        const verdicts = JSON.parse(check.stdout).claims as { right: boolean }[]
        expect([gen.scalar, verdicts.map((v) => v.right)]).toEqual([gen.scalar, verdicts.map(() => true)])
      }),
      { numRuns: 250, seed: 2912 },
    )
    // The corpus reaches the points this is about.
    expect(nonFinite).toBeGreaterThan(20)
  })

  it('tensor programs of 1-entry tensors: the gradients, forward mode and --entry are the scalar backward pass’s', async () => {
    await fc.assert(
      fc.asyncProperty(expr, point, async (gen, at) => {
        const values = usedIn(gen.scalar, at)
        if (Object.keys(values).length === 0) return
        const scalar = traceProgram(`u = ${gen.scalar}`, values).trace
        const vectors = Object.fromEntries(Object.entries(values).map(([name, v]) => [name, `[${v}]`]))
        const { trace } = await traceTensorProgram(`u = ${gen.tensor}; L = sum(u)`, vectors)
        for (const g of trace.gradients) {
          const want = scalar.gradients.find((s) => s.name === g.name)!.grad as number
          expect([gen.scalar, g.name, same(g.grad.data[0]!, want)]).toEqual([gen.scalar, g.name, true])
        }
        for (const pass of tensorForwardMode(trace, firstEntries(trace)).passes) {
          const want = scalar.gradients.find((s) => s.name === pass.direction.variable)!.grad as number
          expect([gen.scalar, pass.direction.variable, same(pass.result, want), pass.agrees]).toEqual([gen.scalar, pass.direction.variable, true, true])
        }
        const name = trace.gradients[0]!.name
        const entry = await runCli([`u = ${gen.tensor}; L = sum(u)`, ...flags(vectors), '--entry', `${name}[1]`])
        const section = entry.stdout.slice(entry.stdout.indexOf('6. One entry'))
        const totals = section.split('\n').flatMap((line) => NUMBER_AT_END.exec(line)?.[1] ?? [])
        expect([gen.scalar, totals.at(-1)]).toEqual([gen.scalar, formatNumber(trace.gradients[0]!.grad.data[0]!, TENSOR_PRECISION)])
      }),
      { numRuns: 150, seed: 2913 },
    )
  })
})

describe('check names the slip a wrong claim was built from', () => {
  type Verdict = { right: boolean; diagnosis?: Record<string, unknown> }
  const verdict = async (program: string, values: Record<string, number>, claim: string): Promise<Verdict> => {
    const { stdout } = await runCli(['check', program, ...flags(values), '--claim', claim, '--format', 'json'])
    return (JSON.parse(stdout).claims as Verdict[])[0]!
  }
  // Ordinary points, away from kinks: every slip gives a number of its own.
  const coordinate = fc.tuple(fc.integer({ min: 1000, max: 2_000_000 }), fc.boolean()).map(([k, negative]) => (negative ? -k : k) / 1e6)
  const smooth = fc.record({ x: coordinate, y: coordinate, z: coordinate })
  // Apart by more than check's tolerance (3 times over, so no claim sits on its edge).
  const distinct = (a: number, b: number) => !agrees(a, b, 3 * DEFAULT_TOLERANCE) && !agrees(b, a, 3 * DEFAULT_TOLERANCE)
  const fitsTo = (a: number, b: number) => agrees(a, b, DEFAULT_TOLERANCE)

  it('the seed, a flipped sign, a local derivative for the gradient, a dropped fan-out term', async () => {
    const seen = { seed: 0, sign: 0, local: 0, fanOut: 0 }
    await fc.assert(
      fc.asyncProperty(program, smooth, fc.boolean(), async (gen, at, fanOut) => {
        // Half the programs use x twice more, so that fan-out sums are common.
        const text = fanOut ? `u = ${gen.text}; L = u*x + x` : gen.text
        const values = usedIn(text, at)
        if (Object.keys(values).length === 0) return
        const { trace } = traceProgram(text, values)
        // A program that is one variable (+(x)) has no operation to slip in.
        if (trace.flags.length > 0 || !Number.isFinite(trace.value as number) || trace.nodes[trace.output]!.kind !== 'op') return
        const out = trace.nodes[trace.output]!.label
        if (seen.seed < 20) {
          expect((await verdict(text, values, `d${out}/d${out} = 2`)).diagnosis).toEqual({ kind: 'seed' })
          seen.seed++
        }
        for (const g of trace.gradients) {
          const grad = g.grad as number
          const node = trace.nodes[g.node]!
          if (!Number.isFinite(grad) || Math.abs(grad) < 1e-3 || Math.abs(grad) > 1e6) continue
          const claim = (x: number) => `d${out}/d${g.name} = ${formatNumber(x)}`
          // The sign of the whole gradient flipped.
          const sign = await verdict(text, values, claim(-grad))
          expect([text, g.name, sign.diagnosis?.signFlipped ?? (sign.diagnosis?.slip as { kind?: string } | undefined)?.kind]).toEqual([
            text,
            g.name,
            sign.diagnosis?.signFlipped === undefined ? 'sign' : true,
          ])
          seen.sign++
          const contributions = node.contributions.map((e) => trace.edges[e]!)
          // One use of the variable: its local derivative written for the whole gradient.
          if (contributions.length === 1 && trace.edges.length > 1) {
            const local = contributions[0]!.localValue as number
            if (contributions[0]!.to !== trace.output && distinct(local, grad) && distinct(local, -grad) && Math.abs(local) > 1e-3) {
              const slip = await verdict(text, values, claim(local))
              expect([text, g.name, slip.diagnosis?.localInstead]).toEqual([text, g.name, { of: trace.nodes[contributions[0]!.to]!.label, wrt: g.name }])
              seen.local++
            }
          }
          // Fan-out: one contribution left out of the sum.
          if (contributions.length >= 2) {
            const dropped = contributions[0]!
            const rest = grad - (dropped.contribution as number)
            // Other sets of contributions that leave the same sum (0.98 = 2 × 0.49) make the slip ambiguous: those are left out.
            const parts = contributions.map((c) => c.contribution as number)
            let fits = 0
            for (let mask = 1; mask < (1 << parts.length) - 1 && parts.length <= 12; mask++)
              if (
                fitsTo(
                  rest,
                  parts.reduce((sum, p, k) => (mask & (1 << k) ? sum + p : sum), 0),
                )
              )
                fits++
            if (fits === 1 && distinct(rest, grad) && distinct(rest, -grad) && Math.abs(rest) > 1e-3 && parts.length <= 12) {
              const slip = await verdict(text, values, claim(rest))
              const named = { kind: 'step', missingThrough: [trace.nodes[dropped.to]!.label] }
              expect([text, g.name, slip.diagnosis]).toEqual([text, g.name, expect.objectContaining(named)])
              seen.fanOut++
            }
          }
        }
      }),
      { numRuns: 150, seed: 2914 },
    )
    // Each kind of slip was tried on many programs.
    expect(Math.min(seen.seed, seen.sign, seen.local, seen.fanOut)).toBeGreaterThan(10)
  })

  it('a dropped fan-out term, in a tensor program', async () => {
    // x feeds two or three operations, each contribution a different function of the values.
    const programs = ['z = W*x + x; loss = sum(tanh(z) .* x)', 'loss = sum(exp(x) .* sin(x))', 'h = W*x; loss = sum(h .* h) + sum(sigmoid(x)) + sum(W*exp(x))']
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...programs), fc.integer({ min: 1, max: 1000 }), fc.nat(), async (program, seed, pick) => {
        const values = { W: 'randn(3, 3)', x: 'randn(3)' }
        const { trace } = await traceTensorProgram(program, values, { seed })
        const x = trace.nodes.findIndex((n) => n.label === 'x')
        const edges = trace.edges.filter((e) => e.input === x)
        const dropped = edges[pick % edges.length]!
        const rest = Array.from(trace.grads[x]!.data, (g, i) => formatNumber(g - dropped.contribution.data[i]!))
        const { stdout } = await runCli([
          'check',
          program,
          ...flags(values),
          '--seed',
          String(seed),
          '--claim',
          `dloss/dx = [${rest.join(', ')}]`,
          '--format',
          'json',
        ])
        const [claim] = JSON.parse(stdout).claims as Verdict[]
        const kept = edges.filter((e) => e !== dropped)
        const named =
          kept.length === 1
            ? { kind: 'one-contribution', via: trace.nodes[kept[0]!.consumer]!.label, count: edges.length }
            : { kind: 'missing', leftOut: [trace.nodes[dropped.consumer]!.label], count: 1, of: edges.length }
        expect([program, seed, claim!.right, claim!.diagnosis]).toEqual([program, seed, false, named])
      }),
      { numRuns: 30, seed: 2916 },
    )
  })

  it('a transposed matrix gradient, in a tensor program', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('tanh', 'sigmoid', 'exp'), fc.integer({ min: 2, max: 4 }), fc.integer({ min: 1, max: 1000 }), async (f, n, seed) => {
        const program = `z = W*x; loss = sum(${f}(z))`
        const values = { W: `randn(${n}, ${n})`, x: `randn(${n})` }
        const { trace } = await traceTensorProgram(program, values, { seed })
        const grad = trace.gradients.find((g) => g.name === 'W')!.grad
        const rows = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => formatNumber(grad.data[j * n + i]!)).join(', '))
        const { stdout } = await runCli([
          'check',
          program,
          ...flags(values),
          '--seed',
          String(seed),
          '--claim',
          `dloss/dW = [${rows.join('; ')}]`,
          '--format',
          'json',
        ])
        const [claim] = JSON.parse(stdout).claims as Verdict[]
        expect([program, claim!.right, claim!.diagnosis]).toEqual([program, false, { kind: 'transposed' }])
      }),
      { numRuns: 20, seed: 2915 },
    )
  })
})
