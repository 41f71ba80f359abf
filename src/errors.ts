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

// Characters that move a terminal's cursor, change its colours or reorder text (C0 and C1
// controls, DEL, bidirectional overrides, line separators): a message never prints them raw.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g
const CONTROL_NOT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' }
const escapeOne = (ch: string) => {
  const code = ch.charCodeAt(0)
  return NAMED[ch] ?? (code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`)
}

/** Control characters written as escapes (\x1b, \n, \u202e), so they show instead of acting. */
export function escapeControls(text: string, keepNewlines = false): string {
  return text.replace(keepNewlines ? CONTROL_NOT_NEWLINE : CONTROL, escapeOne)
}

/** The user's text as a message quotes it: control characters escaped, cut to `max` characters. */
export function excerpt(text: string, max = 48): string {
  // Escaped first, then cut, whole escapes only: what is shown is at most `max` characters.
  const whole = escapeControls(text)
  if (Array.from(whole).length <= max) return whole
  let shown = ''
  let length = 0
  for (const ch of text) {
    const piece = escapeControls(ch)
    if (length + piece.length > max - 1) return `${shown}…`
    shown += piece
    length += piece.length
  }
  return shown
}

/** mathjs's parse message with the part of the program it quotes ("Syntax error in part "…"") cut short. */
export function mathjsMessage(error: unknown): string {
  const message = (error instanceof Error ? error.message : String(error)).replace(/\s*\(char \d+\)\s*$/, '')
  const quoted = /^([^"]*")([\s\S]*)("[^"]*)$/.exec(message)
  return quoted ? `${quoted[1]}${excerpt(quoted[2]!)}${quoted[3]}` : excerpt(message, 200)
}

/** The offending line with a caret under the offset; long lines are cut around the caret. */
export function caret(source: string, offset: number): string {
  const lineStart = source.lastIndexOf('\n', offset - 1) + 1
  let lineEnd = source.indexOf('\n', offset)
  if (lineEnd < 0) lineEnd = source.length
  if (lineEnd > lineStart && source[lineEnd - 1] === '\r') lineEnd--
  const width = 72
  let from = lineStart
  let to = lineEnd
  if (to - from > width) {
    from = Math.max(lineStart, offset - width / 2)
    to = Math.min(lineEnd, from + width)
  }
  const prefix = from > lineStart ? '…' : ''
  const suffix = to < lineEnd ? '…' : ''
  const shown = (text: string) => escapeControls(text.replace(/\t/g, ' '))
  const before = shown(source.slice(from, offset))
  return `  ${prefix}${before}${shown(source.slice(offset, to))}${suffix}\n  ${' '.repeat(prefix.length + before.length)}^`
}
