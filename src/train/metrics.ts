/**
 * Per-evaluation measurements from the logits of every dataset row (docs/protocol.md §4),
 * computed on the host in float64 from the float32 logits.
 */
import type { LossKind } from "./readout.ts"

export interface EvalPoint {
  readonly trainAcc: number
  readonly testAcc: number
  readonly trainLoss: number
  readonly testLoss: number
  /** L: mean over all rows of ‖z/τ‖₂. */
  readonly logitScale: number
  /** Fraction of train rows whose float32 softmax gives the correct class exactly 1. */
  readonly scRate: number
}

/** 2^−24: Σ_{k≠y} e^{z_k−z_y} at or below this makes fl32(1 + Σ) = 1, so p_y = 1.0 exactly. */
const COLLAPSE = Math.pow(2, -24)

/**
 * `z` is [n,k] row-major before the temperature; `isTrain[r]` marks train rows.
 * Logits are divided by tau in float32 (as torch does) before anything else.
 * MSE cells report scRate 0: no softmax enters their loss (paper B does the same).
 */
export const evaluateLogits = (
  z: Float32Array,
  n: number,
  k: number,
  labels: Int32Array,
  isTrain: Uint8Array,
  loss: LossKind,
  tau: number
): EvalPoint => {
  let trainN = 0
  let trainCorrect = 0
  let testCorrect = 0
  let trainLoss = 0
  let testLoss = 0
  let scale = 0
  let collapsed = 0
  const row = new Float64Array(k)
  for (let r = 0; r < n; r++) {
    const o = r * k
    let best = 0
    let max = -Infinity
    let sq = 0
    for (let c = 0; c < k; c++) {
      const v = tau === 1 ? z[o + c] : Math.fround(z[o + c] / tau)
      row[c] = v
      sq += v * v
      if (v > max) {
        max = v
        best = c
      }
    }
    scale += Math.sqrt(sq)
    const y = labels[r]
    let l: number
    let others = 0
    if (loss === "ce") {
      let sum = 0
      for (let c = 0; c < k; c++) sum += Math.exp(row[c] - max)
      l = Math.log(sum) + max - row[y]
      // Σ_{k≠y} e^{z_k−z_y} from the same sum: float64 keeps ~1e−9 relative accuracy
      // on it even at the 2^−24 collapse threshold.
      if (isTrain[r]) others = sum * Math.exp(max - row[y]) - 1
    } else {
      l = 0
      for (let c = 0; c < k; c++) {
        const e = row[c] - (c === y ? 1 : 0)
        l += e * e
      }
    }
    const correct = best === y ? 1 : 0
    if (isTrain[r]) {
      trainN++
      trainCorrect += correct
      trainLoss += l
      if (loss === "ce" && others <= COLLAPSE) collapsed++
    } else {
      testCorrect += correct
      testLoss += l
    }
  }
  const testN = n - trainN
  return {
    trainAcc: trainCorrect / trainN,
    testAcc: testN > 0 ? testCorrect / testN : NaN,
    trainLoss: trainLoss / trainN,
    testLoss: testN > 0 ? testLoss / testN : NaN,
    logitScale: scale / n,
    scRate: collapsed / trainN
  }
}
