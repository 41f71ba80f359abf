// Convolution and max-pooling, single channel, as PyTorch's F.conv1d / F.conv2d / F.max_pool1d /
// F.max_pool2d compute them: cross-correlation (the kernel is not flipped), 'valid' unless padded
// with zeros, pooling windows of k with stride k. A vector is a 1×n image here, so conv1d and
// maxpool1d are the 2-D code on one row.
import type { Params, TensorInput, TensorOp, Operand, TensorConvention } from './ops.js'
import { shapeText, size, tensor, type Shape, type Tensor } from './tensor.js'

const G = 'ḡ'
const tangentOf = (label: string) => `⟪${label}⟫`

/** Height and width of a 1-D (one row) or 2-D operand. */
const plane = (shape: Shape): [number, number] => (shape.length === 1 ? [1, shape[0]!] : [shape[0]!, shape[1]!])
const stride = (p: Params) => p.stride ?? 1
const pad = (p: Params) => p.padding ?? 0

/**
 * Every meeting of an input entry with a kernel weight: for output entry o, window position (a, b)
 * meets X[i·s + a - p, j·s + b - p], skipped where that falls in the zero padding. `visit` gets the
 * three row-major offsets. The forward pass and both rules are this one loop, in this one order.
 */
function eachMeeting(x: Shape, k: Shape, out: Shape, p: Params, visit: (o: number, xi: number, ki: number) => void): void {
  const [h, w] = plane(x)
  const [kh, kw] = plane(k)
  const [oh, ow] = plane(out)
  const s = stride(p)
  const qh = rowPad(x, p)
  const q = pad(p)
  for (let i = 0; i < oh; i++)
    for (let j = 0; j < ow; j++)
      for (let a = 0; a < kh; a++) {
        const r = i * s + a - qh
        if (r < 0 || r >= h) continue
        for (let b = 0; b < kw; b++) {
          const c = j * s + b - q
          if (c >= 0 && c < w) visit(i * ow + j, r * w + c, a * kw + b)
        }
      }
}

/** out[i, j] = Σ_ab X[i·s + a - p, j·s + b - p] · K[a, b], X zero outside itself. */
function correlate(x: Tensor, k: Tensor, outShape: Shape, p: Params): Tensor {
  const out = tensor(outShape)
  eachMeeting(x.shape, k.shape, outShape, p, (o, xi, ki) => (out.data[o]! += x.data[xi]! * k.data[ki]!))
  return out
}

/** Padding applies to the rows of a 2-D operand only (a vector is one row, padded at its ends). */
const rowPad = (shape: Shape, p: Params) => (shape.length === 1 ? 0 : pad(p))

function convShape(rank: 1 | 2, name: string): TensorOp['shape'] {
  return ([x, k], p) => {
    const what = rank === 1 ? 'a vector' : 'a matrix'
    if (x!.length !== rank || k!.length !== rank) return `${name} takes ${what} and a ${rank === 1 ? 'vector' : 'matrix'} kernel`
    const [h, w] = plane(x!)
    const [kh, kw] = plane(k!)
    const s = stride(p)
    const [ph, pw] = [h + 2 * rowPad(x!, p), w + 2 * pad(p)]
    if (kh > ph || kw > pw)
      return `the kernel (${shapeText(k!)}) is larger than the input (${shapeText(x!)}${pad(p) ? `, padded by ${pad(p)} to ${rank === 1 ? pw : `${ph}×${pw}`}` : ''})`
    const out = [Math.floor((ph - kh) / s) + 1, Math.floor((pw - kw) / s) + 1]
    return rank === 1 ? [out[1]!] : out
  }
}

/** "", ", 2", ", 2, 1": stride and padding as the program wrote them (defaults left out). */
const convArgs = (p: Params) => (pad(p) ? `, ${stride(p)}, ${pad(p)}` : stride(p) !== 1 ? `, ${stride(p)}` : '')

/** How padding and stride change a rule, in words. */
const convWords = (p: Params, of: 'kernel' | 'input') => {
  const words = [
    ...(pad(p) ? [of === 'kernel' ? `the input padded by ${pad(p)}` : `the padding of ${pad(p)} cut from each edge`] : []),
    ...(stride(p) !== 1 ? [`${G}'s entries ${stride(p)} apart (stride ${stride(p)})`] : []),
  ]
  return words.length ? `‹, with ${words.join(' and ')}›` : ''
}

