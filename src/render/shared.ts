// What several renderers share: statements spelled out, how long sums are shortened, and big
// outputs written in pieces.
import type { Sym } from '../sym.js'
import { operandSym, type Trace } from '../trace.js'

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
