// --mode forward / both on a tensor program: forward-mode differentiation as Jacobian-vector
// products. A pass seeds one variable's tangent ẋ with a direction (one entry, or a tensor the user
// chose) and every other input 0; each node's tangent is the sum over its inputs of the op's rule
// applied to that input's tangent (Ẇ·x + W·ẋ), so the output's tangent is the derivative of L along
// the direction: Σ ∂L/∂x ⊙ ẋ, which the backward pass gives for every direction at once. The whole
// gradient by forward mode takes one pass per entry; its cost is counted, not run.
import { InputError } from '../errors.js'
import { LIMITS } from '../limits.js'
import { TENSOR_OPS, ruleWork } from './ops.js'
import { offsetOf, shapeText, size, tensor, type Tensor } from './tensor.js'
import { parseIndex } from './entry.js'
import type { TensorTrace } from './trace.js'
import type { TensorNode } from './graph.js'

/** The multiply-adds of node's rule for the input in `slot`. */
const work = (node: TensorNode, nodes: TensorNode[], slot: number) =>
  ruleWork(
    node.op!,
    node.inputs.map((k) => nodes[k]!.value!.shape),
    node.value!.shape,
    slot,
  )

export interface TensorDirection {
  variable: string
  node: number
  /** ẋ, shaped like the variable. */
  seed: Tensor
  /** The entry moved alone (0-based), when the direction is one entry. */
  entry?: number[]
  /** Where a chosen direction came from, as written ("randn(2, 2)", "u.csv"). */
  from?: string
}

export interface TensorTangentRow {
  node: number
  /** The argument positions whose input carries a tangent, in order. */
  slots: number[]
  /** The rules applied to those tangents, summed: "Ẇ·x + W·ẋ" (tangents marked ⟪…⟫, words ‹…›). */
  formula: string
  tangent: Tensor
  /** The tangent is the backward pass's product, not the rule's (∞ or NaN met 0 on the way). */
  backwardOrder?: true
}

export interface TensorTangentPass {
  direction: TensorDirection
  /** The nodes the variable reaches, in order, each with its tangent. */
  rows: TensorTangentRow[]
  /** The output's tangent: the derivative of the output along the direction. */
  result: number
  /** Σ ∂L/∂x ⊙ ẋ from the backward pass's gradient, which `result` must equal. */
  reverse: number
  agrees: boolean
  /** Multiply-adds this pass took (a matrix product m·k·n, any other rule one per entry). */
  operations: number
}

export interface TensorForwardMode {
  passes: TensorTangentPass[]
  /** The whole gradient of the chosen variables by forward mode: one pass per entry. */
  forward: { passes: number; operations: number }
  /** One backward pass gives every entry: its multiply-adds, counted the same way. */
  reverse: { passes: number; operations: number }
  /** The variables the costs are for, with their entry counts. */
  variables: { name: string; entries: number }[]
}

/** The default directions: for each chosen variable (every one without --wrt), its first entry alone. */
export function firstEntries(trace: TensorTrace, wrt?: string[]): TensorDirection[] {
  return trace.gradients
    .filter((g) => !wrt || wrt.includes(g.name))
    .map(({ name, node }) => {
      const shape = trace.nodes[node]!.value!.shape
      const seed = tensor(shape)
      seed.data[0] = 1
      return { variable: name, node, seed, entry: shape.map(() => 0) }
    })
}

/** A value read as the CLI reads --NAME VALUE (a literal, a generator, @file). */
export type ReadDirection = (option: string, raw: string) => Promise<{ value: Tensor; from: string }>

/**
 * The directions --tangent asks for, each NAME=VALUE (a tensor shaped like the variable NAME) or
 * one entry NAME[i, j]; without any, the first entries of the chosen variables.
 */
