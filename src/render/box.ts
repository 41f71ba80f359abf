// A small box-table writer for the terminal view. It replaces cli-table3, which cost about 30 ms
// of start-up per run (measured) against a whole-run budget of about 30 ms: its width handling
// (emoji, East Asian wide characters) covers text this tool never prints. Every character here is
// one column wide (ASCII, Latin and Greek letters, ∂ · ² ⚠ ①, box drawing), so a cell's width is
// its number of code points once color codes are removed.

const ANSI = /\u001b\[[0-9;]*m/g
const HIGH_SURROGATE = /[\uD800-\uDBFF]/g

/** Columns a cell takes in a terminal: its code points, color codes aside. */
export function displayWidth(text: string): number {
  const plain = text.includes('\u001b') ? text.replace(ANSI, '') : text
  // A character outside the BMP is two UTF-16 units but one code point; a combining mark (the dot
  // of a tangent, ẋ) sits on the character before it and takes no column.
  const pairs = plain.match(HIGH_SURROGATE)
  const marks = plain.match(/\p{M}/gu)
  return plain.length - (pairs ? pairs.length : 0) - (marks ? marks.length : 0)
}

interface Border {
  top: [string, string, string]
  header: [string, string, string]
  bottom: [string, string, string]
  line: string
  side: string
}

const UNICODE: Border = { top: ['┌', '┬', '┐'], header: ['├', '┼', '┤'], bottom: ['└', '┴', '┘'], line: '─', side: '│' }
const ASCII: Border = { top: ['+', '+', '+'], header: ['+', '+', '+'], bottom: ['+', '+', '+'], line: '-', side: '|' }

/** A table with a header row and a rule under it; columns as wide as their widest cell. */
export function boxTable(head: string[], rows: string[][], ascii: boolean): string {
  return [...boxLines(head, rows, ascii)].join('\n')
}

/** The same table line by line, for output written as it is made. */
export function* boxLines(head: string[], rows: string[][], ascii: boolean): Generator<string> {
  const border = ascii ? ASCII : UNICODE
  // Each cell is measured once; a loop, not Math.max(...cells), which overflows on 100,000 rows.
  const cellWidths = [head, ...rows].map((cells) => head.map((_, k) => displayWidth(cells[k] ?? '')))
  const widths = head.map((_, k) => {
    let widest = 0
    for (const cells of cellWidths) widest = Math.max(widest, cells[k]!)
    return widest
  })
  const rule = ([left, middle, right]: [string, string, string]) => left + widths.map((w) => border.line.repeat(w + 2)).join(middle) + right
  const row = (cells: string[], r: number) =>
    border.side + widths.map((w, k) => ` ${cells[k] ?? ''}${' '.repeat(w - cellWidths[r]![k]!)} `).join(border.side) + border.side
  yield rule(border.top)
  yield row(head, 0)
  yield rule(border.header)
  for (let r = 0; r < rows.length; r++) yield row(rows[r]!, r + 1)
  yield rule(border.bottom)
}
