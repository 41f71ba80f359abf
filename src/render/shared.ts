// What several renderers share: refusing programs too big for a format, and big outputs written in
// pieces.
import type { Trace } from '../trace.js'
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
