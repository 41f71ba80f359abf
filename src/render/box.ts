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

/** A cell's width: its widest line (a matrix's cell has one line per row). */
const cellWidth = (text: string) => (text.includes('\n') ? Math.max(...text.split('\n').map(displayWidth)) : displayWidth(text))

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
  const all = [head, ...rows]
  // Each cell is measured once; a loop, not Math.max(...cells), which overflows on 100,000 rows.
  const cellWidths = all.map((cells) => head.map((_, k) => cellWidth(cells[k] ?? '')))
  let widths = head.map((_, k) => {
    let most = 0
    for (const cells of cellWidths) most = Math.max(most, cells[k]!)
    return most
  })
  const tooWide = () => width !== undefined && widths.reduce((sum, w) => sum + w + 3, 1) > width
  // Cells wider than `foldAt` are folded as their row is written; here only the widths they come
  // out at are found (a term that does not break can leave a cell wider: fit once more).
  let foldAt: number[] | undefined
  for (let attempt = 0; attempt < 2 && tooWide(); attempt++) {
    const fitted = fitColumns(widths, width!)
    const folded = head.map(() => 0)
    all.forEach((cells, r) =>
      head.forEach((_, k) => {
        const w = cellWidths[r]![k]!
        folded[k] = Math.max(folded[k]!, w > fitted[k]! && !cells[k]!.includes('\n') ? Math.max(...wrapText(cells[k]!, fitted[k]!, '  ').map(displayWidth)) : w)
      }),
    )
    foldAt = fitted
    widths = folded
  }
  const rule = ([left, middle, right]: [string, string, string]) => left + widths.map((w) => border.line.repeat(w + 2)).join(middle) + right
  const line = (cells: string[], measured: number[]) =>
    border.side + widths.map((w, k) => ` ${cells[k] ?? ''}${' '.repeat(w - measured[k]!)} `).join(border.side) + border.side
  /** A row as the lines it takes: one, or more where a cell folds. */
  function* written(r: number): Generator<string> {
    const cells = all[r]!
    if (cells.some((cell) => cell.includes('\n'))) {
      // A cell of several lines (a matrix) keeps its lines; the row is as tall as its tallest cell.
      const parts = head.map((_, k) => {
        const cell = cells[k] ?? ''
        if (cell.includes('\n')) return cell.split('\n')
        return foldAt && cellWidths[r]![k]! > foldAt[k]! ? wrapText(cell, foldAt[k]!, '  ') : [cell]
      })
      const height = Math.max(...parts.map((p) => p.length))
      for (let h = 0; h < height; h++) {
        const texts = parts.map((p) => p[h] ?? '')
        yield line(texts, texts.map(displayWidth))
      }
      return
    }
    if (!foldAt || cellWidths[r]!.every((w, k) => w <= foldAt![k]!)) {
      yield line(cells, cellWidths[r]!)
      return
    }
    const parts = head.map((_, k) => (cellWidths[r]![k]! > foldAt![k]! ? wrapText(cells[k]!, foldAt![k]!, '  ') : [cells[k] ?? '']))
    const height = Math.max(...parts.map((p) => p.length))
    for (let h = 0; h < height; h++) {
      const texts = parts.map((p) => p[h] ?? '')
      yield line(texts, texts.map(displayWidth))
    }
  }
  yield rule(border.top)
  yield* written(0)
  yield rule(border.header)
  for (let r = 1; r < all.length; r++) yield* written(r)
  yield rule(border.bottom)
}
