// A small box-table writer for the terminal view. It replaces cli-table3, which cost about 30 ms
// of start-up per run (measured) against a whole-run budget of about 30 ms: its width handling
// (emoji, East Asian wide characters) covers text this tool never prints. Every character here is
// one column wide (ASCII, Latin and Greek letters, ∂ · ² ⚠ ①, box drawing), so a cell's width is
// its number of code points once color codes are removed.

import { fitColumns, wrapText } from './wrap.js'

const ANSI = /\u001b\[[0-9;]*m/g
const HIGH_SURROGATE = /[\uD800-\uDBFF]/g

/** Columns a cell takes in a terminal: its code points, color codes aside. */
export function displayWidth(text: string): number {
  const plain = text.includes('\u001b') ? text.replace(ANSI, '') : text
  // A character outside the BMP is two UTF-16 units but one code point; a combining mark (the dot
  // of a tangent, ẋ) sits on the character before it and takes no column.
  const pairs = plain.match(HIGH_SURROGATE)
  // (Only text with a mark pays for the search: the dot of ẋ is U+0307, in the block U+0300–U+036F.)
  const marks = /[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]/.test(plain) ? plain.match(/\p{M}/gu) : null
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
export function boxTable(head: string[], rows: string[][], ascii: boolean, width?: number): string {
  return [...boxLines(head, rows, ascii, width)].join('\n')
}

/**
 * The same table line by line, for output written as it is made. With `width`, a table wider
 * than that folds the cells of its widest columns onto more lines until it fits (fitColumns).
 */
export function* boxLines(head: string[], rows: string[][], ascii: boolean, width?: number): Generator<string> {
  const border = ascii ? ASCII : UNICODE
  // Each cell is measured once; a loop, not Math.max(...cells), which overflows on 100,000 rows.
  let cellWidths = [head, ...rows].map((cells) => head.map((_, k) => displayWidth(cells[k] ?? '')))
  const widest = () =>
    head.map((_, k) => {
      let most = 0
      for (const cells of cellWidths) most = Math.max(most, cells[k]!)
      return most
    })
  let widths = widest()
  // Folded cells: each row as lines of cells, only where a column had to give way.
  let folded: string[][][] | undefined
  const tooWide = () => width !== undefined && widths.reduce((sum, w) => sum + w + 3, 1) > width
  // A folded cell can come out wider than asked (a term that does not break): fit again, a few times.
  for (let attempt = 0; attempt < 4 && tooWide(); attempt++) {
    const fitted = fitColumns(widths, width!)
    folded = [head, ...rows].map((cells) => {
      const parts = head.map((_, k) => (displayWidth(cells[k] ?? '') > fitted[k]! ? wrapText(cells[k]!, fitted[k]!, '  ') : [cells[k] ?? '']))
      const height = Math.max(...parts.map((p) => p.length))
      return Array.from({ length: height }, (_, line) => head.map((_, k) => parts[k]![line] ?? ''))
    })
    cellWidths = folded.flat().map((cells) => cells.map(displayWidth))
    widths = widest()
  }
  const rule = ([left, middle, right]: [string, string, string]) => left + widths.map((w) => border.line.repeat(w + 2)).join(middle) + right
  // Cells are padded by their measured widths (cellWidths follows the lines as they are written).
  const line = (cells: string[], measured: number[]) =>
    border.side + widths.map((w, k) => ` ${cells[k] ?? ''}${' '.repeat(w - measured[k]!)} `).join(border.side) + border.side
  let at = 0
  const lines = (r: number): string[][] => (folded ? folded[r]! : [r === 0 ? head : rows[r - 1]!])
  yield rule(border.top)
  for (const cells of lines(0)) yield line(cells, cellWidths[at++]!)
  yield rule(border.header)
  for (let r = 1; r <= rows.length; r++) for (const cells of lines(r)) yield line(cells, cellWidths[at++]!)
  yield rule(border.bottom)
}
