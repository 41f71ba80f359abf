// What several renderers need from a Trace and compute the same way: which statements to show,
// spelled out, and which nodes a --wrt selection keeps.
import type { Sym } from '../sym.js'
import { operandSym, type Trace, type TraceEdge } from '../trace.js'

/** Tree nodes spelled out per statement in a header; deeper parts are shown by their labels. */
const HEADER_SIZE = 40

/** Terms written out in a sum of contributions or paths; longer sums are summarized. */
export const SUM_TERMS = 6

/** Lines per written piece of a big output: big enough to write efficiently, small enough to be collected young. */
export const CHUNK_LINES = 512

/** A renderer's pieces as one string: the same bytes the CLI writes piece by piece. */
export function joined(pieces: Iterable<string>): string {
  let text = ''
  for (const piece of pieces) text += piece
  return text
}

/** For x*x, which uses x twice, the argument an edge stands for (1 or 2); undefined otherwise. */
export function repeatedArgument(trace: Trace, edge: TraceEdge): number | undefined {
  const uses = trace.nodes[edge.to]!.inputs.filter((j) => j === edge.from).length
  return uses > 1 ? edge.slot + 1 : undefined
}

/** Nodes that are statements: assigned a name, or the output. */
export function statementNodes(trace: Trace): number[] {
  return trace.nodes.flatMap((node, i) => (node.kind === 'op' && (node.assigned || i === trace.output) ? [i] : []))
}

/** The statement rooted at node i as one expression, unnamed inner operations spelled out. */
export function expand(trace: Trace, root: number): Sym {
  let budget = HEADER_SIZE
  const build = (i: number, top: boolean): Sym => {
    const node = trace.nodes[i]!
    if (node.kind !== 'op' || (!top && (node.assigned || budget <= 0))) {
      return operandSym(node)
    }
    budget--
    if (node.op === 'identity') return build(node.inputs[0]!, false)
    return { op: node.op!, args: node.inputs.map((j) => build(j, false)) }
  }
  return build(root, true)
}

/** Which nodes depend on a --wrt variable (all nodes when there is no --wrt). */
export function reachesVariables(trace: Trace, wrt: Set<string> | undefined): boolean[] {
  if (!wrt) return trace.nodes.map(() => true)
  const reaches: boolean[] = []
  trace.nodes.forEach((node, i) => {
    reaches[i] = node.kind === 'variable' ? wrt.has(node.id) : node.inputs.some((j) => reaches[j])
  })
  return reaches
}

/** One row of the backward pass as shown: an edge's contribution, or the sum closing a fan-out. */
export type BackwardRow =
  | { kind: 'contribution'; edge: TraceEdge; k: number; total: number }
  | { kind: 'sum'; node: number; total: number }

/**
 * The backward pass in visiting order, limited to edges into nodes that reach a --wrt variable;
 * a node with several contributions gets them numbered "k of total" and then its sum.
 */
export function backwardRows(trace: Trace, wrt: Set<string> | undefined): BackwardRow[] {
  const reaches = reachesVariables(trace, wrt)
  const seen = new Map<number, number>()
  const rows: BackwardRow[] = []
  for (const e of trace.backward) {
    const edge = trace.edges[e]!
    if (!reaches[edge.from]) continue
    const total = trace.nodes[edge.from]!.contributions.length
    const k = (seen.get(edge.from) ?? 0) + 1
    seen.set(edge.from, k)
    rows.push({ kind: 'contribution', edge, k, total })
    if (total > 1 && k === total) rows.push({ kind: 'sum', node: edge.from, total })
  }
  return rows
}
