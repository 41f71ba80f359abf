// --lr: gradient descent on the traced program, the step that shows what the gradients are for.
// Each step is one more forward and backward pass of the same graph at the updated parameters.
import { LIMITS } from '../limits.js'
import { InputError } from '../errors.js'
import type { Graph } from '../graph.js'
import { isNumber, type Sym } from '../sym.js'
import { trace } from '../trace.js'

export interface TrainingRequest {
  /** The learning rate η. */
  lr: number
  steps: number
  /** Variables to update; default: every bound variable not in `data`. */
  params?: string[]
  /** Variables held fixed (inputs and targets). */
  data?: string[]
}

export interface TrainingStep {
  /** 1, 2, …: the step's number. */
  step: number
  /** Parameter values at the start of the step, in `Training.params` order. */
  params: number[]
  /** The output (the loss) at those values. */
  loss: number
  /** ∂loss/∂param at those values. */
  gradients: number[]
  /** The parameters after the update p ← p − η·∂loss/∂p. */
  next: number[]
}

export interface Training {
  lr: number
  params: string[]
  data: string[]
  steps: TrainingStep[]
  /** The loss at the parameters after the last update (absent when a number stopped being finite). */
  finalLoss?: number
  /** Set when the run diverged: a loss, gradient or parameter stopped being finite, or the loss rose. */
  divergence?: Divergence
  /** The first step after which the loss was higher than before it: where an overshooting run shows itself. */
  firstRise?: Rise
  /** Whether every variable is trained because neither --params nor --data was given (targets too). */
  everyVariable: boolean
}

/**
 * The loss rose from `from` to `to` over step `step`. `curvature`: the loss's second derivative
 * along that step's gradient (estimated from one more gradient a short way along it); a step
 * p ← p − η·g on a loss this curved overshoots once η passes 2 / curvature, `limit`.
 */
export interface Rise {
  step: number
  from: number
  to: number
  curvature?: number
  limit?: number
}

/**
 * How a run diverged, as a code (src/steps/words.ts writes it out): at `step`, the `loss`, the
 * gradient of `param` or the parameter `param` after its update stopped being finite (`value`);
 * or over the run the loss rose from `from` to `value`.
 */
export type Divergence =
  | { code: 'loss'; step: number; value: number }
  | { code: 'gradient' | 'parameter'; step: number; param: string; value: number }
  | { code: 'loss-rose'; step: number; from: number; value: number }

/** Checks the request against the program's variables and runs it. Throws InputError for a bad request. */
export function train(graph: Graph, values: Record<string, number>, request: TrainingRequest): Training {
  const { lr, steps } = request
  const { params, heldFixed } = plan(graph, values, request)
  const gradientIndex = new Map(graph.variables.map((i, k) => [graph.nodes[i]!.id, k]))
  // Keyed by the program's names (__proto__, constructor, …): an object with no prototype.
  const current: Record<string, number> = Object.assign(Object.create(null), values)
  const lossAt = () => {
    const t = trace(graph, current, { chains: false, checks: false })
    const gradients = params.map((name) => t.gradients[gradientIndex.get(name)!]!.grad)
    return { loss: t.value, gradients }
  }
  const result: Training = { lr, params, data: heldFixed, steps: [], everyVariable: request.params === undefined && request.data === undefined }
  for (let step = 1; step <= steps + 1; step++) {
    const { loss, gradients } = lossAt()
    const previous = result.steps[result.steps.length - 1]
    if (previous && !result.firstRise && isFinite(loss) && loss > previous.loss) {
      result.firstRise = { step: previous.step, from: previous.loss, to: loss, ...curvatureAt(previous, params, current, lossAt) }
    }
    if (!isFinite(loss)) {
      result.divergence = { code: 'loss', step, value: numeric(loss) }
      return result
    }
    if (step > steps) {
      result.finalLoss = loss
      break
    }
    if (!gradients.every(isFinite)) {
      const bad = gradients.findIndex((g) => !isFinite(g))
      result.divergence = { code: 'gradient', step, param: params[bad]!, value: numeric(gradients[bad]!) }
      return result
    }
    const before = params.map((name) => current[name]!)
    const next = before.map((p, k) => p - lr * gradients[k]!)
    const overflow = next.findIndex((p) => !Number.isFinite(p))
    result.steps.push({ step, params: before, loss, gradients, next })
    if (overflow >= 0) {
      result.divergence = { code: 'parameter', step, param: params[overflow]!, value: next[overflow]! }
      return result
    }
    params.forEach((name, k) => (current[name] = next[k]!))
  }
  const first = result.steps[0]!.loss
  if (result.finalLoss! > first) {
    result.divergence = { code: 'loss-rose', step: steps, from: first, value: result.finalLoss! }
  }
  return result
}

