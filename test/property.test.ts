// Oracles on random programs: values against plain JavaScript, gradients against finite differences.
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { foldExpr, parseProgram } from '../src/parse.js'
import { OPS } from '../src/ops.js'
import { traceProgram } from '../src/pipeline.js'
import { isNumber } from '../src/sym.js'
import { centralDifference } from './helpers.js'
import { type Env, type Gen } from './op-rows.js'
import { BINARY, UNARY, program } from './random-programs.js'

// fast-check favours 0 and subnormals, where kinks sit; points here are ordinary reals.
const coordinate = fc.tuple(fc.integer({ min: 1000, max: 2_000_000 }), fc.boolean()).map(([k, negative]) => (negative ? -k : k) / 1e6)
const point = fc.record({ x: coordinate, y: coordinate, z: coordinate })

describe('random programs', () => {
  it('compute the same value as plain JavaScript, and gradients that match finite differences', () => {
    let compared = 0
    let inconclusive = 0
    fc.assert(
      fc.property(program, point, (gen, env) => {
        const { trace } = traceProgram(gen.text, env)
        // Kinks (abs, relu, max, min at their switch points) have no derivative to compare.
        fc.pre(!trace.flags.some((f) => f.kind === 'non-differentiable'))
        const expected = gen.f(env)
        fc.pre(Number.isFinite(expected) && Math.abs(expected) < 1e6)
        expect(isNumber(trace.value)).toBe(true)
        expect(trace.value as number).toBeCloseTo(expected, 9)
        for (const g of trace.gradients) {
          const check = trace.checks.find((c) => c.variable === g.name)!
          expect(check.status).not.toBe('disagree')
          expect(isNumber(g.grad)).toBe(true)
          // Within a step of a kink no finite difference means anything: the tool says so, and
          // the test's own difference below would straddle it too.
          if (check.status === 'inconclusive') {
            inconclusive++
            continue
          }
          const fd = centralDifference((v) => gen.f({ ...env, [g.name]: v }), (env as Env)[g.name]!)
          expect(Math.abs((g.grad as number) - fd)).toBeLessThan(1e-4 * Math.max(1, Math.abs(fd)))
          compared++
        }
      }),
      { numRuns: 2000, seed: 20261128 },
    )
    // The check must not dodge: nearly every gradient is compared.
    expect(compared).toBeGreaterThan(1000)
    expect(inconclusive).toBeLessThan(compared / 10)
  })

  it('give the same trace for the same program, every time', () => {
    fc.assert(
      fc.property(program, point, (gen, env) => {
        expect(traceProgram(gen.text, env)).toEqual(traceProgram(gen.text, env))
      }),
      { numRuns: 200, seed: 7 },
    )
  })
})

// Statements that repeat one shape with other names are parsed once (src/parse.ts); the copies
// must be exactly what parsing each statement alone gives. Names include the awkward ones: the
// constant e and function names (which a parse treats differently), names that start with e
// right after a number (2e+x is not 2a+x), and reassignments.
const NAME = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom('a', 'b', 'x1', 'E', 'ex', 'e2', '_u', '$z', 'w') },
  { weight: 1, arbitrary: fc.constantFrom('e', 'pi', 'tanh', 'sin') },
)
const hole = '@'
const shapeText = fc.letrec<{ s: string }>((tie) => ({
  s: fc.oneof(
    { maxDepth: 3, depthIdentifier: 'shape' },
    fc.constantFrom(hole, hole, '2', '0.5', '1e3', `2${hole}`, `3 ${hole}`, `2${hole}+${hole}`),
    fc.tuple(tie('s'), fc.constantFrom(' + ', '-', ' * ', '/', '^', ' '), tie('s')).map(([a, op, b]) => `${a}${op}${b}`),
    fc.tuple(fc.constantFrom('tanh', 'sin', 'max', 'log', ''), tie('s')).map(([f, a]) => `${f}(${a})`),
    fc.tuple(tie('s'), tie('s')).map(([a, b]) => `max(${a}, ${b})`),
    tie('s').map((a) => `-${a}`),
  ),
})).s
const statementsOfShapes = fc
  .tuple(
    fc.array(fc.tuple(fc.boolean(), shapeText), { minLength: 1, maxLength: 3 }),
    fc.array(fc.tuple(fc.nat(), fc.array(NAME, { minLength: 40, maxLength: 40 })), { minLength: 2, maxLength: 8 }),
  )
  .map(([shapes, uses]) =>
    uses.map(([pick, names]) => {
      const [assigns, text] = shapes[pick % shapes.length]!
      let slot = 0
      const filled = text.replaceAll(hole, () => names[slot++]!)
      return assigns ? `${names[39]} = ${filled}` : filled
    }),
  )

describe('statements of one shape', () => {
  it('parse exactly as each statement alone does', () => {
    let reused = 0
    fc.assert(
      fc.property(statementsOfShapes, (lines) => {
        const alone = lines.map((line) => {
          try {
            return parseProgram(line).statements[0]!
          } catch {
            return undefined
          }
        })
        let whole
        try {
          whole = parseProgram(lines.join('\n'))
        } catch {
          expect(alone.some((s) => s === undefined)).toBe(true)
          return
        }
        expect(alone.every((s) => s !== undefined)).toBe(true)
        expect(whole.statements.map(({ target, expr }) => ({ target, expr }))).toEqual(alone.map((s) => ({ target: s!.target, expr: s!.expr })))
        if (new Set(lines.map((l) => l.replace(/[A-Za-z_$][\w$]*/g, 'n'))).size < lines.length) reused++
      }),
      { numRuns: 3000, seed: 11 },
    )
    // The runs must include programs where a shape repeats.
    expect(reused).toBeGreaterThan(500)
  })
})

describe('the random-program corpus', () => {
  it('uses every operator and every function a program can call, so a new op is exercised here too', () => {
    const used = new Set<string>()
    const x: Gen = { text: 'x', f: (e) => e.x! }
    for (const text of [...UNARY.map((u) => u(x).text), ...BINARY.map((b) => b(x, x).text)]) {
      for (const statement of parseProgram(text).statements)
        foldExpr(
          statement.expr,
          () => undefined,
          (op) => void used.add(op),
        )
    }
    const reachable = Object.entries(OPS).flatMap(([id, op]) => (op.call !== undefined || ['add', 'sub', 'mul', 'div', 'pow', 'neg'].includes(id) ? [id] : []))
    expect(reachable.filter((id) => !used.has(id))).toEqual([])
  })
})
