/**
 * Full-batch AdamW written out (docs/protocol.md §3), on the host in float64 per element:
 * m ← β1 m + (1−β1) g,  v ← β2 v + (1−β2) g²,
 * w ← w − lr · (m / (1−β1^t)) / (√(v / (1−β2^t)) + ε)      (ε after the square root)
 * plus decoupled decay w ← w·(1 − lr·λ) on weight matrices only, before the Adam
 * update (paper A, torch) or after it (paper B). Moments are float32 like torch's.
 *
 * With `AdamSimd`, the same update runs as a float32 wasm SIMD loop (as torch does it
 * in float32) over copies in the kernel's memory — ~4× cheaper than the JS loop.
 */
import type { Optimizer } from "./CellSpec.ts"
import { sizeOf, type ParamInfo, type ParamSet } from "./params.ts"
import { loadSimdKernels, type SimdKernels } from "./simd/loader.ts"

export interface AdamMoments {
  readonly m: ParamSet
  readonly v: ParamSet
}

/** Staging buffers in a SIMD kernel's memory, sized for the largest parameter. */
export class AdamSimd {
  private constructor(
    readonly kernels: SimdKernels,
    readonly w: Float32Array,
    readonly g: Float32Array,
    readonly m: Float32Array,
    readonly v: Float32Array
  ) {}
  static create(layout: ReadonlyArray<ParamInfo>): AdamSimd | null {
    const largest = Math.max(...layout.map((i) => Math.ceil(sizeOf(i.shape) / 4) * 4))
    const k = loadSimdKernels(4 * 4 * largest + 1024)
    if (k === null) return null
    const a = k.arena
    return new AdamSimd(k, a.f32(largest), a.f32(largest), a.f32(largest), a.f32(largest))
  }
}

/** One update at step t (1-based; t drives the bias correction). */
export const adamwStep = (
  layout: ReadonlyArray<ParamInfo>,
  params: ParamSet,
  grads: ParamSet,
  moments: AdamMoments,
  t: number,
  opt: Optimizer,
  fast: AdamSimd | null = null
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
    const c1 = 1 - beta1
    const c2 = 1 - beta2
    const pre = decayBefore ? decay : 1
    const post = decayAfter ? decay : 1
    if (fast !== null) {
      const n = w.length
      fast.w.set(w)
      fast.g.set(g)
      fast.m.set(m)
      fast.v.set(v)
      fast.kernels.adam(Math.ceil(n / 4) * 4, fast.w, fast.g, fast.m, fast.v, { beta1, c1, beta2, c2, stepSize, invSqrtBc2, eps, pre, post })
      w.set(fast.w.subarray(0, n))
      m.set(fast.m.subarray(0, n))
      v.set(fast.v.subarray(0, n))
      continue
    }
    // float64 arithmetic per element; the stores round m, v and w to float32.
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
