// Constant tensors a value may start from: zeros, ones, rand (uniform on [0, 1)) and randn
// (standard normal). The generator is documented so that a run can be repeated anywhere: Mulberry32
// seeded by FNV-1a of "SEED:NAME" (NAME is the variable the value is bound to, so W1 and W2 differ
// and neither depends on the order of the options), normals by the Box–Muller transform.
import { InputError } from '../errors.js'
import { LIMITS } from '../limits.js'
import { tensor, type Tensor } from './tensor.js'
import { mulberry32 } from '../random.js'

export const GENERATORS: Record<string, string> = {
  zeros: 'every entry 0',
  ones: 'every entry 1',
  rand: 'entries uniform on [0, 1)',
  randn: 'entries from the standard normal distribution',
}

/** FNV-1a, 32 bits, of a string's UTF-16 units. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h
}

/** A generator's tensor of the given sizes (one size: a vector; two: a matrix). */
export function generate(
  name: string,
  dims: number[],
  seed: number,
  owner: string,
  fail: (message: string) => never = (m) => {
    throw new InputError(m)
  },
): Tensor {
  if (dims.length < 1 || dims.length > 2) fail(`${name} takes one size (a vector) or two (a matrix), not ${dims.length}`)
  const count = dims.reduce((n, d) => n * d, 1)
  if (count > LIMITS.maxTensorEntries) fail(`${name}(${dims.join(', ')}) has ${count} entries; the tutor's limit is ${LIMITS.maxTensorEntries} per tensor`)
  const t = tensor(dims)
  if (name === 'ones') t.data.fill(1)
  if (name === 'rand' || name === 'randn') {
    const next = mulberry32(fnv1a(`${seed}:${owner}`))
    if (name === 'rand') for (let i = 0; i < count; i++) t.data[i] = next()
    else
      for (let i = 0; i < count; i += 2) {
        // Box–Muller: two uniforms give two independent normals; 1 - u keeps the log's argument in (0, 1].
        const r = Math.sqrt(-2 * Math.log(1 - next()))
        const theta = 2 * Math.PI * next()
        t.data[i] = r * Math.cos(theta)
        if (i + 1 < count) t.data[i + 1] = r * Math.sin(theta)
      }
  }
  return t
}

/** A tensor moved a little, each entry scaled and shifted by its own small amount from `next`: another point to judge a formula at. */
export const nudged = (t: Tensor, next: () => number): Tensor =>
  tensor(
    t.shape,
    t.data.map((x) => x * (1 + 0.25 * (2 * next() - 1)) + 0.1 * (2 * next() - 1)),
  )
