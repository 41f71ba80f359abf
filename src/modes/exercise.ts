// `quiz --random`: a small program and friendly values, the same for the same seed everywhere
// (its own PRNG, never Math.random), at three levels of size and of the functions used; scalar
// programs, or with --tensor a layer, a batch or softmax cross-entropy in small random shapes.
import { bindProgram } from '../pipeline.js'
import { trace } from '../trace.js'
import { mulberry32 as generator } from '../random.js'
import { traceTensorProgram } from '../tensor/pipeline.js'

export type Level = 1 | 2 | 3

export interface Exercise {
  program: string
  bindings: Record<string, number>
}

type Pick = <T>(items: readonly T[]) => T

/** Programs per level: level 1 sums and products, level 2 one function and a fan-out, level 3 a small network. */
const TEMPLATES: Record<Level, ((pick: Pick) => string)[]> = {
  1: [() => '(x*w + b - y)^2', () => 'yhat = x*w + b; loss = (yhat - y)^2', (pick) => `(a ${pick(['+', '-'])} b) * c`, () => 'x*y + y*z', () => 'a*b*c + d'],
  2: [
    (pick) => `yhat = ${pick(['tanh', 'sigmoid', 'sin', 'exp'])}(x*w + b); loss = (yhat - y)^2`,
    (pick) => `${pick(['x*x', 'x^2'])} + ${pick(['3', '2'])}*x*y`,
    (pick) => `z = x*w + b; a = ${pick(['relu', 'tanh', 'softplus'])}(z); loss = (a - y)^2`,
    (pick) => `${pick(['log', 'sqrt'])}(x^2 + 1) * w`,
  ],
  3: [
    (pick) => {
      const f = pick(['tanh', 'sigmoid', 'relu'])
      return `h1 = ${f}(w1*x + b1); h2 = ${f}(w2*x + b2); yhat = v1*h1 + v2*h2; loss = (yhat - y)^2`
    },
    () => 'p = sigmoid(w*x + b); loss = -(y*log(p) + (1 - y)*log(1 - p))',
    (pick) => `h = ${pick(['tanh', 'sigmoid'])}(w1*x1 + w2*x2 + b); loss = (h - y)^2 + 0.1*(w1^2 + w2^2)`,
  ],
}

/** Values: small integers at level 1, one decimal place above, never 0 for a weight (dull gradients). */
const VALUES: Record<Level, readonly number[]> = {
  1: [-3, -2, -1, 1, 2, 3],
  2: [-1.5, -1, -0.5, 0.5, 1, 1.5, 2],
  3: [-1, -0.5, -0.2, 0.2, 0.5, 1],
}

export function randomExercise(seed: number, level: Level): Exercise {
  const random = generator(seed)
  const pick: Pick = (items) => items[Math.floor(random() * items.length)]!
  const program = pick(TEMPLATES[level])(pick)
  const { graph } = bindProgram(program)
  const variables = graph.variables.map((i) => graph.nodes[i]!.id)
  // Reroll values (from the same sequence, so still determined by the seed) until no node sits on
  // a kink or outside its domain: an exercise must have one right answer per step.
  for (let attempt = 0; ; attempt++) {
    const bindings: Record<string, number> = {}
    for (const name of variables) bindings[name] = name === 'y' && program.includes('log(p)') ? pick([0, 1]) : pick(VALUES[level])
    const result = trace(graph, bindings, { chains: false, checks: false })
    const clean = result.flags.length === 0 && typeof result.value === 'number' && Number.isFinite(result.value)
    if (clean || attempt === 100) return { program, bindings }
  }
}

/** A tensor exercise: the program and each variable's value as it would be typed (`--W "[1, -0.5; 2, 1]"`). */
export interface TensorExercise {
  program: string
  values: Record<string, string>
}

/** A tensor template: the program and each variable's shape, from sizes picked for it; `oneHot` names a target that is one class. */
type TensorTemplate = (pick: Pick, sizes: [number, number, number]) => { program: string; shapes: Record<string, number[]>; oneHot?: string }

/** Level 1 a layer, level 2 a batch through a layer with a bias broadcast along its rows, level 3 softmax with cross-entropy. */
const TENSOR_TEMPLATES: Record<Level, TensorTemplate> = {
  1: (pick, [m, n]) => ({
    program: `z = W*x + b; loss = sum(${pick(['tanh', 'sigmoid', 'relu'])}(z))`,
    shapes: { W: [m, n], x: [n], b: [m] },
  }),
  2: (pick, [m, n, k]) => ({
    program: `H = ${pick(['tanh', 'sigmoid', 'relu'])}(X*W + b); loss = mean((H - Y).^2)`,
    shapes: { X: [k, n], W: [n, m], b: [m], Y: [k, m] },
  }),
  3: (_pick, [m, n]) => ({
    program: 'z = W*x + b; p = softmax(z); loss = -sum(y .* log(p))',
    shapes: { W: [m, n], x: [n], b: [m], y: [m] },
    oneHot: 'y',
  }),
}

/** Entries: small numbers with at most one decimal, never 0 (a zero weight gives dull gradients). */
const TENSOR_VALUES = [-1.5, -1, -0.5, 0.5, 1, 1.5, 2] as const

/** A value as typed: a vector `[1, -0.5]`, a matrix `[1, 2; 3, 4]` (rows separated by ;). */
const literal = (shape: number[], entries: number[]) => {
  const cols = shape[shape.length - 1]!
  const rows = Array.from({ length: entries.length / cols }, (_, r) => entries.slice(r * cols, (r + 1) * cols).join(', '))
  return `[${rows.join('; ')}]`
}

/**
 * `quiz --random --tensor`: sizes 2 to 4, different from each other, so that no shape can be
 * answered by a size that belongs to another dimension, and values redrawn (from the same
 * sequence) until the gradient check agrees everywhere: no relu input sits at its kink.
 */
export async function randomTensorExercise(seed: number, level: Level): Promise<TensorExercise> {
  const random = generator(seed)
  const pick: Pick = (items) => items[Math.floor(random() * items.length)]!
  const sizes = [2, 3, 4]
  for (let i = sizes.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[sizes[i], sizes[j]] = [sizes[j]!, sizes[i]!]
  }
  const { program, shapes, oneHot } = TENSOR_TEMPLATES[level](pick, sizes as [number, number, number])
  for (let attempt = 0; ; attempt++) {
    const values: Record<string, string> = {}
    for (const [name, shape] of Object.entries(shapes)) {
      const count = shape.reduce((a, b) => a * b, 1)
      const hot = Math.floor(random() * count)
      const entries = Array.from({ length: count }, (_, k) => (name === oneHot ? Number(k === hot) : pick(TENSOR_VALUES)))
      values[name] = literal(shape, entries)
    }
    const { trace } = await traceTensorProgram(program, values)
    if (trace.checks.every((c) => c.status === 'agree') || attempt === 100) return { program, values }
  }
}
