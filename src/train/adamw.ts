/**
 * Full-batch AdamW written out (docs/protocol.md §3), on the host in float64 per element:
 * m ← β1 m + (1−β1) g,  v ← β2 v + (1−β2) g²,
 * w ← w − lr · (m / (1−β1^t)) / (√(v / (1−β2^t)) + ε)      (ε after the square root)
 * plus decoupled decay w ← w·(1 − lr·λ) on weight matrices only, before the Adam
 * update (paper A, torch) or after it (paper B). Moments are float32 like torch's.
 *
 * With an `AdamKernel`, the same update runs in float32 (as torch does it): in place
 * in the portable GEMM's addon (simd/adamKernel.ts) when it builds, else as a wasm
 * SIMD loop over copies in the wasm kernel's memory. Both give the same bits, ~4×
 * and more cheaper than the JS loop.
 */
import type { Optimizer } from "./CellSpec.ts"
import { sizeOf, type ParamInfo, type ParamSet } from "./params.ts"
import { loadSimdKernels, type AdamScalars } from "./simd/loader.ts"
import { loadPortableGemm } from "./simd/portableGemm.ts"

export interface AdamMoments {
  readonly m: ParamSet
  readonly v: ParamSet
}

/** The float32 update of one parameter array (the scalars of simd/kernels.ts's `adam`). */
export interface AdamKernel {
  readonly where: "addon" | "wasm"
  update(w: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, s: AdamScalars): void
}

/** The addon's AdamW, in place; undefined when the addon does not build here. */
const addonAdam = (): AdamKernel | undefined => {
  const loaded = loadPortableGemm()
  if (!("gemm" in loaded)) return undefined
  const gemm = loaded.gemm
  return {
    where: "addon",
    update: (w, g, m, v, s) => gemm.adam(w.length, w, g, m, v, s.beta1, s.c1, s.beta2, s.c2, s.stepSize, s.invSqrtBc2, s.eps, s.pre, s.post)
  }
}

/** The wasm kernel's AdamW over staging copies in its memory, sized for the largest parameter. */
const wasmAdam = (layout: ReadonlyArray<ParamInfo>): AdamKernel | undefined => {
  const largest = Math.max(...layout.map((i) => Math.ceil(sizeOf(i.shape) / 4) * 4))
  const k = loadSimdKernels(4 * 4 * largest + 1024)
  if (k === null) return undefined
  const a = k.arena
  const [sw, sg, sm, sv] = [a.f32(largest), a.f32(largest), a.f32(largest), a.f32(largest)]
  return {
    where: "wasm",
    update: (w, g, m, v, s) => {
      const n = w.length
      sw.set(w)
      sg.set(g)
      sm.set(m)
      sv.set(v)
      k.adam(Math.ceil(n / 4) * 4, sw, sg, sm, sv, s)
      w.set(sw.subarray(0, n))
      m.set(sm.subarray(0, n))
      v.set(sv.subarray(0, n))
    }
  }
}

/** The fastest float32 AdamW here (`prefer` forces one, for tests), or null for the JS loop. */
export const adamKernel = (layout: ReadonlyArray<ParamInfo>, prefer?: AdamKernel["where"]): AdamKernel | null =>
  (prefer !== "wasm" ? addonAdam() : undefined) ?? (prefer !== "addon" ? wasmAdam(layout) : undefined) ?? null

/** One update at step t (1-based; t drives the bias correction). */
export const adamwStep = (
  layout: ReadonlyArray<ParamInfo>,
  params: ParamSet,
  grads: ParamSet,
  moments: AdamMoments,
  t: number,
  opt: Optimizer,
  fast: AdamKernel | null = null
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
      fast.update(w, g, m, v, { beta1, c1, beta2, c2, stepSize, invSqrtBc2, eps, pre, post })
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