/**
 * The loss's curvature along a step's gradient g: with u = g/|g|, u·H·u ≈ u·(∇L(p) − ∇L(p − εu))/ε.
 * Gradient descent on a loss this curved along its own direction overshoots past η = 2/curvature.
 */
function curvatureAt(
  at: TrainingStep,
  params: string[],
  current: Record<string, number>,
  lossAt: () => { gradients: Sym[] },
): { curvature?: number; limit?: number } {
  const norm = Math.hypot(...at.gradients)
  if (!(norm > 0) || !Number.isFinite(norm)) return {}
  const saved = params.map((name) => current[name]!)
  const epsilon = 1e-4 * Math.max(1, ...at.params.map(Math.abs))
  params.forEach((name, k) => (current[name] = at.params[k]! - (epsilon * at.gradients[k]!) / norm))
  const moved = lossAt().gradients
  params.forEach((name, k) => (current[name] = saved[k]!))
  if (!moved.every(isFinite)) return {}
  const curvature = at.gradients.reduce((sum, g, k) => sum + (g / norm) * ((g - (moved[k] as number)) / epsilon), 0)
  return curvature > 0 ? { curvature, limit: 2 / curvature } : { curvature }
}

/** Which variables are trained and which held fixed; InputError for a request that cannot run. */
function plan(graph: Graph, values: Record<string, number>, request: TrainingRequest): { params: string[]; heldFixed: string[] } {
  const variables = graph.variables.map((i) => graph.nodes[i]!.id)
  const { lr, steps } = request
  if (!Number.isFinite(lr) || lr <= 0) throw new InputError(`--lr ${lr}: the learning rate must be a positive number, such as 0.1`)
  if (!Number.isInteger(steps) || steps < 1 || steps > LIMITS.maxSteps)
    throw new InputError(`--steps ${steps}: expected a whole number from 1 to ${LIMITS.maxSteps}`)
  for (const [option, names] of [
    ['--params', request.params],
    ['--data', request.data],
  ] as const) {
    for (const name of names ?? []) {
      if (!variables.includes(name))
        throw new InputError(`${option} ${name}: the program has no variable ${name} (its variables: ${variables.join(', ') || 'none'})`)
    }
  }
  const work = steps * graph.nodes.length
  if (work > LIMITS.maxTrainingWork) {
    const most = Math.floor(LIMITS.maxTrainingWork / graph.nodes.length)
    throw new InputError(
      `--steps ${steps} on a program of ${graph.nodes.length} nodes is ${work} node evaluations, past the limit of ${LIMITS.maxTrainingWork} for one run (about half a minute); ` +
        (most >= 1 ? `this program can take at most ${most} step${most === 1 ? '' : 's'}` : 'this program is too large to train here'),
    )
  }
  const unbound = variables.filter((name) => !Object.hasOwn(values, name))
  if (unbound.length > 0) {
    throw new InputError(
      `training needs a value for every variable: ${unbound.join(', ')} ${unbound.length > 1 ? 'have' : 'has'} none (bind ${unbound.map((v) => `--${v} VALUE`).join(' ')})`,
    )
  }
  const data = request.data ?? []
  const both = (request.params ?? []).filter((name) => data.includes(name))
  if (both.length > 0) throw new InputError(`${both.join(', ')} cannot be both a parameter (--params) and data (--data)`)
  const params = request.params ?? variables.filter((name) => !data.includes(name))
  if (variables.length === 0) throw new InputError('there is nothing to train: the program has no variables')
  if (params.length === 0) throw new InputError('no parameters to train: every variable is data; name them with --params')
  const heldFixed = variables.filter((name) => !params.includes(name))
  return { params, heldFixed }
}

const isFinite = (x: Sym): x is number => isNumber(x) && Number.isFinite(x)
// Every variable is bound in a training run, so a Sym here is a number.
const numeric = (x: Sym) => (isNumber(x) ? x : NaN)
