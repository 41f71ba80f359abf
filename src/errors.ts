/** Problems with what the user typed. The CLI prints them without a stack trace; exit code 1. */
export class InputError extends Error {
  override name = 'InputError'
  constructor(
    message: string,
    /** Character offset into `source` that the message is about, for the caret line. */
    readonly offset?: number,
    /** The text the offset points into (the program, or a binding's value). */
    readonly source?: string,
  ) {
    super(message)
  }
}

/** 1-based line and column of an offset, as editors count them. */
export function lineColumn(source: string, offset: number): { line: number; column: number } {
  let line = 1
  let start = 0
  for (let i = 0; i < offset && i < source.length; i++) {
    if (source.charCodeAt(i) === 10) {
      line++
      start = i + 1
    }
  }
  return { line, column: offset - start + 1 }
}

/** "line 2, column 5" for multi-line sources, "column 5" for one-liners. */
export function describePosition(source: string, offset: number): string {
  const { line, column } = lineColumn(source, offset)
  return source.includes('\n') ? `line ${line}, column ${column}` : `column ${column}`
}

/** The offending line with a caret under the offset; long lines are cut around the caret. */
export function caret(source: string, offset: number): string {
  const lineStart = source.lastIndexOf('\n', offset - 1) + 1
  let lineEnd = source.indexOf('\n', offset)
  if (lineEnd < 0) lineEnd = source.length
  const width = 72
  let from = lineStart
  let to = lineEnd
  if (to - from > width) {
    from = Math.max(lineStart, offset - width / 2)
    to = Math.min(lineEnd, from + width)
  }
  const prefix = from > lineStart ? '…' : ''
  const suffix = to < lineEnd ? '…' : ''
  const text = source.slice(from, to).replace(/\t/g, ' ')
  return `  ${prefix}${text}${suffix}\n  ${' '.repeat(prefix.length + offset - from)}^`
}
