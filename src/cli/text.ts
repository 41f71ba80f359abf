// Input must be text: UTF-8, with no NUL byte. Binary data (an image, /dev/urandom) is refused at
// its first offending byte instead of being parsed, and echoed back, as a program.

const hex = (byte: number) => `0x${byte.toString(16).padStart(2, '0')}`

/** Input that is not UTF-8 text: `offset` is the 0-based byte offset of the first bad byte. */
export class NotText extends Error {
  constructor(
    readonly offset: number,
    readonly byte: number,
    readonly why: string,
  ) {
    super(`byte ${offset} (${hex(byte)}) ${why}`)
  }
}

function joined(head: number[], tail: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(head.length + tail.length)
  bytes.set(head)
  bytes.set(tail, head.length)
  return bytes
}

/** How many continuation bytes follow a lead byte, and the smallest second byte it allows. */
function sequence(lead: number): { length: number; min: number; max: number } | undefined {
  if (lead < 0x80) return { length: 0, min: 0x80, max: 0xbf }
  if (lead >= 0xc2 && lead <= 0xdf) return { length: 1, min: 0x80, max: 0xbf }
  // Overlong forms, surrogates (ED A0–BF) and code points past U+10FFFF are not UTF-8.
  if (lead === 0xe0) return { length: 2, min: 0xa0, max: 0xbf }
  if (lead === 0xed) return { length: 2, min: 0x80, max: 0x9f }
  if (lead >= 0xe1 && lead <= 0xef) return { length: 2, min: 0x80, max: 0xbf }
  if (lead === 0xf0) return { length: 3, min: 0x90, max: 0xbf }
  if (lead === 0xf4) return { length: 3, min: 0x80, max: 0x8f }
  if (lead >= 0xf1 && lead <= 0xf3) return { length: 3, min: 0x80, max: 0xbf }
  return undefined
}

/**
 * Checks UTF-8 text a chunk at a time: `push` each chunk, `end` at the end; each throws NotText at
 * the first byte that is not part of UTF-8 text, with its offset in the whole input.
 */
export class TextChecker {
  private offset = 0
  /** Bytes of a character cut by the chunk's end, still owed by the next chunk. */
  private pending: number[] = []

  push(chunk: Uint8Array): void {
    // A character cut by the last chunk's end is checked whole, with the pending bytes in front.
    const bytes = this.pending.length > 0 ? joined(this.pending, chunk) : chunk
    const base = this.offset - this.pending.length
    this.pending = []
    let i = 0
    while (i < bytes.length) {
      const b = bytes[i]!
      if (b !== 0 && b < 0x80) {
        i++
        continue
      }
      const used = this.character(bytes, i, base + i)
      if (used === 0) {
        this.pending = [...bytes.subarray(i)]
        break
      }
      i += used
    }
    this.offset += chunk.length
  }

  end(): void {
    if (this.pending.length > 0) {
      const at = this.offset - this.pending.length
      throw new NotText(at, this.pending[0]!, 'begins a UTF-8 character that the input cuts off')
    }
  }

  /** The length of the character at `i`, or 0 when the chunk ends inside it. */
  private character(bytes: Uint8Array, i: number, at: number): number {
    const lead = bytes[i]!
    if (lead === 0) throw new NotText(at, 0, 'is a NUL byte, which text never has')
    const form = sequence(lead)
    if (!form) throw new NotText(at, lead, 'cannot start a UTF-8 character')
    for (let k = 1; k <= form.length; k++) {
      if (i + k >= bytes.length) return 0
      const b = bytes[i + k]!
      const [min, max] = k === 1 ? [form.min, form.max] : [0x80, 0xbf]
      if (b < min || b > max) throw new NotText(at, lead, `begins a UTF-8 character that byte ${at + k} (${hex(b)}) does not continue`)
    }
    return form.length + 1
  }
}

/** The one line that refuses it: what was read, and where it stopped being text. */
export function notTextMessage(what: string, error: NotText): string {
  return `${what} is not UTF-8 text: ${error.message}; is it a binary file?`
}