/** One size per axis of the plane (a vector's one, a matrix's two), written as a shape: 7, 5×5. */
const sizes = (rank: 1 | 2, size: (axis: 0 | 1) => number) => (rank === 1 ? `${size(1)}` : `${size(0)}×${size(1)}`)

/**
 * The input rule's shapes, step by step: ḡ spaced out by the stride, padded by the kernel's size
 * less 1, correlated with the flipped kernel, the forward padding cut off, and 0 for the input's
 * last entries that no window reached. At stride 1 without padding: "8 ⋆ 3 → 6".
 */
function inputRuleShapes(rank: 1 | 2, x: Shape, k: Shape, out: Shape, p: Params): string {
  const [n, kk, o] = [plane(x), plane(k), plane(out)]
  const q = (axis: 0 | 1) => (axis === 0 ? rowPad(x, p) : pad(p))
  const spaced = (axis: 0 | 1) => (o[axis]! - 1) * stride(p) + 1
  const full = (axis: 0 | 1) => spaced(axis) + kk[axis]! - 1
  // The result covers the padded input from its start: the padding cut at the start, and at the end whatever passes the input.
  const cut = (axis: 0 | 1) => Math.min(full(axis) - q(axis), n[axis]!)
  const steps = [
    ...(stride(p) !== 1 ? [`${sizes(rank, (a) => o[a]!)} spaced to ${sizes(rank, spaced)} (stride ${stride(p)}), `] : []),
    `${sizes(rank, (a) => spaced(a) + 2 * (kk[a]! - 1))} ⋆ ${shapeText(k)} → ${sizes(rank, full)}`,
    // The padding the result reaches is dropped: all of it at the start, at the end only what lies past the input.
    ...(pad(p)
      ? [
          `, less the padding, ${sizes(rank, q)} at the start${[0, 1].some((a) => full(a as 0 | 1) - q(a as 0 | 1) > n[a]!) ? ` and ${sizes(rank, (a) => Math.max(0, full(a) - q(a) - n[a]!))} at the end` : ''} → ${sizes(rank, cut)}`,
        ]
      : []),
    ...([0, 1].some((a) => cut(a as 0 | 1) < n[a]!) ? [`, 0 for the entries no window reached → ${shapeText(x)}`] : []),
  ]
  return steps.join('')
}

/**
 * The kernel rule's shapes: the padded input correlated with ḡ spaced out by the stride; where
 * windows stop short of the input's end, the first entries of that (the kernel's size) are kept.
 */
function kernelRuleShapes(rank: 1 | 2, x: Shape, k: Shape, out: Shape, p: Params): string {
  const [n, kk, o] = [plane(x), plane(k), plane(out)]
  const padded = (axis: 0 | 1) => n[axis]! + 2 * (axis === 0 ? rowPad(x, p) : pad(p))
  const spaced = (axis: 0 | 1) => (o[axis]! - 1) * stride(p) + 1
  const full = (axis: 0 | 1) => padded(axis) - spaced(axis) + 1
  const g = stride(p) !== 1 ? `${sizes(rank, spaced)} (${shapeText(out)} spaced, stride ${stride(p)})` : shapeText(out)
  const kept = [0, 1].some((a) => full(a as 0 | 1) > kk[a]!) ? `${sizes(rank, full)}, the first ${shapeText(k)} kept` : shapeText(k)
  return `${sizes(rank, padded)} ⋆ ${g} → ${kept}`
}

