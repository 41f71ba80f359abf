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
