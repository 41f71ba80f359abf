// The one seeded generator, for what must come out the same everywhere for the same seed (random
// exercises, rand and randn in tensor values): never Math.random.

/** Mulberry32: a small, well-mixed 32-bit generator of numbers in [0, 1); the seed alone decides the sequence. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
