/**
 * Gradient of the loss with respect to the logits z, given z = X·W + b on the
 * device. The temperature tau divides z before the loss (docs/protocol.md §5).
 *
 * float32 CE: softmax(z/τ) − y on the device, exactly as torch's float32 backward —
 * including softmax collapse: when Σ_{k≠y} e^{z_k−z_y} < 2^−24 the correct-class
 * probability rounds to 1 and its gradient is exactly 0.
 *
 * stable-audit CE: z is read to the host and the gradient is formed in float64 from
 * log-sum-exp, with the correct-class entry written as −Σ_{k≠y} p_k instead of p_y − 1.
 * That entry never cancels to 0, so the readout keeps the signal a float64 run keeps;
 * it is rounded to float32 only as a tiny nonzero number. See README.md.
 */
import type { Tensor2D, Tf } from "./tfTypes.ts"
import { readInto } from "./tfTypes.ts"

export type LossKind = "ce" | "mse"

export interface ReadoutConfig {
  readonly loss: LossKind
  readonly tau: number
  readonly audit: boolean
}

/** dL/dz for mean-over-examples loss. `onehot` is [n, k] float32; `scratch` ≥ n·k. */
export const logitGradient = (
  tf: Tf,
  z: Tensor2D,
  onehot: Tensor2D,
  labels: Int32Array,
  cfg: ReadoutConfig,
  scratch: Float32Array
): Tensor2D => {
  const [n, k] = z.shape
  const { tau } = cfg
  if (cfg.loss === "mse") {
    const zt = tau === 1 ? z : tf.div(z, tau)
    // d/dz Σ_k (z_k/τ − y_k)² averaged over n = 2(z/τ − y)/(τ n)
    return tf.mul(tf.sub(zt, onehot), 2 / (tau * n)) as Tensor2D
  }
  if (!cfg.audit) {
    const zt = tau === 1 ? z : tf.div(z, tau)
    return tf.mul(tf.sub(tf.softmax(zt), onehot), 1 / (tau * n)) as Tensor2D
  }
  readInto(tf, z, scratch)
  const scale = 1 / (tau * n)
  const e = new Float64Array(k)
  for (let r = 0; r < n; r++) {
    const o = r * k
    let m = -Infinity
    for (let c = 0; c < k; c++) {
      const v = Math.fround(scratch[o + c] / tau)
      e[c] = v
      if (v > m) m = v
    }
    let sum = 0
    for (let c = 0; c < k; c++) {
      e[c] = Math.exp(e[c] - m)
      sum += e[c]
    }
    const y = labels[r]
    let others = 0
    for (let c = 0; c < k; c++) {
      if (c === y) continue
      const pc = e[c] / sum
      others += pc
      scratch[o + c] = pc * scale
    }
    scratch[o + y] = -others * scale
  }
  return tf.tensor2d(scratch.subarray(0, n * k), [n, k])
}
