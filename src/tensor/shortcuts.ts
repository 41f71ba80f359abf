// The softmax-with-cross-entropy shortcut, named where it applies: the gradient of the scores z
// through softmax and -y·log(p) (or through logsumexp(z) - y·z) comes out as k·(p - y). Recognized by
// the program's shape and then confirmed on the numbers, so it is never claimed where y does not
// sum to 1 or the loss is something else.
import { formatNumber } from '../format.js'
import { softmaxData } from './ops.js'
import type { TensorEdge, TensorTrace } from './trace.js'

/** Sentences for the trace, one per softmax (or logsumexp) whose gradient is k·(p - y). */
export function softmaxShortcuts(trace: TensorTrace): string[] {
  const { nodes } = trace
  const out = nodes[trace.output]!.label
  const consumers = (i: number) => nodes.flatMap((n, k) => (n.inputs.includes(i) ? [k] : []))
  const isFn = (k: number, fn: string) => nodes[k]!.op === 'elementwise' && nodes[k]!.params.fn === fn
  const sentences: string[] = []
  nodes.forEach((node, s) => {
    if (node.op !== 'softmax' && node.op !== 'logsumexp') return
    const z = node.inputs[0]!
    // softmax: z → p → log(p) → y .* log(p); logsumexp: z → logsumexp(z) and z → y .* z.
    const mul =
      node.op === 'softmax'
        ? consumers(s)
            .filter((k) => isFn(k, 'log'))
            .flatMap((k) => consumers(k).filter((m) => isFn(m, 'mul')))
        : consumers(z).filter((m) => isFn(m, 'mul'))
    if (mul.length !== 1) return
    const m = nodes[mul[0]!]!
    const y = m.inputs.find((i) => (node.op === 'softmax' ? !isFn(i, 'log') : i !== z))
    if (y === undefined || nodes[y]!.value!.shape.join() !== node.inputs.map((i) => nodes[i]!.value!.shape.join())[0]) return
    const edges = trace.edges.filter((e: TensorEdge) => e.input === z && (e.consumer === s || (node.op === 'logsumexp' && e.consumer === mul[0])))
    if (edges.length === 0) return
    const g = new Float64Array(nodes[z]!.value!.data.length)
    for (const e of edges) for (let i = 0; i < g.length; i++) g[i]! += e.contribution.data[i]!
    const p = node.op === 'softmax' ? node.value!.data : softmaxData(nodes[z]!.value!, node.params.dim ?? (nodes[z]!.value!.shape.length === 1 ? 0 : undefined))
    const yv = nodes[y]!.value!.data
    let at = 0
    for (let i = 1; i < g.length; i++) if (Math.abs(p[i]! - yv[i]!) > Math.abs(p[at]! - yv[at]!)) at = i
    const d = p[at]! - yv[at]!
    if (d === 0) return
    const k = g[at]! / d
    const largest = Math.max(...Array.from(g, Math.abs))
    for (let i = 0; i < g.length; i++) if (Math.abs(g[i]! - k * (p[i]! - yv[i]!)) > 1e-9 * largest + 1e-300) return
    // A mean over a batch of n gives (p - y)/n: written as the fraction it is.
    const n = 1 / k
    const scaled = (text: string) =>
      Math.abs(k - 1) < 1e-12
        ? text
        : Number.isInteger(Math.round(n)) && Math.abs(n - Math.round(n)) < 1e-9
          ? `${text}/${Math.round(n)}`
          : `${formatNumber(k, 6)}·${text}`
    const zLabel = nodes[z]!.label
    const pName = `softmax(${zLabel}${node.params.dim === undefined ? '' : `, ${node.params.dim + 1}`})`
    sentences.push(
      `∂${out}/∂${zLabel} = ${scaled(`(p - ${nodes[y]!.label})`)} with p = ${pName}: the softmax-with-cross-entropy shortcut, which holds because ${nodes[y]!.label} sums to 1 ${nodes[z]!.value!.shape.length === 2 ? 'along each row' : ''}; the rows above reach the same numbers the long way`.replace(
        ' ;',
        ';',
      ),
    )
  })
  return sentences
}

