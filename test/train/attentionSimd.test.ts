/**
 * The folded attention's mix (attentionMix.ts, on its fastest kernels: the C addon
 * where it builds, else the wasm kernels of attentionSimd.ts; the two give the same
 * bits, test/train/mixAddon.test.ts) against its JS loops, and the fused GELU
 * against the shared GELU kernel (simd/kernels.ts): the same bits.
 */
import { describe, expect, it } from "vitest"
import { AttentionNet } from "../../src/train/models/attention.ts"
import { AttentionMix } from "../../src/train/models/attentionMix.ts"
import { loadSimdKernels } from "../../src/train/simd/loader.ts"
import type { Tf } from "../../src/train/tfTypes.ts"
import { filler } from "./filler.ts"

const dims = { p: 13, d: 16, heads: 4, M: 32, preLN: false }
const n = 37
const seg2 = 12
const width = dims.M + seg2

const setup = () => {
  const simd = loadSimdKernels(1 << 22)
  if (simd === null) return null
  const mixS = new AttentionMix(dims, n, width, simd)
  const mixJ = new AttentionMix(dims, n, width, null)
  const fill = filler(7)
  const T = mixS.T
  for (const m of [mixS, mixJ]) {
    fill(m.w, 1)
    for (let i = 0; i < m.idx.length; i++) m.idx[i] = (i * 7919) % T
  }
  mixJ.w.set(mixS.w)
  const f = (k: number) => simd.arena.f32(k)
  return { simd, mixS, mixJ, fill, T, f }
}

const maxAbs = (a: Float32Array, b: Float32Array): number => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0)

describe("attention mix kernels", () => {
  const s = setup()
  it.skipIf(s === null)("mix and its adjoint match the JS loops", () => {
    if (s === null) return
    const { mixS, mixJ, fill, T, f } = s
    const tab = fill(f(T * width), 3)
    const base = fill(f(width), 1)
    const [o1, o2, j1, j2] = [f(n * dims.M), f(n * seg2), new Float32Array(n * dims.M), new Float32Array(n * seg2)]
    mixS.mix(n, mixS.KAB, tab, width, dims.M, base, o1, o2)
    mixJ.mix(n, mixJ.KAB, tab, width, dims.M, base, j1, j2)
    expect(maxAbs(o1, j1)).toBeLessThan(1e-5)
    expect(maxAbs(o2, j2)).toBeLessThan(1e-5)
    const d1 = fill(f(n * dims.M), 1)
    const g = fill(f(n * dims.M), 1)
    const d2 = fill(f(n * seg2), 1)
    const [dtab, dbase] = [f(T * width), f(width)]
    const [jd1, jd2, jdtab, jdbase] = [Float32Array.from(d1), Float32Array.from(d2), new Float32Array(T * width), new Float32Array(width)]
    mixS.mixBack(n, mixS.K, tab, width, dims.M, d1, g, d2, dtab, dbase)
    mixJ.mixBack(n, mixJ.K, tab, width, dims.M, jd1, Float32Array.from(g), jd2, jdtab, jdbase)
    expect(maxAbs(d1, jd1)).toBe(0)
    expect(maxAbs(dtab, jdtab)).toBeLessThan(1e-5)
    expect(maxAbs(dbase, jdbase)).toBeLessThan(1e-5)
    expect(maxAbs(mixS.dw, mixJ.dw)).toBeLessThan(1e-4)
  })
  it.skipIf(s === null)("the fused GELU gives the shared GELU kernel's bits", () => {
    if (s === null) return
    const { simd, mixS, fill, T, f } = s
    // Spread the pre-activations over GELU's whole range, tails included.
    const tab = fill(f(T * width), 8)
    const base = fill(f(width), 4)
    const [u, o2, hid, g, hid2, g2, o2b] = [f(n * dims.M), f(n * seg2), f(n * dims.M), f(n * dims.M), f(n * dims.M), f(n * dims.M), f(n * seg2)]
    mixS.mix(n, mixS.KAB, tab, width, dims.M, base, u, o2)
    simd.gelu(n * dims.M, u, hid, g)
    mixS.mixGelu(n, mixS.KAB, tab, width, dims.M, base, u, hid2, g2, o2b, () => {
      throw new Error("SIMD path expected")
    })
    expect(Array.from(hid2)).toEqual(Array.from(hid))
    expect(Array.from(g2)).toEqual(Array.from(g))
    expect(Array.from(o2b)).toEqual(Array.from(o2))
    expect(Math.min(...u)).toBeLessThan(-15)
    expect(Math.max(...u)).toBeGreaterThan(15)
  })
})

describe("attention arena", () => {
  // Every buffer is carved from one arena sized up front; a shape it undersizes throws here.
  for (const p of [59, 97]) {
    for (const preLN of [false, true]) {
      it(`p=${p} ${preLN ? "pre-LN" : "no LN"}: the paper's shapes fit`, () => {
        // The constructor allocates only; no tfjs call is made.
        expect(() => new AttentionNet({} as Tf, { p, d: 128, heads: 4, M: 512, preLN }, p * p)).not.toThrow()
      })
    }
  }
})
