// What a tensor trace flags, as the scalar trace does (trace.ts): a value that is first NaN or
// infinite from finite inputs, and each rule that is a convention at these values (relu or abs at
// 0, a tie, sqrt at 0, norm at the zero vector), with the entries where it holds. The check reads
// the kinks (a check across one is inconclusive); the faces write each flag as a sentence.
import type { FlagKind } from '../trace.js'
import { formatNumber } from '../format.js'
import { TENSOR_OPS, localAt, type TensorConvention } from './ops.js'
import { OPS, isKinkConvention, type OpId } from '../ops.js'
import { tensor, type Shape } from './tensor.js'
import type { TensorEdge, TensorTrace } from './trace.js'

export interface TensorFlag {
  kind: FlagKind
  /**
   * `value`: the node's value is not finite at `entries`, its inputs finite; `convention`: the edge's
   * rule is `convention` there; `local`: an element-wise rule's local derivative is infinite or NaN there
   * from finite inputs (x .^ 0.5 at 0), as the scalar trace's `local` flag; `select`: the rule passes
   * 0 at `entries` where ḡ is infinite or NaN, because the op selects its branch (relu at -1 under
   * an infinite upstream: 0, not ∞ · 0), as the scalar trace's `select` flag.
   */
  code: 'value' | 'convention' | 'local' | 'select'
  node: number
  edge?: TensorEdge
  convention?: TensorConvention
  /** Row-major offsets into `shape` (the node's value, or the input's for a reduction). */
  shape: Shape
  entries: number[]
}

const finite = (data: Float64Array) => data.every(Number.isFinite)

export function tensorFlags(trace: Pick<TensorTrace, 'nodes' | 'edges' | 'grads'>): TensorFlag[] {
  const { nodes } = trace
  const flags: TensorFlag[] = []
  nodes.forEach((node, i) => {
    // A constant the program computes (1/0, folded when the program is read) is flagged as an operation would be.
    const computed = node.kind === 'op' || (node.kind === 'constant' && node.value!.data.length === 1 && node.label !== formatNumber(node.value!.data[0]!))
    if (!computed || !node.inputs.every((k) => finite(nodes[k]!.value!.data))) return
    const entries: number[] = []
    let nan = false
    node.value!.data.forEach((v, at) => {
      if (Number.isFinite(v)) return
      entries.push(at)
      nan ||= Number.isNaN(v)
    })
    if (entries.length) flags.push({ kind: nan ? 'nan' : 'infinite', code: 'value', node: i, shape: node.value!.shape, entries })
  })
  for (const edge of trace.edges) {
    const consumer = nodes[edge.consumer]!
    const rule = TENSOR_OPS[consumer.op!].inputs(consumer.params)[edge.slot]!
    const found = rule.conventions?.(
      consumer.inputs.map((k) => nodes[k]!.value!),
      consumer.value!,
      consumer.params,
    )
    // An element-wise local derivative infinite at finite operands, unless a convention already says so (sqrt's infinite slope).
    if (consumer.op === 'elementwise' && !found?.size && consumer.inputs.every((k) => finite(nodes[k]!.value!.data))) {
      const out = consumer.value!
      const ones = tensor(out.shape, new Float64Array(out.data.length).fill(1))
      const local = rule.vjp(
        ones,
        consumer.inputs.map((k) => nodes[k]!.value!),
        out,
        consumer.params,
      )
      // Only where the input has the output's shape is each entry one local derivative (a broadcast input sums them).
      if (local.shape.join() === out.shape.join()) {
        const entries = Array.from(local.data.keys()).filter((i) => !Number.isFinite(local.data[i]!))
        const nan = entries.some((i) => Number.isNaN(local.data[i]!))
        if (entries.length) flags.push({ kind: nan ? 'nan' : 'infinite', code: 'local', node: edge.consumer, edge, shape: out.shape, entries })
      }
    }
    const selected = consumer.op === 'elementwise' ? selectedEntries(trace, edge) : []
    if (selected.length) {
      const upstream = trace.grads[edge.consumer]!.data
      const nan = selected.some((i) => Number.isNaN(upstream[i]!))
      flags.push({ kind: nan ? 'nan' : 'infinite', code: 'select', node: edge.consumer, edge, shape: consumer.value!.shape, entries: selected })
    }
    for (const [convention, { shape, entries }] of found ?? []) {
      // A tie of max(a, b) is one fact about the operation, though both of its inputs' rules take the convention.
      if (flags.some((f) => f.node === edge.consumer && f.convention === convention && f.entries.join() === entries.join())) continue
      const kind = isKinkConvention(convention) ? 'non-differentiable' : 'nan'
      flags.push({ kind, code: 'convention', node: edge.consumer, edge, convention, shape, entries })
    }
  }
  return flags
}

