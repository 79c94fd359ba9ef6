/** Deterministic test data: xorshift floats in [−s, s), every `tinyEvery`-th one scaled by 1e-6 (the far tails of exp and GELU). */
export const filler = (seed: number, tinyEvery = 0) => {
  let x = seed >>> 0 || 1
  return (a: Float32Array, s: number): Float32Array => {
    for (let i = 0; i < a.length; i++) {
      x ^= x << 13
      x ^= x >>> 17
      x ^= x << 5
      a[i] = ((x >>> 0) / 2 ** 32 - 0.5) * 2 * s * (tinyEvery > 0 && i % tinyEvery === 0 ? 1e-6 : 1)
    }
    return a
  }
}
