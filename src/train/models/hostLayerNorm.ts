/**
 * Parameter-free LayerNorm over rows on the host, y = (x − mean)·rstd with the
 * biased variance (two passes), rstd stored per row: the fallback where the SIMD
 * kernel does not apply, shared by both models so they normalize identically.
 */
export const layerNormRows = (x: Float32Array, y: Float32Array, rstd: Float32Array, rows: number, width: number, eps: number): void => {
  for (let r = 0; r < rows; r++) {
    const o = r * width
    let mean = 0
    for (let j = 0; j < width; j++) mean += x[o + j]
    mean /= width
    let v = 0
    for (let j = 0; j < width; j++) {
      const c = x[o + j] - mean
      v += c * c
    }
    const inv = 1 / Math.sqrt(v / width + eps)
    rstd[r] = inv
    for (let j = 0; j < width; j++) y[o + j] = (x[o + j] - mean) * inv
  }
}

/** Its backward: dx = rstd·(dy − mean(dy) − y·mean(dy·y)) per row (dx may alias dy). */
export const layerNormRowsBack = (dy: Float32Array, y: Float32Array, rstd: Float32Array, dx: Float32Array, rows: number, width: number): void => {
  for (let r = 0; r < rows; r++) {
    const o = r * width
    let m1 = 0
    let m2 = 0
    for (let j = 0; j < width; j++) {
      m1 += dy[o + j]
      m2 += dy[o + j] * y[o + j]
    }
    m1 /= width
    m2 /= width
    const inv = rstd[r]
    for (let j = 0; j < width; j++) dx[o + j] = inv * (dy[o + j] - m1 - y[o + j] * m2)
  }
}