/** The output entries where an element-wise op that selects (relu, max, min, pow's mask) gives this input 0 from an infinite or NaN ḡ. */
function selectedEntries(trace: Pick<TensorTrace, 'nodes' | 'grads'>, edge: TensorEdge): number[] {
  const consumer = trace.nodes[edge.consumer]!
  const op = OPS[consumer.params.fn as OpId]
  const g = trace.grads[edge.consumer]
  if (!op.selects || !g || g.data.every(Number.isFinite)) return []
  const out = consumer.value!
  const xs = consumer.inputs.map((k) => trace.nodes[k]!.value!)
  // Each entry's operands: an input is its own entry where it has the output's shape, its one entry where it is a scalar.
  if (!xs.every((x) => x.data.length === 1 || x.shape.join() === out.shape.join())) return []
  const entries: number[] = []
  for (let i = 0; i < out.data.length; i++) {
    if (Number.isFinite(g.data[i]!)) continue
    const args = xs.map((x) => x.data[x.data.length === 1 ? 0 : i]!)
    if (op.selects(args, edge.slot) && localAt(consumer.params.fn as OpId, edge.slot, args) === 0) entries.push(i)
  }
  return entries
}

/**
 * For each entry of `node`'s gradient, the convention flags it rests on. Each flag's entries are
 * marked in the gradient of its edge's input, then carried back through every rule below it: an
 * entry is reached where the rule, applied to weights at the marked entries, is not 0. The weights
 * are distinct positive numbers, so a rule that sums them (softmax's Σ) does not cancel them out.
 */
export function conventionsByEntry(trace: TensorTrace, node: number): TensorFlag[][] {
  const byEntry: TensorFlag[][] = Array.from({ length: trace.nodes[node]!.value!.data.length }, () => [])
  for (const flag of trace.flags) {
    if (flag.code !== 'convention') continue
    reaches(trace, flag, node).forEach((reached, at) => reached && byEntry[at]!.push(flag))
  }
  return byEntry
}

function reaches(trace: TensorTrace, flag: TensorFlag, target: number): boolean[] {
  const { nodes } = trace
  const marked: (boolean[] | undefined)[] = []
  const start = flag.edge!.input
  const shape = nodes[start]!.value!.shape
  const size = nodes[start]!.value!.data.length
  // Flags of element-wise rules name the output's entries: the input's own when the shapes agree, every entry when it is broadcast.
  const own = flag.shape.join() === shape.join()
  marked[start] = Array.from({ length: size }, (_, i) => !own || flag.entries.includes(i))
  for (let n = start; n > target; n--) {
    const mark = marked[n]
    if (!mark?.some(Boolean)) continue
    const weights = tensor(
      nodes[n]!.value!.shape,
      mark.map((m, i) => (m ? 1 + 1 / (i + 2) : 0)),
    )
    for (const edge of trace.edges) {
      if (edge.consumer !== n) continue
      const consumer = nodes[n]!
      const rule = TENSOR_OPS[consumer.op!].inputs(consumer.params)[edge.slot]!
      const through = rule.vjp(
        weights,
        consumer.inputs.map((k) => nodes[k]!.value!),
        consumer.value!,
        consumer.params,
      ).data
      const into = (marked[edge.input] ??= Array.from({ length: through.length }, () => false))
      through.forEach((v, i) => (into[i] ||= v !== 0))
    }
  }
  return marked[target] ?? []
}
