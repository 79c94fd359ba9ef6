/**
 * Small seedable PRNG for the bootstraps: a splitmix32 seed scrambler feeding
 * mulberry32. Deterministic given the seed, so every CI is reproducible and cacheable.
 */

/** A uniform generator on [0, 1). */
export type Rng = () => number

/** Scrambles a seed so that nearby seeds (0, 1, 2, …) start far apart (splitmix32 finalizer). */
const splitmix32 = (x: number): number => {
  let z = (x + 0x9e3779b9) | 0
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
  return (z ^ (z >>> 16)) >>> 0
}

/** mulberry32 generator seeded with any finite number (truncated to 32 bits, then scrambled). */
export const createRng = (seed: number): Rng => {
  if (!Number.isFinite(seed)) throw new RangeError(`createRng: seed must be finite, got ${seed}`)
  let state = splitmix32(Math.trunc(seed) >>> 0)
  return () => {
    state = (state + 0x6d2b79f5) | 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A uniform integer in [0, n). */
export const randomIndex = (rng: Rng, n: number): number => Math.floor(rng() * n)

/** n indices drawn uniformly with replacement from [0, n): one bootstrap resample of n units. */
export const resampleIndices = (rng: Rng, n: number): number[] => {
  const out = new Array<number>(n)
  for (let i = 0; i < n; i++) out[i] = randomIndex(rng, n)
  return out
}

/** The values of xs at the given indices (a resample built from resampleIndices). */
export const pick = <T>(xs: ReadonlyArray<T>, indices: ReadonlyArray<number>): T[] =>
  indices.map((i) => xs[i] as T)
