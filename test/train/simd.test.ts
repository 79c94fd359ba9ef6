import { beforeAll, describe, expect, it } from "vitest"
import { buildDataset, seedSplit } from "../../src/train/data.ts"
import { geluForward } from "../../src/train/gelu.ts"
import { initParams } from "../../src/train/initParams.ts"
import { mlpLossGrad, MlpScratch, type MlpDims } from "../../src/train/models/mlp.ts"
import { layoutOf, zerosLike } from "../../src/train/params.ts"
import { loadSimdKernels } from "../../src/train/simd/loader.ts"
import type { Tf } from "../../src/train/tfTypes.ts"
import { smallSpec } from "./specs.ts"
import { useBackend } from "./tfBackends.ts"

/** Exact GELU in float64 via erf from its Taylor / continued-fraction forms. */
const erf = (x: number): number => {
  const z = Math.abs(x)
  if (z < 3) {
    let term = z
    let sum = z
    for (let n = 1; n < 80; n++) {
      term *= (-z * z) / n
      sum += term / (2 * n + 1)
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum
  }
  // erfc continued fraction (Lentz), accurate for z ≥ 3
  let f = z
  for (let k = 60; k >= 1; k--) f = z + k / 2 / f
  return Math.sign(x) * (1 - Math.exp(-z * z) / (Math.sqrt(Math.PI) * f))
}
const gelu = (x: number): number => 0.5 * x * (1 + erf(x / Math.SQRT2))

describe("GELU implementations", () => {
  it("the host table and the SIMD kernel agree with the exact GELU", () => {
    const k = loadSimdKernels(1 << 20)
    const n = 4096
    const x = k !== null ? k.arena.f32(n) : new Float32Array(n)
    for (let i = 0; i < n; i++) x[i] = -12 + (24 * i) / n
    const h = new Float32Array(n)
    const g = new Float32Array(n)
    geluForward(x, h, g)
    let worstTable = 0
    for (let i = 0; i < n; i++) worstTable = Math.max(worstTable, Math.abs(h[i] - gelu(x[i])))
    expect(worstTable).toBeLessThan(1e-6)
    expect(k).not.toBeNull()
    if (k === null) return
    const hs = k.arena.f32(n)
    const gs = k.arena.f32(n)
    k.gelu(n, x, hs, gs)
    let worstH = 0
    let worstG = 0
    for (let i = 0; i < n; i++) {
      worstH = Math.max(worstH, Math.abs(hs[i] - gelu(x[i])))
      worstG = Math.max(worstG, Math.abs(gs[i] - g[i]))
    }
    expect(worstH).toBeLessThan(2e-6)
    expect(worstG).toBeLessThan(1e-6)
  })
})

describe("SIMD and JS MLP paths", () => {
  let tf: Tf
  beforeAll(async () => {
    tf = await useBackend("cpu")
  })
  for (const layerNorm of [false, true]) {
    it(`give the same gradients (layerNorm=${layerNorm})`, () => {
      const spec = smallSpec({ task: { p: 11, op: "add", trainFraction: 0.5 }, model: { kind: "mlp", d: 8, hidden: 12, layerNorm } })
      const dims: MlpDims = { p: 11, d: 8, H: 12, layerNorm }
      const data = buildDataset(11, "add")
      const rows = seedSplit(spec, 0, data).train
      const pick = (src: Int32Array) => Int32Array.from(rows, (r) => src[r])
      const y = pick(data.y)
      const oh = new Float32Array(y.length * 11)
      y.forEach((c, r) => (oh[r * 11 + c] = 1))
      const onehot = tf.tensor2d(oh, [y.length, 11])
      const batch = { a: pick(data.a), b: pick(data.b), y, n: rows.length, onehot }
      const params = initParams(spec, 0)
      const readout = { loss: "ce" as const, tau: 1, audit: false }
      const withSimd = new MlpScratch(dims, data.size, true)
      const withJs = new MlpScratch(dims, data.size, false)
      expect(withSimd.simd).not.toBeNull()
      expect(withJs.simd).toBeNull()
      const g1 = zerosLike(layoutOf(spec))
      const g2 = zerosLike(layoutOf(spec))
      mlpLossGrad(tf, dims, params, batch, readout, g1, withSimd)
      mlpLossGrad(tf, dims, params, batch, readout, g2, withJs)
      for (const name of Object.keys(g1)) {
        let num = 0
        let den = 0
        g1[name].forEach((v, i) => {
          num += (v - g2[name][i]) ** 2
          den += g2[name][i] ** 2
        })
        expect(Math.sqrt(num / den), name).toBeLessThan(1e-5)
      }
      onehot.dispose()
    })
  }
})
