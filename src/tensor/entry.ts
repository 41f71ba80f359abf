// One entry of a tensor gradient, scalar by scalar: the bridge from a matrix rule (∂L/∂W = ḡ·xᵀ)
// to the chain rule a student already knows (∂L/∂W[1, 2] = ∂L/∂t1[1] · x[2]). Each term is an
// entry of the upstream times one partial derivative of the operation, ∂t1[1]/∂W[1, 2], found by
// applying the operation's rule to an upstream that is 1 at one entry and 0 elsewhere.
import { InputError } from '../errors.js'
import { OPS } from '../ops.js'
import { localText } from './ops.js'
import { broadcastIndex, indexOf, offsetOf, shapeText, tensor, type Shape, type Tensor } from './tensor.js'
import type { TensorNode } from './graph.js'
import { edgeRule, type TensorEdge, type TensorTrace } from './trace.js'

/** Terms listed per edge; the rest are counted. */
export const SHOWN_TERMS = 6
/** Output entries × rule cost up to which the partial derivatives are found one by one. */
const ENTRY_WORK = 2_000_000

export interface EntryTerm {
  /** The operation's output entry the term goes through. */
  at: number[]
  upstream: number
  /** ∂out[at]/∂input[entry]. */
  local: number
  /** The partial derivative in the operands' entries, where the op has a plain one (x[2], 1 - tanh(z[1])²). */
  localText?: string
}

export interface EntryPart {
  edge: TensorEdge
  /** Every nonzero term, or undefined where there were too many to find one by one. */
  terms?: EntryTerm[]
  /** This edge's share of the entry's gradient: the entry of its contribution. */
  value: number
}

export interface EntryChain {
  node: number
  index: number[]
  parts: EntryPart[]
  grad: number
}

/** "W[1,2]", "x[3]", "b" (a scalar) → node and 0-based index; InputError naming what is wrong. */
export function parseEntry(trace: TensorTrace, text: string): { node: number; index: number[] } {
  const entry = parseIndex(trace, text, '--entry')
  const name = trace.nodes[entry.node]!.label
  if (trace.grads[entry.node] === undefined) throw new InputError(`--entry ${text}: ${name} does not reach the output, so it has no gradient`)
  return entry
}

/** One entry of a node written as NAME[i, j] (1-based; a scalar by its name alone), for the option that names it. */
export function parseIndex(trace: TensorTrace, text: string, option: string): { node: number; index: number[] } {
  return indexIn(
    trace.nodes.map((n) => ({ label: n.label, kind: n.kind, shape: n.value!.shape })),
    trace.gradients.map((g) => g.name),
    text,
    option,
  )
}

