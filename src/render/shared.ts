// What several renderers share: statements spelled out, how long sums are shortened, and big
// outputs written in pieces.
import { LIMITS } from '../limits.js'
import type { Sym } from '../sym.js'
import { operandSym, type Trace } from '../trace.js'
import { InputError } from '../errors.js'

/** Lines per written piece of a big output: big enough to write efficiently, small enough to be collected young. */
export const CHUNK_LINES = 512

/** Refuses a program too big for a format that is built whole and meant to be read (notes, pictures). */
export function refuseLarger(trace: Trace, limit: number, what: string, instead: string): void {
  if (trace.nodes.length > limit) {
    throw new InputError(`the program is too large for ${what} (${trace.nodes.length} nodes; the limit is ${limit}); ${instead}`)
  }
}

/** A renderer's pieces as one string: the same bytes the CLI writes piece by piece. */
export function joined(pieces: Iterable<string>): string {
  let text = ''
  for (const piece of pieces) text += piece
  return text
}

/** The statement rooted at node i as one expression, unnamed inner operations spelled out. */
export function expand(trace: Trace, root: number): Sym {
  let budget = LIMITS.headerSize
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
