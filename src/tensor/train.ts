// Gradient descent on a tensor program: every parameter moves against its gradient, entry by entry,
// p ← p - η·∂L/∂p, for a number of steps; the data (--data) is held fixed. Each step is a whole
// forward and backward pass over the traced graph (the trace's own values are left as they were).
import { InputError } from '../errors.js'
import { LIMITS } from '../limits.js'
import { backward, forwardValues, type TensorTrace } from './trace.js'
import { size, tensor, type Tensor } from './tensor.js'
import type { TensorGraph } from './graph.js'

export interface TensorTrainingRequest {
  lr: number
  steps: number
  params?: string[]
  data?: string[]
}

export interface TensorTraining {
  lr: number
  params: string[]
  heldFixed: string[]
  /** The loss at the start of each step (before its update), then after the last. */
  losses: number[]
  /** The size of the whole gradient, √(Σ over parameters of every entry squared), at each step. */
  gradNorms: number[]
  /** Each parameter after the last step. */
  final: Map<string, Tensor>
  /** The first step whose loss is larger than the one before, if any. */
  firstRise?: number
  /** Neither --params nor --data was given, so the inputs and targets are trained too. */
  everyVariable?: true
}

/** Multiply-adds of one forward and backward pass, roughly: entries of every value, three times a product's work. */
function passWork(trace: TensorTrace): number {
  let work = 0
  for (const node of trace.nodes) {
    if (node.kind !== 'op') continue
    const [a, b] = node.inputs.map((i) => trace.nodes[i]!.value!)
    work += node.op === 'matmul' ? 3 * size(a!.shape) * (b!.shape.length === 2 ? b!.shape[1]! : 1) : 3 * size(node.value!.shape)
  }
  return work
}

export function trainTensors(trace: TensorTrace, request: TensorTrainingRequest): TensorTraining {
  const variables = trace.gradients.map((g) => g.name)
  for (const [option, names] of [
    ['--params', request.params],
    ['--data', request.data],
  ] as const) {
    for (const name of names ?? [])
      if (!variables.includes(name)) throw new InputError(`${option} ${name}: the program has no variable ${name} (its variables: ${variables.join(', ')})`)
  }
  const data = request.data ?? []
  const both = (request.params ?? []).filter((name) => data.includes(name))
  if (both.length > 0) throw new InputError(`${both.join(', ')} cannot be both a parameter (--params) and data (--data)`)
  const params = request.params ?? variables.filter((name) => !data.includes(name))
  if (params.length === 0) throw new InputError('no parameters to train: every variable is data; name them with --params')
  const work = request.steps * passWork(trace)
  if (work > LIMITS.maxTensorTrainingWork) {
    const most = Math.floor(LIMITS.maxTensorTrainingWork / passWork(trace))
    throw new InputError(
      `--steps ${request.steps} on this program is about ${work.toExponential(1)} multiply-adds, past the limit of ${LIMITS.maxTensorTrainingWork.toExponential(0)} for one run (about 10 s); ` +
        (most >= 1 ? `it can take at most ${most} step${most === 1 ? '' : 's'}` : 'it is too large to train here'),
    )
  }
  // A copy of the graph whose parameters move; the trace keeps the values it was traced at.
  const graph: TensorGraph = { ...trace, nodes: trace.nodes.map((n) => ({ ...n })) }
  const index = new Map(trace.gradients.map((g) => [g.name, g.node]))
  const losses: number[] = []
  const gradNorms: number[] = []
  for (let step = 1; step <= request.steps; step++) {
    forwardValues(graph)
    losses.push(graph.nodes[graph.output]!.value!.data[0]!)
    const { grads } = backward(graph)
    let squares = 0
    for (const name of params) {
      const node = graph.nodes[index.get(name)!]!
      const p = node.value!
      const g = grads[index.get(name)!] ?? tensor(p.shape)
      const next = new Float64Array(p.data.length)
      for (let i = 0; i < next.length; i++) {
        next[i] = p.data[i]! - request.lr * g.data[i]!
        squares += g.data[i]! * g.data[i]!
      }
      node.value = tensor(p.shape, next)
    }
    gradNorms.push(Math.sqrt(squares))
  }
  forwardValues(graph)
  losses.push(graph.nodes[graph.output]!.value!.data[0]!)
  const rise = losses.findIndex((loss, k) => k > 0 && loss > losses[k - 1]!)
  return {
    lr: request.lr,
    params,
    heldFixed: variables.filter((name) => !params.includes(name)),
    losses,
    gradNorms,
    final: new Map(params.map((name) => [name, graph.nodes[index.get(name)!]!.value!])),
    ...(rise > 0 ? { firstRise: rise } : {}),
    ...(request.params === undefined && request.data === undefined && variables.length > 1 ? { everyVariable: true as const } : {}),
  }
}
