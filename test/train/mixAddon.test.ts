/**
 * The attention mix addon (src/train/models/mixAddon.ts) against the wasm kernels it
 * stands in for (attentionSimd.ts): the same bits on every kernel path this CPU
 * runs, forward with and without GELU and the adjoint with even and odd term
 * counts, over widths with every kind of tail.
 */
import { describe, expect, it } from "vitest"
import { loadMixKernels } from "../../src/train/models/attentionSimd.ts"
import { loadMixAddon } from "../../src/train/models/mixAddon.ts"
import { loadPortableGemm } from "../../src/train/simd/portableGemm.ts"
import { loadSimdKernels } from "../../src/train/simd/loader.ts"
import { filler } from "./filler.ts"

const loaded = loadMixAddon()
const addon = "addon" in loaded ? loaded.addon : undefined
const simd = loadSimdKernels(1 << 24)
const wasm = simd === null ? null : loadMixKernels(simd.arena.memory)

const hex = (...arrays: ReadonlyArray<Float32Array>): string => arrays.map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("hex")).join("|")

// Wherever the portable GEMM builds, so must this addon (same compiler, same kind of code).
it.skipIf(!("gemm" in loadPortableGemm()))("the addon builds wherever the portable GEMM does", () => {
  expect("reason" in loaded ? loaded.reason : "built").toBe("built")
})