export async function tangentDirections(trace: TensorTrace, specs: string[], read: ReadDirection, wrt?: string[]): Promise<TensorDirection[]> {
  if (specs.length === 0) return firstEntries(trace, wrt)
  const directions: TensorDirection[] = []
  for (const spec of specs) {
    const assigned = /^\s*([^=[\s]+)\s*=(.*)$/su.exec(spec)
    const name = assigned ? assigned[1]! : spec.trim().replace(/\s*\[.*$/s, '')
    const node = trace.gradients.find((g) => g.name === name)?.node
    if (node === undefined) {
      const computed = trace.nodes.some((n) => n.kind === 'op' && n.label === name)
      throw new InputError(
        `--tangent ${spec}: ${computed ? `${name} is computed by the program; a direction is given to a variable` : `the program has no variable ${name}`} (its variables: ${trace.gradients.map((g) => g.name).join(', ')})`,
      )
    }
    const shape = trace.nodes[node]!.value!.shape
    if (assigned) {
      const { value, from } = await read(`tangent ${name}=`, assigned[2]!)
      if (value.shape.length !== shape.length || value.shape.some((n, k) => n !== shape[k]))
        throw new InputError(
          `--tangent ${spec}: ${name} ${shapeWords(shape)} and the direction ${shapeWords(value.shape)}; a direction is shaped like its variable`,
        )
      directions.push({ variable: name, node, seed: value, from })
    } else {
      const { index } = parseIndex(trace, spec, '--tangent')
      const seed = tensor(shape)
      seed.data[offsetOf(shape, index)] = 1
      directions.push({ variable: name, node, seed, entry: index })
    }
  }
  return directions
}

/** A shape in a sentence: "is a scalar", "has 3 entries", "is 2×3". */
const shapeWords = (shape: readonly number[]) =>
  shape.length === 0 ? 'is a scalar' : shape.length === 1 ? `has ${shape[0]} ${shape[0] === 1 ? 'entry' : 'entries'}` : `is ${shapeText(shape)}`

/** One tangent pass per direction, and what the whole gradient of the chosen variables (default all) costs each way. */
export function tensorForwardMode(trace: TensorTrace, directions: TensorDirection[], wrt?: string[]): TensorForwardMode {
  const { nodes } = trace
  const passWork = (v: number) => {
    const reached = nodes.map((_, i) => i === v)
    let total = 0
    for (let i = v + 1; i < nodes.length; i++)
      nodes[i]!.inputs.forEach((k, slot) => {
        if (!reached[k]) return
        reached[i] = true
        total += work(nodes[i]!, nodes, slot)
      })
    return total
  }
  const shown = directions.reduce((sum, d) => sum + passWork(d.node), 0)
  if (shown > LIMITS.maxTensorForwardWork)
    throw new InputError(
      `forward mode along ${directions.length} ${directions.length === 1 ? 'direction' : 'directions'} takes ${shown} multiply-adds, past the limit of ${LIMITS.maxTensorForwardWork}; choose fewer variables with --wrt`,
    )
  const variables = trace.gradients.filter((g) => !wrt || wrt.includes(g.name))
  const leadsTo: boolean[] = []
  nodes.forEach((node, i) => (leadsTo[i] = variables.some((g) => g.node === i) || node.inputs.some((k) => leadsTo[k])))
  return {
    passes: directions.map((d) => tangentPass(trace, d)),
    forward: {
      passes: variables.reduce((n, g) => n + size(g.grad.shape), 0),
      operations: variables.reduce((n, g) => n + size(g.grad.shape) * passWork(g.node), 0),
    },
    // The backward pass these variables need: the edges whose input leads down to one of them.
    reverse: { passes: 1, operations: trace.edges.reduce((n, e) => n + (leadsTo[e.input] ? work(nodes[e.consumer]!, nodes, e.slot) : 0), 0) },
    variables: variables.map((g) => ({ name: g.name, entries: size(g.grad.shape) })),
  }
}

const finite = (t: Tensor) => t.data.every(Number.isFinite)

/** Past this many entries a tangent is left as its rule gives it: the backward pass's order takes one sweep per entry. */
const BACKWARD_ORDER_ENTRIES = 256

/**
 * The tangent of node `top` as the backward pass multiplies the chain: for each of its entries,
 * the backward pass seeded 1 there and run down to the direction's variable (the same rules, in the
 * same order, with their selections: relu's mask gives 0 even against ∞), then dotted with the seed.
 */
function backwardOrder(trace: TensorTrace, top: number, direction: TensorDirection, depends: Map<number, Tensor>): Tensor {
  const { nodes } = trace
  const out = tensor(nodes[top]!.value!.shape)
  for (let j = 0; j < out.data.length; j++) {
    const grads = new Map<number, Tensor>([[top, tensor(out.shape)]])
    grads.get(top)!.data[j] = 1
    for (let i = top; i > direction.node; i--) {
      const g = grads.get(i)
      const node = nodes[i]!
      if (!g || node.kind !== 'op') continue
      const rules = TENSOR_OPS[node.op!].inputs(node.params)
      const xs = node.inputs.map((k) => nodes[k]!.value!)
      node.inputs.forEach((input, slot) => {
        if (!depends.has(input)) return
        const contribution = rules[slot]!.vjp(g, xs, node.value!, node.params)
        const sum = grads.get(input)
        if (!sum) grads.set(input, tensor(contribution.shape, contribution.data.slice()))
        else for (let e = 0; e < sum.data.length; e++) sum.data[e]! += contribution.data[e]!
      })
    }
    const grad = grads.get(direction.node)
    let dot = 0
    direction.seed.data.forEach((seed, e) => {
      if (seed !== 0 && grad) dot += grad.data[e]! * seed
    })
    out.data[j] = dot
  }
  return out
}

/** Terms added, a negative one written as a difference: ṫ3 - ṫ5, not ṫ3 + -ṫ5. */
const sumOf = (terms: string[]) =>
  terms.reduce((text, term, k) => (k === 0 ? term : term.startsWith('-') ? `${text} - ${term.slice(1)}` : `${text} + ${term}`), '')

function tangentPass(trace: TensorTrace, direction: TensorDirection): TensorTangentPass {
  const { nodes } = trace
  const tangents = new Map<number, Tensor>([[direction.node, direction.seed]])
  const rows: TensorTangentRow[] = []
  let operations = 0
  for (let i = direction.node + 1; i < nodes.length; i++) {
    const node = nodes[i]!
    const slots = node.inputs.flatMap((k, slot) => (tangents.has(k) ? [slot] : []))
    if (slots.length === 0) continue
    const rules = TENSOR_OPS[node.op!].inputs(node.params)
    const xs = node.inputs.map((k) => nodes[k]!.value!)
    const operands = node.inputs.map((k, slot) => ({ label: nodes[k]!.label, shape: xs[slot]!.shape }))
    const sum = tensor(node.value!.shape)
    for (const slot of slots) {
      const part = rules[slot]!.jvp(tangents.get(node.inputs[slot]!)!, xs, node.value!, node.params)
      for (let e = 0; e < sum.data.length; e++) sum.data[e]! += part.data[e]!
      operations += work(node, nodes, slot)
    }
    const formula = sumOf(slots.map((slot) => rules[slot]!.tangentFormula(operands, node.value!.shape, node.params)))
    // Where ∞ or NaN meets 0, the order the chain is multiplied in decides the number: take it as the backward pass does.
    const indeterminate = !finite(sum) || slots.some((slot) => !finite(tangents.get(node.inputs[slot]!)!))
    const taken = indeterminate && sum.data.length <= BACKWARD_ORDER_ENTRIES ? backwardOrder(trace, i, direction, tangents) : undefined
    // Marked only where the backward pass's order gives another number than the rule.
    const ordered = taken && taken.data.some((v, e) => !Object.is(v, sum.data[e]) && !(Number.isNaN(v) && Number.isNaN(sum.data[e]!))) ? taken : undefined
    tangents.set(i, ordered ?? sum)
    rows.push({ node: i, slots, formula, tangent: ordered ?? sum, ...(ordered ? { backwardOrder: true } : {}) })
  }
  const result = tangents.get(trace.output)?.data[0] ?? 0
  const grad = trace.gradients.find((g) => g.node === direction.node)!.grad
  let reverse = 0
  let magnitude = 0
  for (let e = 0; e < grad.data.length; e++) {
    const seed = direction.seed.data[e]!
    if (seed === 0) continue
    reverse += grad.data[e]! * seed
    magnitude += Math.abs(grad.data[e]! * seed)
  }
  // The two modes add the same terms in different orders: equal to rounding, at the terms' own size.
  const agrees = Object.is(result, reverse) || Math.abs(result - reverse) <= 1e-9 * Math.max(1, magnitude) || (Number.isNaN(result) && Number.isNaN(reverse))
  return { direction, rows, result, reverse, agrees, operations }
}
