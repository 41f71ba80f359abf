// A small box-table writer for the terminal view. It replaces cli-table3, which cost about 30 ms
// of start-up per run (measured) against a whole-run budget of about 30 ms: its width handling
// (emoji, East Asian wide characters) covers text this tool never prints. Every character here is
// one column wide (ASCII, Latin and Greek letters, ∂ · ² ⚠ ①, box drawing), so a cell's width is
// its number of code points once color codes are removed.

const ANSI = /\u001b\[[0-9;]*m/g

/** Columns a cell takes in a terminal. */
export function displayWidth(text: string): number {
  let width = 0
  for (const _ of text.replace(ANSI, '')) width++
  return width
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
  const border = ascii ? ASCII : UNICODE
  const widths = head.map((h, k) => Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[k] ?? ''))))
  const rule = ([left, middle, right]: [string, string, string]) =>
    left + widths.map((w) => border.line.repeat(w + 2)).join(middle) + right
  const row = (cells: string[]) =>
    border.side + widths.map((w, k) => ` ${cells[k] ?? ''}${' '.repeat(w - displayWidth(cells[k] ?? ''))} `).join(border.side) + border.side
  return [rule(border.top), row(head), rule(border.header), ...rows.map(row), rule(border.bottom)].join('\n')
}
