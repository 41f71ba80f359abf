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

/** A program written twice: as a scalar program, and with .* and ./ for a tensor one of 1-entry tensors. */
export type Twin = { scalar: string; tensor: string }

/**
 * Programs over x, y, z built to reach kinks, ties, infinities and NaNs (no guards): `functions`
 * of one argument, + - * /, max and min. Paired with `kinkPoint`, whose small integers sit on them.
 */
export function twinPrograms(functions: string[]): fc.Arbitrary<Twin> {
  const leaf = fc.constantFrom<Twin>(...['x', 'y', 'z', '0', '1', '2'].map((t) => ({ scalar: t, tensor: t })))
  return fc.letrec<{ e: Twin }>((tie) => ({
    e: fc.oneof(
      { maxDepth: 4, depthIdentifier: 'e' },
      leaf,
      fc.tuple(fc.constantFrom(...functions), tie('e')).map(([f, a]) => ({ scalar: `${f}(${a.scalar})`, tensor: `${f}(${a.tensor})` })),
      fc
        .tuple(fc.constantFrom(['+', '+'], ['-', '-'], ['*', '.*'], ['/', './']), tie('e'), tie('e'))
        .map(([[s, t], a, b]) => ({ scalar: `(${a.scalar} ${s} ${b.scalar})`, tensor: `(${a.tensor} ${t} ${b.tensor})` })),
      fc
        .tuple(fc.constantFrom('max', 'min'), tie('e'), tie('e'))
        .map(([f, a, b]) => ({ scalar: `${f}(${a.scalar}, ${b.scalar})`, tensor: `${f}(${a.tensor}, ${b.tensor})` })),
    ),
  })).e
}

export const kinkPoint = fc.record({ x: fc.constantFrom(-1, 0, 1, 2), y: fc.constantFrom(-1, 0, 1, 2), z: fc.constantFrom(-1, 0, 1, 2) })

// Random tensor programs: a product, then a chain of shape-keeping steps (functions, broadcasts,
// transposes there and back, fan-out, reassignment, slices broadcast back, a loop), then a
// reduction to a scalar. The slices index only 1 and end, which every shape has.
export const TENSOR_STEPS = [
  'h = h + h[1, :]',
  'h = h .* h[:, end]',
  'for t = 1:2\n  h = tanh(h) .* h[1, :] + h[end, 1:end]\nend',
  'h = tanh(h)',
  'h = h .* h + h',
  'h = sigmoid(h) + b',
  "h = (h' .* 2)'",
  'h = softmax(h, 2)',
  'h = exp(h / 4) - h',
  'h = h ./ (1 + h .* h)',
  'h = h .* b',
]
export const TENSOR_ENDS = [
  'L = sum(h)',
  'L = mean(h)',
  'L = sum(logsumexp(h, 2))',
  'L = sum(sum(h, 1) .* sum(h, 1))',
  'L = norm(sum(h, 2)) + max(h[1, 1], 0)',
  'L = dot(sum(h, 2), sum(h, 2))',
  'L = sum(h[end, :]) + sum(h[:, 1] .* h[:, 1])',
]

/**
 * The random tensor corpus's arguments, to spread into fc.asyncProperty: the sizes m, n, p of
 * X (m×n) and W (n×p), the steps, the end and a seed from `seedFrom`. tensorProgram writes them.
 */
export const tensorProgramArgs = (seedFrom = 0) =>
  [
    fc.integer({ min: 1, max: 3 }),
    fc.integer({ min: 1, max: 3 }),
    fc.integer({ min: 1, max: 3 }),
    fc.array(fc.constantFrom(...TENSOR_STEPS), { maxLength: 4 }),
    fc.constantFrom(...TENSOR_ENDS),
    fc.integer({ min: seedFrom, max: 1000 }),
  ] as const

/** A program of the corpus: the product, the steps, the end. */
export const tensorProgram = (steps: string[], end: string) => ['h = X*W', ...steps, end].join('\n')