function convInputs(rank: 1 | 2): (p: Params) => TensorInput[] {
  const flip = rank === 1 ? 'flip' : 'rot180'
  return (p) => [
    {
      rule: {
        id: 'conv-input',
        name: 'convolution',
        why: `each input entry meets the kernel in every window that covers it, with the kernel's weights in reverse order: ${G}, padded by the kernel's size less 1, correlated with the kernel flipped${rank === 2 ? ' in both axes' : ''} (a full convolution)`,
      },
      vjp: (g, [x, k]) => {
        // Scatter: each output entry sends ḡ times each weight back to the input entry that weight met.
        const out = tensor(x!.shape)
        eachMeeting(x!.shape, k!.shape, g.shape, p, (o, xi, ki) => (out.data[xi]! += g.data[o]! * k!.data[ki]!))
        return out
      },
      formula: ([, k], _out, params) => {
        const [kh, kw] = plane(k!.shape)
        const by = rank === 1 ? `${kw - 1}` : `${kh - 1}, ${kw - 1}`
        return `${G}‹ padded by ${by}› ⋆ ${flip}(${k!.label})${convWords(params, 'input')}`
      },
      shapes: ([x, k], out) => inputRuleShapes(rank, x!.shape, k!.shape, out, p),
      jvp: (t, [, k], out) => correlate(t, k!, out.shape, p),
      tangentFormula: ([x, k]: Operand[]) => `${tangentOf(x!.label)} ⋆ ${k!.label}`,
    },
    {
      rule: {
        id: 'conv-kernel',
        name: 'convolution',
        why: `each kernel weight is used at every position the kernel slides to, so its gradient sums ${G} times the input entry it met there: the input correlated with ${G}`,
      },
      vjp: (g, [x, k]) => {
        const out = tensor(k!.shape)
        eachMeeting(x!.shape, k!.shape, g.shape, p, (o, xi, ki) => (out.data[ki]! += g.data[o]! * x!.data[xi]!))
        return out
      },
      formula: ([x], _out, params) => `${x!.label} ⋆ ${G}${convWords(params, 'kernel')}`,
      shapes: ([x, k], out) => kernelRuleShapes(rank, x!.shape, k!.shape, out, p),
      jvp: (t, [x], out) => correlate(x!, t, out.shape, p),
      tangentFormula: ([x, k]: Operand[]) => `${x!.label} ⋆ ${tangentOf(k!.label)}`,
    },
  ]
}

function conv(rank: 1 | 2): TensorOp {
  const name = rank === 1 ? 'conv1d' : 'conv2d'
  return {
    shapeRule:
      'a convolution of n entries by a kernel of k leaves (n + 2·padding - k) / stride + 1 along each dimension, rounded down (n - k + 1 unpadded at stride 1)',
    shape: convShape(rank, name),
    forward: ([x, k], p) => {
      const shape = convShape(rank, name)([x!.shape, k!.shape], p) as Shape
      return correlate(x!, k!, shape, p)
    },
    write: ([x, k], p) => `${name}(${x}, ${k}${convArgs(p)})`,
    work: ([, k], out) => size(k!) * size(out),
    inputs: convInputs(rank),
    name: () => name,
  }
}

// ——— Max-pooling: windows of k × k (k for a vector), stride k, the gradient to each window's winner ———

/** For each window (row-major), the input offset of its winner and whether another entry ties it. */
function winners(x: Tensor, outShape: Shape, p: Params): { at: Int32Array; tied: number[][] } {
  const [, w] = plane(x.shape)
  const [oh, ow] = plane(outShape)
  const k = p.size!
  const kh = x.shape.length === 1 ? 1 : k
  const at = new Int32Array(oh * ow)
  const tied: number[][] = []
  for (let i = 0; i < oh; i++)
    for (let j = 0; j < ow; j++) {
      // PyTorch's rule: a larger value or a NaN takes the window; a tie keeps the first in reading order.
      let best = -1
      let value = -Infinity
      for (let a = 0; a < kh; a++)
        for (let b = 0; b < k; b++) {
          const o = (i * kh + a) * w + j * k + b
          const v = x.data[o]!
          if (best < 0 || v > value || Number.isNaN(v)) [best, value] = [o, v]
        }
      at[i * ow + j] = best
      const same: number[] = []
      for (let a = 0; a < kh; a++)
        for (let b = 0; b < k; b++) {
          const o = (i * kh + a) * w + j * k + b
          if (x.data[o] === value) same.push(o)
        }
      if (same.length > 1) tied.push(same)
    }
  return { at, tied }
}

