// A tensor's value as the lessons show it: whole while small, summarized past that as NumPy does
// (the first and last rows and columns around an ellipsis), entries with the given precision; and
// its shape as a cell. Every face and the tensor quiz write values so.
import { formatNumber } from '../format.js'
import { shapeText, type Shape, type Tensor } from '../tensor/tensor.js'

/** Rows and columns (or vector entries) shown whole; past them, EDGE at each end around an ellipsis. */
export const SHOWN = { rows: 6, cols: 5, entries: 6, edgeRows: 3, edgeCols: 2, edgeEntries: 3 }

/** The indexes shown of `n`, with -1 standing for the ellipsis. */
export function shownIndexes(n: number, whole: number, edge: number): number[] {
  if (n <= whole) return Array.from({ length: n }, (_, i) => i)
  return [...Array.from({ length: edge }, (_, i) => i), -1, ...Array.from({ length: edge }, (_, i) => n - edge + i)]
}

export interface ValueStyle {
  precision: number
  /** The ellipsis: … in the terminal, \cdots / \vdots in LaTeX. */
  ascii?: boolean
}

/** A value as text lines: a number; [1, 2, 3]; a matrix as bracketed rows with aligned columns. */
export function valueLines(t: Tensor, style: ValueStyle): string[] {
  const f = (x: number) => formatNumber(x, style.precision)
  const dots = style.ascii ? '...' : '…'
  if (t.shape.length === 0) return [f(t.data[0]!)]
  if (t.shape.length === 1) {
    const shown = shownIndexes(t.shape[0]!, SHOWN.entries, SHOWN.edgeEntries)
    return [`[${shown.map((i) => (i < 0 ? dots : f(t.data[i]!))).join(', ')}]`]
  }
  const [rows, cols] = t.shape as [number, number]
  const rowsShown = shownIndexes(rows, SHOWN.rows, SHOWN.edgeRows)
  const colsShown = shownIndexes(cols, SHOWN.cols, SHOWN.edgeCols)
  const cells = rowsShown.map((i) => colsShown.map((j) => (i < 0 ? (j < 0 ? '' : style.ascii ? ':' : '⋮') : j < 0 ? dots : f(t.data[i * cols + j]!))))
  const widths = colsShown.map((_, k) => Math.max(...cells.map((row) => row[k]!.length)))
  return cells.map((row, r) => {
    const body = row.map((cell, k) => cell.padStart(widths[k]!)).join('  ')
    return `${r === 0 ? '[' : ' '}${body}${r === cells.length - 1 ? ']' : ''}`
  })
}

export const valueText = (t: Tensor, style: ValueStyle) => valueLines(t, style).join('\n')

/** "3×2", "3", "scalar"; ASCII writes x for ×. */
export const shapeCell = (shape: Shape, ascii = false) => (ascii ? shapeText(shape).replace(/×/g, 'x') : shapeText(shape))
