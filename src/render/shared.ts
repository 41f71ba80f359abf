// What several renderers share: refusing programs too big for a format, and big outputs written in
// pieces.
import { InputError } from '../errors.js'

/** Lines per written piece of a big output: big enough to write efficiently, small enough to be collected young. */
export const CHUNK_LINES = 512

/** Lines as pieces of CHUNK_LINES lines each, every line ended by a newline. */
export function* inChunks(lines: Iterable<string>): Generator<string> {
  let chunk = ''
  let count = 0
  for (const line of lines) {
    chunk += `${line}\n`
    if (++count === CHUNK_LINES) {
      yield chunk
      chunk = ''
      count = 0
    }
  }
  if (chunk) yield chunk
}

/** Pieces of text gathered into writes of at least `size` characters (a piece that is bigger is written alone). */
export function* gathered(pieces: Iterable<string>, size = 1 << 16): Generator<string> {
  let pending = ''
  for (const piece of pieces) {
    pending += piece
    if (pending.length >= size) {
      yield pending
      pending = ''
    }
  }
  if (pending) yield pending
}

/** A program's nodes as a size check sees them: a graph's before it is traced, or a trace's. */
export type Sized = readonly { inputs: readonly number[] }[]

/** Why a program is too big for a format, or undefined where it is not. */
export type TooLarge = (nodes: Sized) => string | undefined

/**
 * The size check of a format that is built whole and meant to be read (notes, pictures). The CLI
 * runs it on the graph, before the trace, so a program too big for the format is refused at once.
 */
export function nodeLimit(limit: number, what: string, instead: string): TooLarge {
  return (nodes) => (nodes.length > limit ? `the program is too large for ${what} (${nodes.length} nodes; the limit is ${limit}); ${instead}` : undefined)
}

/** Throws a size check's reason, if it has one. */
export function refuseLarger(why: string | undefined): void {
  if (why) throw new InputError(why)
}

/** A renderer's pieces as one string: the same bytes the CLI writes piece by piece. */
export function joined(pieces: Iterable<string>): string {
  let text = ''
  for (const piece of pieces) text += piece
  return text
}