/** The same over any nodes with shapes (a symbolic trace's too); `variables` are named where the node is unknown. */
export function indexIn(
  nodes: { label: string; kind: string; shape: Shape }[],
  variables: string[],
  text: string,
  option: string,
): { node: number; index: number[] } {
  const match = /^\s*([\p{L}_$][\p{L}\p{N}_$#]*)\s*(?:\[\s*(\d+)\s*(?:,\s*(\d+)\s*)?\])?\s*$/u.exec(text)
  if (!match) throw new InputError(`${option} ${text}: expected a name and 1-based indexes, as in W[1, 2] or x[3]`)
  const node = nodes.findIndex((n) => n.label === match[1] && n.kind !== 'constant')
  if (node < 0) throw new InputError(`${option} ${text}: the program has no node ${match[1]} (its variables: ${variables.join(', ')})`)
  const shape = nodes[node]!.shape
  const index = [match[2], match[3]].filter((x) => x !== undefined).map((x) => Number(x) - 1)
  if (index.length !== shape.length)
    throw new InputError(
      `${option} ${text}: ${match[1]} is ${shape.length === 0 ? 'a scalar: name it without brackets' : shape.length === 1 ? `a vector of ${shape[0]} entries, so it takes 1 index` : `a ${shapeText(shape)} matrix, so it takes 2 indexes`}`,
    )
  const bad = index.findIndex((i, k) => i < 0 || i >= shape[k]!)
  if (bad >= 0) throw new InputError(`${option} ${text}: index ${index[bad]! + 1} is outside 1 to ${shape[bad]}`)
  return { node, index }
}

/** The entry's gradient as the sum over every edge into its node of upstream entries times partials. */
export function entryChain(trace: TensorTrace, node: number, index: number[]): EntryChain {
  const { nodes } = trace
  const shape = nodes[node]!.value!.shape
  const at = offsetOf(shape, index)
  const parts = trace.edges
    .filter((edge) => edge.input === node)
    .map((edge): EntryPart => {
      const consumer = nodes[edge.consumer]!
      const out = consumer.value!
      const g = trace.grads[edge.consumer]!
      const xs = consumer.inputs.map((i) => nodes[i]!.value!)
      const value = edge.contribution.data[at]!
      const size = out.data.length
      if (
        size *
          Math.max(
            1,
            xs.reduce((n, x) => n + x.data.length, 0),
          ) >
        ENTRY_WORK
      )
        return { edge, value }
      const rule = edgeRule(trace, edge)
      const terms: EntryTerm[] = []
      // An entry-by-entry op's output entry depends on its own input entry alone: every other
      // partial is 0 by structure, even where the rule's ḡ ⊙ f′ would read 0 · ∞ = NaN.
      const source = consumer.op === 'elementwise' ? broadcastIndex(xs[edge.slot]!.shape, out.shape) : undefined
      for (let o = 0; o < size; o++) {
        if (source && source[o] !== at) continue
        const unit = tensor(out.shape)
        unit.data[o] = 1
        const local = rule(unit).data[at]!
        // A zero partial adds nothing, unless what arrives is ∞ or NaN: then it is the term that decides.
        // An entry-by-entry op's own term is shown even at 0 (relu's blocked side, abs at its kink): it is the step.
        if (local === 0 && Number.isFinite(g.data[o]!) && !source) continue
        const outIndex = indexOf(out.shape, o)
        const text = partialText(trace, edge, outIndex, index)
        terms.push({ at: outIndex, upstream: g.data[o]!, local, ...(text !== undefined ? { localText: text } : {}) })
      }
      return { edge, terms, value }
    })
  return { node, index, parts, grad: trace.grads[node]!.data[at]! }
}

const entryText = (label: string, index: number[]) => (index.length === 0 ? label : `${label}[${index.map((i) => i + 1).join(', ')}]`)

/** The partial derivative in the operands' entries, for the ops where it is a plain expression. */
function partialText(trace: TensorTrace, edge: TensorEdge, at: number[], index: number[]): string | undefined {
  const consumer = trace.nodes[edge.consumer]!
  const operands = consumer.inputs.map((i) => trace.nodes[i]!)
  const out = consumer.value!.shape
  switch (consumer.op) {
    case 'matmul':
      return matmulPartial(edge, operands, out, at, index)
    case 'elementwise': {
      const fn = consumer.params.fn!
      if (OPS[fn].inputs.length > 2) return undefined
      const flat = offsetOf(out, at)
      const labels = operands.map((o) => {
        const read = broadcastIndex(o.value!.shape, out)[flat]!
        return o.kind === 'constant'
          ? { label: o.label, shape: o.value!.shape, constant: o.value!.data[read]! }
          : { label: entryText(o.label, indexOf(o.value!.shape, read)), shape: [] as number[] }
      })
      return localText(fn, edge.slot, labels).text
    }
    case 'sum':
    case 'transpose':
    case 'entry':
    case 'slice':
    case 'flip':
      return '1'
    case 'mean': {
      const dim = consumer.params.dim
      const n = dim === undefined ? operands[0]!.value!.data.length : operands[0]!.value!.shape[dim]!
      return `1/${n}`
    }
    case 'dot':
      return entryText(operands[1 - edge.slot]!.label, index)
    case 'conv1d':
    case 'conv2d':
      return convPartial(consumer, edge, operands, at, index)
    case 'maxpool1d':
    case 'maxpool2d':
      return '1'
    case 'maxall':
    case 'minall':
    case 'softmax':
    case 'logsumexp':
    case 'norm':
      // Each partial depends on every entry at once (a tie, a normalizer): the number alone is shown.
      return undefined
    default:
      // Every op has its case: a new one fails to compile here until it says its partial.
      return consumer.op satisfies undefined
  }
}

/** A matrix product's partial: out[i, j] = Σ_p A[i, p]·B[p, j], so ∂/∂A[i, p] is B[p, j] and ∂/∂B[p, j] is A[i, p]. */
function matmulPartial(edge: TensorEdge, operands: TensorNode[], out: Shape, at: number[], index: number[]): string {
  // out[i, j] = Σ_p A[i, p]·B[p, j]: ∂/∂A[i, p] is B[p, j], ∂/∂B[p, j] is A[i, p].
  const [a, b] = operands as [(typeof operands)[0], (typeof operands)[0]]
  const aShape = a.value!.shape
  const bShape = b.value!.shape
  if (edge.slot === 0) {
    const p = index[index.length - 1]!
    const j = bShape.length === 2 ? [out.length === 2 ? at[1]! : at[0]!] : []
    return entryText(b.label, [p, ...j])
  }
  const p = index[0]!
  const i = aShape.length === 2 ? [at[0]!] : []
  return entryText(a.label, [...i, p])
}

/** A convolution's partial: out[i, j] = Σ_ab X[i·s + a - p, j·s + b - p]·K[a, b], so a kernel entry's is the input entry it met, and back. */
function convPartial(consumer: TensorNode, edge: TensorEdge, operands: TensorNode[], at: number[], index: number[]): string {
  // out[i, j] = Σ_ab X[i·s + a - p, j·s + b - p]·K[a, b]: a kernel entry's partial is the input entry it met, and back.
  const s = consumer.params.stride ?? 1
  const p = consumer.params.padding ?? 0
  const two = consumer.op === 'conv2d'
  const [i, j] = two ? [at[0]!, at[1]!] : [0, at[0]!]
  const [r, c] = two ? [index[0]!, index[1]!] : [0, index[0]!]
  const pr = two ? p : 0
  const other = operands[1 - edge.slot]!
  const spot = edge.slot === 1 ? [i * s + r - pr, j * s + c - p] : [r + pr - i * s, c + p - j * s]
  return entryText(other.label, two ? spot : [spot[1]!])
}

/** A Jacobian is printed in full up to as many rows and columns as a value is (no ellipsis). */
const JACOBIAN = { rows: 6, cols: 5 }

/**
 * The local Jacobian of an edge, ∂out/∂input as a matrix (a row per output entry, a column per
 * input entry), when it is small enough to print; found by applying the rule to one-hot upstreams.
 */
export function jacobianOf(trace: TensorTrace, edge: TensorEdge): Tensor | undefined {
  const consumer = trace.nodes[edge.consumer]!
  const outSize = consumer.value!.data.length
  const inSize = trace.nodes[edge.input]!.value!.data.length
  if (outSize > JACOBIAN.rows || inSize > JACOBIAN.cols || outSize * inSize <= 1) return undefined
  const rule = edgeRule(trace, edge)
  const jacobian = tensor([outSize, inSize])
  // Off its diagonal an entry-by-entry op's Jacobian is 0 by structure (not the 0 · ∞ its rule would read).
  const source = consumer.op === 'elementwise' ? broadcastIndex(trace.nodes[edge.input]!.value!.shape, consumer.value!.shape) : undefined
  for (let o = 0; o < outSize; o++) {
    const unit = tensor(consumer.value!.shape)
    unit.data[o] = 1
    const row = rule(unit).data
    if (source) for (let i = 0; i < inSize; i++) if (source[o] !== i) row[i] = 0
    jacobian.data.set(row, o * inSize)
  }
  return jacobian
}

/** A matrix product's or convolution's gradient opens entry by entry on the page up to this many entries. */
export const OPENED_ENTRIES = 64

/** Where one entry's gradient is a sum the rule hides: each entry of a matrix product's operand, each kernel weight's positions. */
const OPENED_OPS = new Set(['matmul', 'conv1d', 'conv2d'])

/** The page's openable entries: for each small gradient through a matrix product or a convolution, every entry's chain, row by row. */
export function productEntries(trace: TensorTrace): Map<TensorEdge, EntryChain[]> {
  const opened = new Map<TensorEdge, EntryChain[]>()
  for (const edge of trace.edges) {
    const t = edge.contribution
    if (!OPENED_OPS.has(trace.nodes[edge.consumer]!.op!) || t.data.length > OPENED_ENTRIES || t.data.length < 2) continue
    opened.set(
      edge,
      Array.from(t.data, (_, at) => entryChain(trace, edge.input, indexOf(t.shape, at))),
    )
  }
  return opened
}
