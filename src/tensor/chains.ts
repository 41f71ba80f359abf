// The chains of a tensor trace, as the scalar trace has them: every path from the output down to
// each variable, and what the seed becomes taken through that path's rules alone, in turn (the
// other branches left out). A variable's paths add up to its gradient, as a scalar's products do:
// the rules are linear in ḡ. In a loop each path is labelled by the step of its last rule, so
// W's paths read by time step (backpropagation through time).
import { LIMITS } from '../limits.js'
import { edgeRule, type TensorEdge, type TensorTrace } from './trace.js'
import { tensor, type Tensor } from './tensor.js'

export interface TensorPath {
  /** From the output down: the first edge leaves the output, the last reaches the variable. */
  edges: TensorEdge[]
}

export interface TensorChain {
  node: number
  /** How many paths lead from the output to the node. */
  count: number
  /** Every path, while they are at most LIMITS.chainPaths with at most LIMITS.chainEdges edges in all. */
  paths?: TensorPath[]
}

/** The chains of each gradient the trace lists (its variables, or the --wrt nodes). */
export function tensorChains(trace: TensorTrace): TensorChain[] {
  const down = new Map<number, TensorEdge[]>()
  for (const edge of trace.edges) down.set(edge.consumer, [...(down.get(edge.consumer) ?? []), edge])
  return trace.gradients.map(({ node }) => {
    // Paths from each node down to this one, counted without listing them (they can be exponentially many).
    const count = new Map<number, number>([[node, 1]])
    const paths = (n: number): number => {
      const known = count.get(n)
      if (known !== undefined) return known
      count.set(n, 0)
      const total = (down.get(n) ?? []).reduce((sum, e) => sum + paths(e.input), 0)
      count.set(n, total)
      return total
    }
    const total = paths(trace.output)
    if (total === 0 || total > LIMITS.chainPaths) return { node, count: total }
    const listed: TensorPath[] = []
    const walk = (n: number, edges: TensorEdge[]) => {
      if (n === node) return void listed.push({ edges })
      for (const e of down.get(n) ?? []) if (paths(e.input) > 0) walk(e.input, [...edges, e])
    }
    walk(trace.output, [])
    // In the backward pass's order: by the operation each path last goes through, latest first (t = 3 before t = 2 in a loop).
    listed.sort((a, b) => b.edges[b.edges.length - 1]!.consumer - a.edges[a.edges.length - 1]!.consumer)
    const size = listed.reduce((sum, p) => sum + p.edges.length, 0)
    return size > LIMITS.chainEdges ? { node, count: total } : { node, count: total, paths: listed }
  })
}

/** What a path carries to its node: the seed (ones, shaped like the output) through each of its rules in turn. */
export function pathValue(trace: TensorTrace, path: TensorPath): Tensor {
  const out = trace.nodes[trace.output]!.value!
  let g: Tensor = tensor(out.shape, new Float64Array(out.data.length).fill(1))
  for (const edge of path.edges) g = edgeRule(trace, edge)(g)
  return g
}