describe.skipIf(addon === undefined || wasm === null)("attention mix addon", () => {
  // Widths: the model's (M + V′ = 512 + 112), and tails of 4, 8 and 12 past 16 and 64.
  const shapes: ReadonlyArray<readonly [width: number, seg1: number, kc: number]> = [
    [624, 512, 8], [44, 32, 8], [76, 20, 7], [40, 40, 5], [52, 8, 13], [12, 12, 1]
  ]
  it.each(shapes)("width %i, first segment %i, %i terms: the wasm kernels' bits on every path", (width, seg1, kc) => {
    if (addon === undefined || wasm === null || simd === null) return
    const f = (k: number) => simd.arena.f32(k)
    const fill = filler(width * 31 + kc, 11)
    const [n, K, rows] = [23, kc + 2, 41]
    const seg2 = width - seg1
    const idx = simd.arena.i32(n * K)
    for (let i = 0; i < idx.length; i++) idx[i] = (i * 7919 + 3) % rows
    const w = fill(f(n * K), 1)
    const T = fill(f(rows * width), 3)
    const base = fill(f(width), 1)
    const forward = (run: (o1: Float32Array, o2: Float32Array, g: Float32Array | null) => void, gelu: boolean) => {
      const [o1, o2, g] = [f(n * seg1), f(n * seg2), f(n * seg1)]
      run(o1, o2, gelu ? g : null)
      return gelu ? hex(o1, o2, g) : hex(o1, o2)
    }
    const d1Init = fill(new Float32Array(n * seg1), 2)
    const gInit = fill(new Float32Array(n * seg1), 1)
    const d2 = fill(f(n * seg2), 2)
    const backward = (run: (d1: Float32Array, g: Float32Array | null, dw: Float32Array, dT: Float32Array, dbase: Float32Array) => void, withG: boolean) => {
      const [d1, g, dw, dT, dbase] = [f(n * seg1), f(n * seg1), f(n * K), f(rows * width), f(width)]
      d1.set(d1Init)
      g.set(gInit)
      run(d1, withG ? g : null, dw, dT, dbase)
      return hex(d1, dw.subarray(0, n * K), dT, dbase)
    }
    const scratch = f(width + 4)
    const before = addon.kernel()
    try {
      for (const gelu of [false, true]) {
        const want = forward((o1, o2, g) => wasm.mixRows(n, kc, K, idx, w, T, width, seg1, base, o1, o2, g), gelu)
        for (const path of addon.kernels()) {
          addon.select(path)
          expect(forward((o1, o2, g) => addon.mixRows(n, kc, K, idx, w, T, width, seg1, base, o1, o2, g), gelu), `${path} gelu=${gelu}`).toBe(want)
        }
      }
      for (const withG of [false, true]) {
        // dw entries past kc are the kernels' to leave alone: both start from zeros.
        const want = backward((d1, g, dw, dT, dbase) => wasm.mixRowsBack(n, kc, K, idx, w, T, width, seg1, d1, g, d2, dw, dT, scratch, dbase), withG)
        for (const path of addon.kernels()) {
          addon.select(path)
          expect(backward((d1, g, dw, dT, dbase) => addon.mixRowsBack(n, kc, K, idx, w, T, width, seg1, d1, g, d2, dw, dT, scratch, dbase, null, 0), withG), `${path} g=${withG}`).toBe(want)
        }
      }
    } finally {
      addon.select(before)
    }
  })

  it.each([4, 3])("a second pass over the b terms in b order keeps the one-pass bits (%i heads, the model's rows)", (heads) => {
    if (addon === undefined || wasm === null || simd === null) return
    const f = (k: number) => simd.arena.f32(k)
    const fill = filler(heads * 97, 7)
    const [V, n, width, seg1] = [13, 60, 76, 44]
    const R = 2 * V + 1
    const rows = heads * R + 1
    const K = 3 * heads + 1
    const kc = 2 * heads
    // Examples in (a, b) order, as the model's batches; some pairs repeat.
    const ab = Array.from({ length: n }, (_, r) => [(r * 5) % V, (r * 11 + (r >> 3)) % V] as const).sort((x, y) => x[0] - y[0] || x[1] - y[1])
    const idx = simd.arena.i32(n * K)
    ab.forEach(([a, b], r) => {
      for (let h = 0; h < heads; h++) {
        idx[r * K + h] = h * R + a
        idx[r * K + heads + h] = h * R + V + b
      }
    })
    const byB = Int32Array.from(ab.map((_, r) => r).sort((x, y) => ab[x]![1] - ab[y]![1] || x - y))
    const w = fill(f(n * K), 1)
    const T = fill(f(rows * width), 3)
    const d1Init = fill(new Float32Array(n * seg1), 2)
    const g = fill(f(n * seg1), 1)
    const d2 = fill(f(n * (width - seg1)), 2)
    const scratch = f(width + 4)
    const run = (back: (d1: Float32Array, dw: Float32Array, dT: Float32Array, dbase: Float32Array) => void) => {
      const [d1, dw, dT, dbase] = [f(n * seg1), f(n * K), f(rows * width), f(width)]
      d1.set(d1Init)
      back(d1, dw, dT, dbase)
      return hex(d1, dw, dT, dbase)
    }
    const want = run((d1, dw, dT, dbase) => wasm.mixRowsBack(n, kc, K, idx, w, T, width, seg1, d1, g, d2, dw, dT, scratch, dbase))
    const before = addon.kernel()
    try {
      for (const path of addon.kernels()) {
        addon.select(path)
        expect(run((d1, dw, dT, dbase) => addon.mixRowsBack(n, kc, K, idx, w, T, width, seg1, d1, g, d2, dw, dT, scratch, dbase, byB, heads)), path).toBe(want)
      }
      // An order that is not stable within a b moves bits: the test can fail.
      const unstable = byB.slice().reverse()
      expect(run((d1, dw, dT, dbase) => addon.mixRowsBack(n, kc, K, idx, w, T, width, seg1, d1, g, d2, dw, dT, scratch, dbase, unstable, heads))).not.toBe(want)
    } finally {
      addon.select(before)
    }
  })

  it("GELU alone gives the wasm gelu kernel's bits on every path, tails included", () => {
    if (addon === undefined || simd === null) return
    const count = 1000 + 12
    const fill = filler(5, 9)
    const x = fill(simd.arena.f32(count), 12)
    const [h, g, h2, g2] = [simd.arena.f32(count), simd.arena.f32(count), new Float32Array(count), new Float32Array(count)]
    simd.gelu(count, x, h, g)
    const before = addon.kernel()
    try {
      for (const path of addon.kernels()) {
        addon.select(path)
        addon.gelu(count, x, h2, g2)
        expect(hex(h2, g2), path).toBe(hex(h, g))
      }
    } finally {
      addon.select(before)
    }
  })

  it("refuses a row index past the table and a width that is not a multiple of 4", () => {
    if (addon === undefined) return
    const idx = Int32Array.of(0, 5)
    const w = Float32Array.of(1, 1)
    const T = new Float32Array(4 * 4)
    const out = new Float32Array(8)
    expect(() => addon.mixRows(1, 2, 2, idx, w, T, 4, 4, new Float32Array(4), out, new Float32Array(0), null)).toThrow(/bad operands/)
    expect(() => addon.mixRows(1, 1, 2, idx, w, T, 6, 4, new Float32Array(6), out, new Float32Array(2), null)).toThrow(/bad operands/)
  })
})