/**
 * Batch and layer normalization written from their definitions: where a node Xh of a variable X's
 * shape is X standardized along an axis (columns for a batch, rows for a layer), Xh = (X - μ)/σ
 * with μ and σ per lane, ∂L/∂X has the closed form
 *   (N·∂L/∂Xh - Σ ∂L/∂Xh - Xh ⊙ Σ(∂L/∂Xh ⊙ Xh)) / (N·σ), sums along the lane,
 * named where the trace's own ∂L/∂X agrees with it entry by entry (X used only through Xh's making).
 */
export function normalizationShortcuts(trace: TensorTrace): string[] {
  const { nodes } = trace
  const out = nodes[trace.output]!.label
  const sentences: string[] = []
  for (const g of trace.gradients) {
    const x = nodes[g.node]!.value!
    if (x.shape.length !== 2) continue
    const [rows, cols] = x.shape as [number, number]
    for (let z = g.node + 1; z < nodes.length; z++) {
      const node = nodes[z]!
      const dz = trace.grads[z]
      if (node.kind !== 'op' || !dz || node.value!.shape.join() !== x.shape.join()) continue
      for (const axis of [0, 1] as const) {
        const n = axis === 0 ? rows : cols
        const lanes = axis === 0 ? cols : rows
        if (n < 2) continue
        const at = (lane: number, k: number) => (axis === 0 ? k * cols + lane : lane * cols + k)
        let fits = true
        const closed = new Float64Array(x.data.length)
        let withEpsilon = false
        for (let lane = 0; lane < lanes && fits; lane++) {
          let mean = 0
          for (let k = 0; k < n; k++) mean += x.data[at(lane, k)]! / n
          // σ from the lane itself: Xh·σ = X - μ must hold at every entry, the mean of Xh be 0.
          let sigma = 0
          let zMean = 0
          for (let k = 0; k < n; k++) {
            const v = node.value!.data[at(lane, k)]!
            zMean += v / n
            if (Math.abs(v) > Math.abs(sigma === 0 ? 0 : 1e-300)) sigma = Math.max(sigma, (x.data[at(lane, k)]! - mean) / v)
          }
          if (!(sigma > 0) || Math.abs(zMean) > 1e-9) fits = false
          // σ above the lane's own standard deviation is sqrt(var + ε): say "ε included" only then.
          let variance = 0
          for (let k = 0; k < n; k++) variance += (x.data[at(lane, k)]! - mean) ** 2 / n
          if (sigma > Math.sqrt(variance) * (1 + 1e-9)) withEpsilon = true
          let sumG = 0
          let sumGZ = 0
          for (let k = 0; k < n && fits; k++) {
            const i = at(lane, k)
            if (Math.abs(node.value!.data[i]! * sigma - (x.data[i]! - mean)) > 1e-9 * Math.max(1, Math.abs(x.data[i]!))) fits = false
            sumG += dz.data[i]!
            sumGZ += dz.data[i]! * node.value!.data[i]!
          }
          for (let k = 0; k < n && fits; k++) {
            const i = at(lane, k)
            closed[i] = (n * dz.data[i]! - sumG - node.value!.data[i]! * sumGZ) / (n * sigma)
          }
        }
        if (!fits) continue
        let largest = 0
        for (const v of g.grad.data) largest = Math.max(largest, Math.abs(v))
        if (largest === 0 || !g.grad.data.every((v, i) => Math.abs(v - closed[i]!) <= 1e-9 * largest)) continue
        const h = node.label
        const sum = axis === 0 ? 'sums down each column' : 'sums along each row'
        sentences.push(
          `∂${out}/∂${g.name} = (${n}·∂${out}/∂${h} - Σ ∂${out}/∂${h} - ${h} ⊙ Σ(∂${out}/∂${h} ⊙ ${h})) / (${n}·σ), ${sum}, with σ the ${axis === 0 ? 'column' : 'row'}'s standard deviation${withEpsilon ? ' (ε included)' : ''}: the closed form of ${axis === 0 ? 'batch' : 'layer'} normalization, which the numbers above confirm entry by entry`,
        )
      }
    }
  }
  return sentences
}
