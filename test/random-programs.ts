// Random programs over x, y, z: every op's row composed with guards that keep it smooth at the
// random point, so values and gradients have an oracle (src/ops.ts rows in test/op-rows.ts).
import fc from 'fast-check'
import { OP_ROWS, SYNTAX, type Env, type Gen } from './op-rows.js'

const VARIABLES = ['x', 'y', 'z']

// Each op's row composes it with a guard that keeps it inside its domain and away from overflow,
// so every generated program is smooth at the random point (kinks are filtered out below).
export const UNARY = [...OP_ROWS.flatMap((row) => (row.random?.length === 1 ? [row.random as (a: Gen) => Gen] : [])), ...SYNTAX.unary]
export const BINARY = [...OP_ROWS.flatMap((row) => (row.random?.length === 2 ? [row.random as (a: Gen, b: Gen) => Gen] : [])), ...SYNTAX.binary]

const leaf: fc.Arbitrary<Gen> = fc.oneof(
  fc.constantFrom(...VARIABLES).map((v) => ({ text: v, f: (e: Env) => e[v]! })),
  fc.double({ min: -3, max: 3, noNaN: true }).map((c) => {
    const k = Math.round(c * 100) / 100
    return { text: k < 0 ? `(${k})` : String(k), f: () => k }
  }),
  fc.constant({ text: 'pi', f: () => Math.PI }),
)

export const program = fc.letrec<{ expr: Gen }>((tie) => ({
  expr: fc.oneof(
    { maxDepth: 5, depthIdentifier: 'expr' },
    leaf,
    fc.tuple(fc.nat(UNARY.length - 1), tie('expr')).map(([k, a]) => UNARY[k]!(a)),
    fc.tuple(fc.nat(BINARY.length - 1), tie('expr'), tie('expr')).map(([k, a, b]) => BINARY[k]!(a, b)),
  ),
})).expr
