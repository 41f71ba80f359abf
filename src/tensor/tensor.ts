// Tensors as the tensor trace holds them: a shape and the entries in row-major order, in one typed
// array (never an array of scalar nodes), of rank 0 (a scalar), 1 (a vector) or 2 (a matrix).
// Rank 3 and up are refused where they would arise: every course's layer, batch and softmax fits in
// two dimensions, and a tutor's table cannot show a third.
import { InputError } from '../errors.js'

export type Shape = readonly number[]

export interface Tensor {
  shape: Shape
  data: Float64Array
}

export const size = (shape: Shape) => shape.reduce((n, d) => n * d, 1)

export function tensor(shape: Shape, data?: Float64Array | number[]): Tensor {
  const values = data instanceof Float64Array ? data : data ? Float64Array.from(data) : new Float64Array(size(shape))
  return { shape: [...shape], data: values }
}

export const scalar = (x: number): Tensor => tensor([], [x])

export const isScalar = (t: { shape: Shape }) => t.shape.length === 0

/** "3×2", "3" for a vector of 3 entries, "scalar" for rank 0. */
export function shapeText(shape: Shape): string {
  return shape.length === 0 ? 'scalar' : shape.join('×')
}

/** How a shape is described in a sentence: "a scalar", "a vector of 3 entries", "a 3×2 matrix". */
export function shapeWords(shape: Shape): string {
  if (shape.length === 0) return 'a scalar'
  if (shape.length === 1) return `a vector of ${shape[0]} ${shape[0] === 1 ? 'entry' : 'entries'}`
  return `a ${shapeText(shape)} matrix`
}

export const sameShape = (a: Shape, b: Shape) => a.length === b.length && a.every((d, k) => d === b[k])

/**
 * NumPy's broadcast of two shapes (mathjs 15 follows it): aligned from the right, each pair of
 * sizes equal or one of them 1. Undefined when they do not broadcast.
 */
export function broadcastShapes(a: Shape, b: Shape): number[] | undefined {
  const rank = Math.max(a.length, b.length)
  const out: number[] = []
  for (let k = 0; k < rank; k++) {
    const x = a[a.length - rank + k] ?? 1
    const y = b[b.length - rank + k] ?? 1
    if (x !== y && x !== 1 && y !== 1) return undefined
    out.push(Math.max(x, y))
  }
  return out
}

/** For each entry of `out` (row-major), the index of the entry of `from` it reads under broadcasting. */
export function broadcastIndex(from: Shape, out: Shape): Int32Array {
  const n = size(out)
  const index = new Int32Array(n)
  if (sameShape(from, out)) {
    for (let i = 0; i < n; i++) index[i] = i
    return index
  }
  const rank = out.length
  const padded = [...Array<number>(rank - from.length).fill(1), ...from]
  // Strides of `from` in `out`'s rank, 0 along broadcast axes.
  const strides = new Array<number>(rank).fill(0)
  let stride = 1
  for (let k = rank - 1; k >= 0; k--) {
    strides[k] = padded[k] === 1 ? 0 : stride
    stride *= padded[k]!
  }
  const counter = new Array<number>(rank).fill(0)
  for (let i = 0; i < n; i++) {
    let at = 0
    for (let k = 0; k < rank; k++) at += counter[k]! * strides[k]!
    index[i] = at
    for (let k = rank - 1; k >= 0; k--) {
      if (++counter[k]! < out[k]!) break
      counter[k] = 0
    }
  }
  return index
}

/** The axes of `out` along which `from` was broadcast (0-based, in `out`'s rank). */
export function broadcastAxes(from: Shape, out: Shape): number[] {
  const offset = out.length - from.length
  return out.flatMap((d, k) => (k < offset || (from[k - offset] === 1 && d !== 1) ? [k] : []))
}

/** `g` (shaped like a broadcast result) summed back to `shape`: how broadcasting is undone. */
export function unbroadcast(g: Tensor, shape: Shape): Tensor {
  if (sameShape(g.shape, shape)) return g
  const out = tensor(shape)
  const index = broadcastIndex(shape, g.shape)
  for (let i = 0; i < g.data.length; i++) out.data[index[i]!]! += g.data[i]!
  return out
}

/** Entry (i, j) of a matrix, entry i of a vector, the value of a scalar: row-major offset. */
export function offsetOf(shape: Shape, index: number[]): number {
  let at = 0
  for (let k = 0; k < shape.length; k++) at = at * shape[k]! + index[k]!
  return at
}

/** Row-major nested arrays, as NumPy's tolist() gives them: a number, a flat array, rows of arrays. */
export function toNested(t: Tensor): number | number[] | number[][] {
  if (t.shape.length === 0) return t.data[0]!
  if (t.shape.length === 1) return Array.from(t.data)
  const [rows, cols] = t.shape as [number, number]
  return Array.from({ length: rows }, (_, i) => Array.from(t.data.subarray(i * cols, (i + 1) * cols)))
}

/** Refuses a rank above 2 by name. */
export function checkRank(shape: Shape, what: string): void {
  if (shape.length > 2) throw new InputError(`${what} has ${shape.length} dimensions (${shapeText(shape)}); the tutor works with scalars, vectors and matrices`)
}

/** The transpose of a row-major m×n array. */
export function transposeData(a: Float64Array, m: number, n: number): Float64Array {
  const out = new Float64Array(m * n)
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[j * m + i] = a[i * n + j]!
  return out
}

/** A matrix's transpose; a vector or scalar is itself (as in mathjs). */
export const transposeOf = (t: Tensor): Tensor =>
  t.shape.length === 2 ? tensor([t.shape[1]!, t.shape[0]!], transposeData(t.data, t.shape[0]!, t.shape[1]!)) : t

/** Row-major offset → index. */
export function indexOf(shape: Shape, flat: number): number[] {
  const index: number[] = []
  for (let k = shape.length - 1; k >= 0; k--) {
    index.unshift(flat % shape[k]!)
    flat = Math.floor(flat / shape[k]!)
  }
  return index
}
