/**
 * Full-batch AdamW written out (science.md §3), on the host in float64 per element:
 * m ← β1 m + (1−β1) g,  v ← β2 v + (1−β2) g²,
 * w ← w − lr · (m / (1−β1^t)) / (√(v / (1−β2^t)) + ε)      (ε after the square root)
 * plus decoupled decay w ← w·(1 − lr·λ) on weight matrices only, before the Adam
 * update (paper A, torch) or after it (paper B). Moments are float32 like torch's.
 */
import type { Optimizer } from "./CellSpec.ts"
import type { ParamInfo, ParamSet } from "./params.ts"

export interface AdamMoments {
  readonly m: ParamSet
  readonly v: ParamSet
}

/** One update at step t (1-based; t drives the bias correction). */
export const adamwStep = (
  layout: ReadonlyArray<ParamInfo>,
  params: ParamSet,
  grads: ParamSet,
  moments: AdamMoments,
  t: number,
  opt: Optimizer
): void => {
  const { lr, beta1, beta2, eps, weightDecay } = opt
  const bc1 = 1 - Math.pow(beta1, t)
  const bc2 = 1 - Math.pow(beta2, t)
  const stepSize = lr / bc1
  const invSqrtBc2 = 1 / Math.sqrt(bc2)
  const decay = 1 - lr * weightDecay
  for (const info of layout) {
    const w = params[info.name]
    const g = grads[info.name]
    const m = moments.m[info.name]
    const v = moments.v[info.name]
    const decayBefore = info.matrix && opt.decayOrder === "before"
    const decayAfter = info.matrix && opt.decayOrder === "after"
    // float64 arithmetic per element; the stores round m, v and w to float32.
    const c1 = 1 - beta1
    const c2 = 1 - beta2
    const pre = decayBefore ? decay : 1
    const post = decayAfter ? decay : 1
    for (let i = 0; i < w.length; i++) {
      const gi = g[i]
      const mi = beta1 * m[i] + c1 * gi
      const vi = beta2 * v[i] + c2 * gi * gi
      m[i] = mi
      v[i] = vi
      w[i] = (w[i] * pre - (stepSize * mi) / (Math.sqrt(vi) * invSqrtBc2 + eps)) * post
    }
  }
}
