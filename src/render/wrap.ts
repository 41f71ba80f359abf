// Lines and table cells folded at a fixed width (--width, default 80): never the terminal's, so the
// bytes stay the same in a terminal, a pipe and a snapshot. A line breaks at a space outside
// parentheses where it can (a term such as ∂(t1 + b)/∂t1 stays whole), inside them only if it must.
import { displayWidth } from './box.js'

export const DEFAULT_WIDTH = 80
/** Narrower than this, a table column's cells are not folded any further. */
const MIN_COLUMN = 12

/**
 * `text` as lines of at most `width` columns; continuation lines start with `indent`. One pass
 * over the text: a 300,000-name line folds as fast as a short one.
 */
export function wrapText(text: string, width: number, indent = ''): string[] {
  if (displayWidth(text) <= width || text.includes('\u001b')) return [text]
  const cuts = wrapCuts(text, width, displayWidth(indent))
  const lines: string[] = []
  for (let k = 0; k < cuts.length; k += 2) {
    const part = k + 2 < cuts.length ? text.slice(cuts[k], cuts[k + 1]).trimEnd() : text.slice(cuts[k])
    lines.push(k === 0 ? part : indent + part)
  }
  return lines
}

/** The widest line of wrapText(text, width, indent), without making the lines (a table measures every cell it folds). */
export function wrappedWidth(text: string, width: number, indent = ''): number {
  const whole = displayWidth(text)
  if (whole <= width || text.includes('\u001b')) return whole
  const indentWidth = displayWidth(indent)
  const cuts = wrapCuts(text, width, indentWidth)
  // Where every unit is a column (no surrogate pair, no combining mark), a line's width is its length.
  const plain = whole === text.length
  let widest = 0
  for (let k = 0; k < cuts.length; k += 2) {
    let to = k + 2 < cuts.length ? cuts[k + 1]! : text.length
    // As trimEnd: whitespace at the end of a line that breaks is dropped.
    if (k + 2 < cuts.length) while (to > cuts[k]! && isWhitespace(text.charCodeAt(to - 1))) to--
    let columns = k === 0 ? 0 : indentWidth
    if (plain) columns += to - cuts[k]!
    else {
      for (let at = cuts[k]!; at < to; at++) {
        const code = text.charCodeAt(at)
        if (!(code >= 0xdc00 && code <= 0xdfff) && !isMark(code)) columns++
      }
    }
    widest = Math.max(widest, columns)
  }
  return widest
}

/** What String.prototype.trimEnd removes: JavaScript's white space and line terminators. */
function isWhitespace(code: number): boolean {
  return (
    code === 32 ||
    (code >= 9 && code <= 13) ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  )
}

/**
 * Where wrapText breaks `text`: each line as its start and end in the text (the last one runs to
 * the end); a line that breaks is trimmed at its end, and continuation lines take `indentWidth`.
 */
function wrapCuts(text: string, width: number, indentWidth: number): number[] {
  const cuts: number[] = []
  let start = 0
  let depth = 0
  for (;;) {
    const room = width - (cuts.length === 0 ? 0 : indentWidth)
    // Scan from the line's start until it no longer fits, noting the last spaces outside and inside parentheses.
    let columns = 0
    let outside = -1
    let inside = -1
    let at = start
    let depthAt = depth
    let outsideDepth = depth
    let insideDepth = depth
    // A line's own leading spaces are its indentation, never a place to break (that would leave an empty line).
    let content = false
    while (at < text.length) {
      const code = text.charCodeAt(at)
      // A low surrogate ends a character already counted; a combining mark takes no column.
      if (!(code >= 0xdc00 && code <= 0xdfff) && !isMark(code)) columns++
      if (columns > room) break
      if (code !== 32) content = true
      if (code === 40 || code === 91) depthAt++
      else if (code === 41 || code === 93) depthAt--
      else if (code === 32 && at > start && content) {
        if (depthAt <= 0) ((outside = at), (outsideDepth = depthAt))
        else ((inside = at), (insideDepth = depthAt))
      }
      at++
    }
    let cut = outside > start ? outside : inside
    if (at < text.length && cut <= start) {
      // A first term wider than the room overflows it; the line breaks at the first space after it
      // (outside parentheses if there is one, else inside).
      let firstInside = -1
      let firstInsideDepth = depthAt
      for (let next = at; next < text.length; next++) {
        const code = text.charCodeAt(next)
        if (code === 40 || code === 91) depthAt++
        else if (code === 41 || code === 93) depthAt--
        else if (code === 32 && depthAt <= 0) {
          cut = outside = next
          outsideDepth = depthAt
          break
        } else if (code === 32 && firstInside < 0) ((firstInside = next), (firstInsideDepth = depthAt))
      }
      if (cut <= start && firstInside > start) ((cut = inside = firstInside), (insideDepth = firstInsideDepth))
    }
    if (at >= text.length || cut <= start) {
      // The rest fits, or has nothing to break at (it stays on one line, wider than the page).
      cuts.push(start, text.length)
      return cuts
    }
    cuts.push(start, cut)
    depth = cut === outside ? outsideDepth : insideDepth
    start = cut
    while (text.charCodeAt(start) === 32) start++
  }
}

/** A combining mark (the dot of ẋ), which takes no column: the blocks of combining diacritics. */
export function isMark(code: number): boolean {
  return (
    (code >= 0x300 && code <= 0x36f) ||
    (code >= 0x1ab0 && code <= 0x1aff) ||
    (code >= 0x1dc0 && code <= 0x1dff) ||
    (code >= 0x20d0 && code <= 0x20ff) ||
    (code >= 0xfe20 && code <= 0xfe2f)
  )
}

/** A line of a box table, which folds its own cells. */
export const TABLE_LINE = /^ *[┌├│└+|]/

/** A line of the terminal view folded at `width`: prose with a hanging indent, table lines as they are. */
export function foldLine(line: string, width: number): string[] {
  // A line in one color (the dim --explain sentences, a yellow warning) folds inside its color.
  const colored = /^(\u001b\[[0-9;]*m)([^\u001b]*)(\u001b\[[0-9;]*m)$/.exec(line)
  if (colored) return foldLine(colored[2]!, width).map((part) => `${colored[1]}${part}${colored[3]}`)
  if (TABLE_LINE.test(line)) return [line]
  const indent = /^ */.exec(line)![0]
  return wrapText(line, width, `${indent}    `)
}

/**
 * Column widths for a table that must fit `width`: the widest columns give way, one column at a
 * time, down to MIN_COLUMN; what still does not fit stays wider than the page.
 */
export function fitColumns(widths: number[], width: number): number[] {
  const fitted = [...widths]
  const total = () => fitted.reduce((sum, w) => sum + w + 3, 1)
  while (total() > width) {
    let widest = 0
    for (let k = 1; k < fitted.length; k++) if (fitted[k]! > fitted[widest]!) widest = k
    if (fitted[widest]! <= MIN_COLUMN) break
    fitted[widest] = Math.max(MIN_COLUMN, fitted[widest]! - (total() - width))
  }
  return fitted
}

/** A face's lines folded at `width`: prose with a hanging indent, box tables (│, |) left to fold their own cells. */
export function foldProse(lines: Iterable<string>, width: number): string {
  const out: string[] = []
  for (const line of lines) out.push(displayWidth(line) > width && !line.startsWith('│') && !line.startsWith('|') ? foldLine(line, width).join('\n') : line)
  return `${out.join('\n')}\n`
}
