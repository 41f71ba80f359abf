// `quiz --random`: a small program and friendly values, the same for the same seed everywhere
// (its own PRNG, never Math.random), at three levels of size and of the functions used.
import { bindProgram } from '../pipeline.js'
import { trace } from '../trace.js'
import { mulberry32 as generator } from '../random.js'

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
