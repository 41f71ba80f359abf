// What the faces of a tensor trace share: their options, and values as they write them: whole while small, summarized past that as NumPy does
// (the first and last rows and columns around an ellipsis), entries with the given precision.
import { formatNumber } from '../format.js'
import { shapeText, type Shape, type Tensor } from '../tensor/tensor.js'
import type { RenderOptions } from './index.js'
import type { EntryChain } from '../tensor/entry.js'
import type { TensorForwardMode } from '../tensor/forward.js'
import type { TensorTraining } from '../tensor/train.js'
import type { TensorQuestion } from '../tensor/quiz.js'
import type { TensorEdge } from '../tensor/trace.js'

/** The scalar faces' options, --entry's chain and an --lr run: what every face of a tensor trace reads. */
export type TensorRenderOptions = Omit<RenderOptions, 'forward' | 'questions'> & {
  /** html with --quiz: the tensor quiz's questions (tensor/quiz.ts). */
  questions?: TensorQuestion[]
  /** html: the entries of small matrix-product and convolution gradients, each with its chain (tensor/entry.ts productEntries). */
  entries?: Map<TensorEdge, EntryChain[]>
  entry?: EntryChain
  training?: TensorTraining
  forward?: TensorForwardMode
}

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
