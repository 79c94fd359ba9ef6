import { describe, expect, it } from "vitest"
import { adamKernel, adamwStep } from "../../src/train/adamw.ts"
import { loadPortableGemm } from "../../src/train/simd/portableGemm.ts"
import type { Optimizer } from "../../src/train/CellSpec.ts"
import type { ParamInfo } from "../../src/train/params.ts"

const layout: ReadonlyArray<ParamInfo> = [
  { name: "W", shape: [3, 3], matrix: true, initStd: 1 },
  { name: "b", shape: [3], matrix: false, initStd: 0 }
]

/** Scalar AdamW written from the formula, for two steps. */
const reference = (w0: number, g: [number, number], opt: Optimizer, matrix: boolean): number => {
  let w = w0
  let m = 0
  let v = 0
  g.forEach((gi, k) => {
    const t = k + 1
    if (matrix && opt.decayOrder === "before") w *= 1 - opt.lr * opt.weightDecay
    m = opt.beta1 * m + (1 - opt.beta1) * gi
    v = opt.beta2 * v + (1 - opt.beta2) * gi * gi
    const mhat = m / (1 - opt.beta1 ** t)
    const vhat = v / (1 - opt.beta2 ** t)
    w -= (opt.lr * mhat) / (Math.sqrt(vhat) + opt.eps)
    if (matrix && opt.decayOrder === "after") w *= 1 - opt.lr * opt.weightDecay
  })
  return w
}

describe("AdamW", () => {
  for (const decayOrder of ["before", "after"] as const) {
    for (const simd of [undefined, "wasm", "addon"] as const) {
      it.skipIf(simd === "addon" && !("gemm" in loadPortableGemm()))(`matches the formula (decay ${decayOrder}, ${simd ?? "JS"}); biases are not decayed`, () => {
        const opt: Optimizer = { lr: 0.05, weightDecay: 2, beta1: 0.9, beta2: 0.999, eps: 1e-8, decayOrder }
        const params = { W: Float32Array.from({ length: 9 }, (_, i) => i - 4), b: Float32Array.from([1, -2, 3]) }
        const g1 = { W: Float32Array.from({ length: 9 }, (_, i) => 0.1 * (i + 1)), b: Float32Array.from([0.3, -0.2, 0]) }
        const g2 = { W: Float32Array.from({ length: 9 }, (_, i) => -0.05 * i), b: Float32Array.from([0.1, 0.1, 0.1]) }
        const moments = {
          m: { W: new Float32Array(9), b: new Float32Array(3) },
          v: { W: new Float32Array(9), b: new Float32Array(3) }
        }
        const w0 = { W: params.W.slice(), b: params.b.slice() }
        const fast = simd === undefined ? null : adamKernel(layout, simd)
        if (simd !== undefined) expect(fast?.where).toBe(simd)
        adamwStep(layout, params, g1, moments, 1, opt, fast)
        adamwStep(layout, params, g2, moments, 2, opt, fast)
        for (const name of ["W", "b"] as const)
          params[name].forEach((w, i) => {
            const want = reference(w0[name][i], [g1[name][i], g2[name][i]], opt, name === "W")
            expect(Math.abs(w - want)).toBeLessThan(1e-5 * Math.max(1, Math.abs(want)))
          })
      })
    }
  }

  it.skipIf(!("gemm" in loadPortableGemm()))("the addon's AdamW gives the wasm kernel's bits on every kernel path, in place", () => {
    const loaded = loadPortableGemm()
    if (!("gemm" in loaded)) throw new Error(loaded.reason)
    const gemm = loaded.gemm
    const n = 1000 // not a multiple of 16, 8 or 4: every tail
    const big: ReadonlyArray<ParamInfo> = [{ name: "W", shape: [n], matrix: true, initStd: 1 }]
    const opt: Optimizer = { lr: 3e-3, weightDecay: 1, beta1: 0.9, beta2: 0.98, eps: 1e-8, decayOrder: "before" }
    const wave = (scale: number, k: number) => Float32Array.from({ length: n }, (_, i) => scale * Math.sin(k * i + 0.3) * (i % 7 === 0 ? 1e-20 : 1))
    const run = (fast: ReturnType<typeof adamKernel>) => {
      const params = { W: wave(1, 0.7) }
      const moments = { m: { W: new Float32Array(n) }, v: { W: new Float32Array(n) } }
      for (let t = 1; t <= 3; t++) adamwStep(big, params, { W: wave(0.1 * t, 1.3 + t) }, moments, t, opt, fast)
      return [params.W, moments.m.W, moments.v.W].map((a) => Buffer.from(a.buffer).toString("hex")).join("")
    }
    const want = run(adamKernel(big, "wasm"))
    const before = gemm.kernel()
    try {
      for (const path of gemm.kernels()) {
        gemm.select(path)
        expect(run(adamKernel(big, "addon")), path).toBe(want)
      }
    } finally {
      gemm.select(before)
    }
  })
})
