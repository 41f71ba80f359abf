// A small box-table writer for the terminal view. It replaces cli-table3, which cost about 30 ms
// of start-up per run (measured) against a whole-run budget of about 30 ms: its width handling
// (emoji, East Asian wide characters) covers text this tool never prints. Every character here is
// one column wide (ASCII, Latin and Greek letters, ∂ · ² ⚠ ①, box drawing), so a cell's width is
// its number of code points once color codes are removed.

import { fitColumns, isMark, wrapText, wrappedWidth } from './wrap.js'

const ANSI = /\u001b\[[0-9;]*m/g

/** What makes a cell's width other than its length: color codes, surrogate pairs, combining marks. */
const NOT_PLAIN = /[\u001b\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f\ud800-\udfff]/

/** Columns a cell takes in a terminal: its code points, color codes aside. */
export function displayWidth(text: string): number {
  // Most cells have none of these (∂ · ² ⚠ are one unit and one column each): one scan, no copy.
  if (!NOT_PLAIN.test(text)) return text.length
  const plain = text.includes('\u001b') ? text.replace(ANSI, '') : text
  // A character outside the BMP is two UTF-16 units but one column (its low surrogate is not
  // counted); a combining mark (the dot of a tangent, ẋ) sits on the character before it and
  // takes no column.
  let columns = 0
  for (let k = 0; k < plain.length; k++) {
    const code = plain.charCodeAt(k)
    if (code < 0x300 || (!(code >= 0xdc00 && code <= 0xdfff) && !isMark(code))) columns++
  }
  return columns
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
  const columns = head.length
  // Each cell is measured once, into one flat array (row r, column k at r * columns + k); loops,
  // not Math.max(...cells), which overflows on 100,000 rows.
  const cellWidths = new Int32Array(all.length * columns)
  let widths = head.map(() => 0)
  for (let r = 0; r < all.length; r++) {
    const cells = all[r]!
    for (let k = 0; k < columns; k++) {
      const w = cellWidth(cells[k] ?? '')
      cellWidths[r * columns + k] = w
      if (w > widths[k]!) widths[k] = w
    }
  }
  const widthOf = (r: number, k: number) => cellWidths[r * columns + k]!
  const tooWide = () => width !== undefined && widths.reduce((sum, w) => sum + w + 3, 1) > width
  // Cells wider than `foldAt` are folded as their row is written; here only the widths they come
  // out at are found (a term that does not break can leave a cell wider: fit once more).
  let foldAt: number[] | undefined
  for (let attempt = 0; attempt < 2 && tooWide(); attempt++) {
    const fitted = fitColumns(widths, width!)
    const folded = head.map(() => 0)
    for (let r = 0; r < all.length; r++) {
      const cells = all[r]!
      for (let k = 0; k < columns; k++) {
        const w = widthOf(r, k)
        if (w > fitted[k]! && !cells[k]!.includes('\n')) {
          folded[k] = Math.max(folded[k]!, wrappedWidth(cells[k]!, fitted[k]!, '  '))
        } else folded[k] = Math.max(folded[k]!, w)
      }
    }
    foldAt = fitted
    widths = folded
  }
  // (Each folded cell is folded again as it is written: keeping the parts took 100 MB at 100,000 operations.)
  const fold = (r: number, k: number) => wrapText(all[r]![k]!, foldAt![k]!, '  ')
  const rule = ([left, middle, right]: [string, string, string]) => left + widths.map((w) => border.line.repeat(w + 2)).join(middle) + right
  const pads = widths.map(() => [] as string[])
  /** Spaces that fill column k's cell of `measured` columns, made once per width. */
  const pad = (k: number, measured: number) => (pads[k]![measured] ??= ' '.repeat(widths[k]! - measured))
  const line = (cells: string[], measured: (k: number) => number) => {
    let text = border.side
    for (let k = 0; k < columns; k++) text += ` ${cells[k] ?? ''}${pad(k, measured(k))} ${border.side}`
    return text
  }
  /** Lines of a row some of whose cells take several: each cell's parts side by side. */
  const stacked = (parts: string[][]): string[] => {
    const height = Math.max(...parts.map((p) => p.length))
    const lines: string[] = []
    for (let h = 0; h < height; h++) {
      const texts = parts.map((p) => p[h] ?? '')
      lines.push(line(texts, (k) => displayWidth(texts[k]!)))
    }
    return lines
  }
  /** A row as the lines it takes: one (a plain function, not a generator per row), or more where a cell folds. */
  const written = (r: number): string | string[] => {
    const cells = all[r]!
    if (cells.some((cell) => cell.includes('\n'))) {
      // A cell of several lines (a matrix) keeps its lines; the row is as tall as its tallest cell.
      return stacked(
        head.map((_, k) => {
          const cell = cells[k] ?? ''
          if (cell.includes('\n')) return cell.split('\n')
          return foldAt && widthOf(r, k) > foldAt[k]! ? fold(r, k) : [cell]
        }),
      )
    }
    let fits = true
    if (foldAt) for (let k = 0; k < columns && fits; k++) fits = widthOf(r, k) <= foldAt[k]!
    if (fits) return line(cells, (k) => widthOf(r, k))
    return stacked(head.map((_, k) => (widthOf(r, k) > foldAt![k]! ? fold(r, k) : [cells[k] ?? ''])))
  }
  yield rule(border.top)
  for (let r = 0; r < all.length; r++) {
    const lines = written(r)
    if (typeof lines === 'string') yield lines
    else yield* lines
    if (r === 0) yield rule(border.header)
  }
  yield rule(border.bottom)
}