/** A pooling's note: the windows' winners, which get its gradient, and the entries no window holds (their gradients 0). */
function poolNotes(name: string, x: Tensor, out: Tensor, p: Params, label: string): string {
  const { at } = winners(x, out.shape, p)
  const entry = (o: number) => (x.shape.length === 1 ? `${label}[${o + 1}]` : `${label}[${Math.floor(o / x.shape[1]!) + 1}, ${(o % x.shape[1]!) + 1}]`)
  const named = Array.from(at.slice(0, 6), entry)
  const winnersText = `the winners of ${name}(${label}, ${p.size}), one per window, which get its gradient: ${named.join(', ')}${at.length > 6 ? `, … (${at.length} windows)` : ''}`
  // Windows that do not fit are dropped, as PyTorch's floor mode drops them: say which entries no window holds.
  const k = p.size!
  const [h, w] = plane(x.shape)
  const [rows, cols] = [x.shape.length === 1 ? 0 : h % k, w % k]
  if (rows === 0 && cols === 0) return winnersText
  const left =
    x.shape.length === 1
      ? cols === 1
        ? `${label}[${w}]`
        : `${label}[${w - cols + 1}:${w}]`
      : [...(rows ? [`the last ${rows === 1 ? 'row' : `${rows} rows`}`] : []), ...(cols ? [`the last ${cols === 1 ? 'column' : `${cols} columns`}`] : [])].join(
          ' and ',
        ) + ` of ${label}`
  const one = x.shape.length === 1 ? cols === 1 : rows + cols === 1
  return `${winnersText}; ${left} ${one ? 'is' : 'are'} in no window (${shapeText(x.shape)} does not divide into windows of ${k}; the rest is dropped, as PyTorch does), so ${one && x.shape.length === 1 ? 'its gradient is' : 'their gradients are'} 0`
}

function pool(rank: 1 | 2): TensorOp {
  const name = rank === 1 ? 'maxpool1d' : 'maxpool2d'
  const shape: TensorOp['shape'] = ([x], p) => {
    if (x!.length !== rank) return `${name} takes ${rank === 1 ? 'a vector' : 'a matrix'} (it is ${shapeText(x!)})`
    const k = p.size!
    const [h, w] = plane(x!)
    if (k > w || (rank === 2 && k > h)) return `the window (${rank === 1 ? k : `${k}×${k}`}) is larger than the input (${shapeText(x!)})`
    return rank === 1 ? [Math.floor(w / k)] : [Math.floor(h / k), Math.floor(w / k)]
  }
  const op: TensorOp = {
    shapeRule: 'pooling n entries with windows of k (at stride k) leaves n / k along each dimension, rounded down',
    shape,
    forward: ([x], p) => {
      const outShape = shape([x!.shape], p) as Shape
      const { at } = winners(x!, outShape, p)
      return tensor(
        outShape,
        Array.from(at, (o) => x!.data[o]!),
      )
    },
    write: ([x], p) => `${name}(${x}, ${p.size})`,
    branches: ([x], out, p) => winners(x!, out.shape, p).at,
    name: () => name,
    inputs: (p) => [
      {
        rule: {
          id: 'maxpool',
          name: 'max-pooling',
          why: "each window passes its gradient to its largest entry (the arg-max, its winner) and none to the others: only the winner's value reached the output",
        },
        vjp: (g, [x], out) => {
          const result = tensor(x!.shape)
          winners(x!, out.shape, p).at.forEach((o, w) => (result.data[o]! += g.data[w]!))
          return result
        },
        formula: ([x]) => `${G}‹ at each window's winner in ›${x!.label}‹, 0 elsewhere›`,
        jvp: (t, [x], out) =>
          tensor(
            out.shape,
            Array.from(winners(x!, out.shape, p).at, (o) => t.data[o]!),
          ),
        tangentFormula: ([x]) => `${tangentOf(x!.label)}‹ at each window's winner›`,
        conventions: ([x], out) => {
          const { tied } = winners(x!, out.shape, p)
          return new Map<TensorConvention, { shape: Shape; entries: number[] }>(tied.length ? [['pool-tie', { shape: x!.shape, entries: tied.flat() }]] : [])
        },
      },
    ],
    notes: (xs, out, p, labels) => poolNotes(name, xs[0]!, out, p, labels[0]!),
  }
  return op
}

export const CONV1D = conv(1)
export const CONV2D = conv(2)
export const MAXPOOL1D = pool(1)
export const MAXPOOL2D = pool(2)
