// Which way a graph is drawn: left to right or top to bottom, whichever comes out closer to a page's
// proportions (3:2). A long chain drawn left to right is a strip (13:1 for ten nodes), unreadable
// once fitted to a page; drawn top to bottom it is a column of the same boxes. --rankdir chooses.

export type Direction = 'LR' | 'TB'

/** Significant digits of the numbers in a graph's boxes unless --precision is given: a picture is read at a glance. */
export const GRAPH_PRECISION = 4

/** The proportions a picture is fitted to (a README's column, a slide). */
const TARGET = 1.5
/** A box and the space around it, in inches, as Graphviz draws a record of three fields side by side (name | value | grad). */
const BOX = { width: 3.5, height: 0.5, rankGap: 0.5, nodeGap: 0.25 }

/**
 * Ranks as Graphviz's layout puts them: an operation one past its deepest input, a leaf just before
 * its first consumer. Nodes are in topological order (inputs first).
 */
function ranks(nodes: { inputs: number[] }[]): number[] {
  const rank = nodes.map(() => 0)
  const firstUse = nodes.map(() => Infinity)
  nodes.forEach((node, i) => {
    for (const input of node.inputs) rank[i] = Math.max(rank[i]!, rank[input]! + 1)
  })
  nodes.forEach((node, i) => {
    for (const input of node.inputs) firstUse[input] = Math.min(firstUse[input]!, rank[i]!)
  })
  return nodes.map((node, i) => (node.inputs.length === 0 && Number.isFinite(firstUse[i]!) ? firstUse[i]! - 1 : rank[i]!))
}

/** The direction whose drawing is closer to 3:2, or the one asked for. */
export function graphDirection(nodes: { inputs: number[] }[], asked?: Direction): Direction {
  if (asked) return asked
  // Loops, not Math.max(...ranks): spreading 100,000 arguments overflows the stack.
  const counts = new Map<number, number>()
  let depth = 0
  let breadth = 0
  for (const k of ranks(nodes)) {
    const count = (counts.get(k) ?? 0) + 1
    counts.set(k, count)
    depth = Math.max(depth, k + 1)
    breadth = Math.max(breadth, count)
  }
  const across = depth * (BOX.width + BOX.rankGap)
  const down = breadth * (BOX.height + BOX.nodeGap)
  const lr = across / down
  const tb = (breadth * (BOX.width + BOX.nodeGap)) / (depth * (BOX.height + BOX.rankGap))
  return Math.abs(Math.log(lr / TARGET)) <= Math.abs(Math.log(tb / TARGET)) ? 'LR' : 'TB'
}

/**
 * A record label with its fields side by side in either direction: Graphviz lays a record's top
 * level across the rank direction, so left to right needs braces to keep the fields in a row.
 */
export const recordLabel = (fields: string[], direction: Direction) => (direction === 'LR' ? `{${fields.join('|')}}` : fields.join('|'))
