/**
 * The portable GEMM's definition (src/train/simd/portableGemm.ts): every path gives
 * the bits of one fmaf chain over k in order, for every operand layout, edge tiles,
 * k-slices (k > 128) and beta.
 *
 * Two checks per shape: operands with 8 significant bits make every step exact, so
 * the JS chain below is the right answer whatever the order — that checks indexing,
 * transposes, padding and beta; full-precision operands round at every step, so
 * there the vector paths must reproduce the scalar fmaf path bit for bit — that
 * checks the order.
 */
import { describe, expect, it } from "vitest"
import { loadSimdKernels } from "../../src/train/simd/loader.ts"
import { loadPortableGemm } from "../../src/train/simd/portableGemm.ts"

const portable = loadPortableGemm()

/** xorshift floats in [-1, 1) with few significant bits, so fma(a, b, acc) is exact in float64. */
const operand = (n: number, seed: number): Float32Array => {
  let s = seed >>> 0 || 1
  const out = new Float32Array(n)
  for (let i = 0; i < n; i++) {
    s ^= s << 13
    s ^= s >>> 17
    s ^= s << 5
    out[i] = ((s >>> 0) % 256 - 128) / 128
  }
  return out
}

/** Full-precision operands: products and sums round. */
const full = (n: number, seed: number): Float32Array => Float32Array.from({ length: n }, (_, i) => Math.fround(Math.sin(i * 1.7 + seed) * 1.3))

const chain = (ta: boolean, tb: boolean, m: number, n: number, k: number, A: Float32Array, B: Float32Array, C: Float32Array, beta: number): Float32Array => {
  const out = new Float32Array(m * n)
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let acc = beta === 0 ? 0 : Math.fround(beta * C[i * n + j])
      for (let q = 0; q < k; q++) acc = Math.fround((ta ? A[q * m + i] : A[i * k + q]) * (tb ? B[j * k + q] : B[q * n + j]) + acc)
      out[i * n + j] = acc
    }
  return out
}

describe.skipIf(!("gemm" in portable))("portable GEMM", () => {
  const gemm = "gemm" in portable ? portable.gemm : undefined
  const shapes: Array<[number, number, number]> = [[1, 1, 1], [3, 5, 7], [6, 16, 1], [8, 32, 129], [13, 59, 300], [59, 33, 17], [17, 64, 0], [37, 71, 523], [1, 59, 300], [1, 700, 3]]
  for (const [m, n, k] of shapes) {
    for (const ta of [false, true])
      for (const tb of [false, true])
        for (const beta of [0, 1]) {
          it(`${ta ? "T" : "N"}${tb ? "T" : "N"} ${m}×${n}×${k} beta ${beta}: every path is the k-ordered fma chain`, () => {
            if (gemm === undefined) return
            const A = operand(m * k, 1 + m)
            const B = operand(k * n, 2 + n)
            const C = operand(m * n, 3 + k)
            const want = chain(ta, tb, m, n, k, A, B, C, beta)
            const run = (path: string, a: Float32Array, b: Float32Array, c: Float32Array): Array<number> => {
              gemm.select(path as "scalar")
              const got = c.slice()
              gemm.sgemm(ta, tb, m, n, k, a, b, got, beta)
              return Array.from(got)
            }
            for (const path of gemm.kernels()) expect(run(path, A, B, C), path).toEqual(Array.from(want))
            const [fa, fb, fc] = [full(m * k, 1), full(k * n, 2), full(m * n, 3)]
            const scalar = run("scalar", fa, fb, fc)
            for (const path of gemm.kernels()) expect(run(path, fa, fb, fc), path).toEqual(scalar)
            gemm.select(gemm.kernels().at(-1) ?? "scalar")
          })
        }
  }
})

describe.skipIf(!("gemm" in portable))("portable gatherGelu and scatter", () => {
  it("gives the wasm SIMD kernels' bits on every path (gather + GELU, scatter-add)", () => {
    const gemm = "gemm" in portable ? portable.gemm : undefined
    const n = 37
    const H = 52
    const rows = 11
    const simd = loadSimdKernels(4 * (2 * rows * 2 * H + H + 5 * n * H + 2 * n) + 8192)
    if (gemm === undefined || simd === null) return
    const f = simd.arena.f32.bind(simd.arena)
    const PQ = f(rows * 2 * H)
    const b1 = f(H)
    const a = simd.arena.i32(n)
    const b = simd.arena.i32(n)
    const [h, g] = [f(n * H), f(n * H)]
    // Values across GELU's whole range: tails, zeros, tiny, large, both signs.
    const special = [0, -0, 1e-30, -1e-30, 5, -5, 12, -12, 40, -40, 1e30, -1e30]
    PQ.forEach((_, i) => (PQ[i] = i < special.length ? special[i] : Math.fround(Math.sin(i * 12.9898) * 6)))
    b1.forEach((_, i) => (b1[i] = Math.fround(Math.cos(i) * 0.5)))
    for (let r = 0; r < n; r++) {
      a[r] = (r * 7) % rows
      b[r] = (r * 3 + 1) % rows
    }
    simd.gatherGelu(n, H, 2 * H, a, b, PQ, PQ.subarray(H), b1, h, g)
    const [wantH, wantG] = [Array.from(h), Array.from(g)]
    for (const path of gemm.kernels()) {
      gemm.select(path)
      h.fill(Number.NaN)
      g.fill(Number.NaN)
      gemm.gatherGelu(n, H, 2 * H, a, b, PQ, PQ.subarray(H), b1, h, g)
      expect(Array.from(h), path).toEqual(wantH)
      expect(Array.from(g), path).toEqual(wantG)
    }
    // The adjoint's scatter-add, into rows that repeat (so the row order shows).
    const dx = f(n * H)
    dx.forEach((_, i) => (dx[i] = Math.fround(Math.sin(i * 0.77) * 3)))
    const dPQ = f(rows * 2 * H)
    simd.scatter(n, H, 2 * H, a, b, dx, g, dPQ, dPQ.subarray(H))
    const wantD = Array.from(dPQ)
    for (const path of gemm.kernels()) {
      gemm.select(path)
      dPQ.fill(0)
      gemm.scatter(n, H, 2 * H, a, b, dx, g, dPQ, dPQ.subarray(H))
      expect(Array.from(dPQ), path).toEqual(wantD)
    }
    gemm.select(gemm.kernels().at(-1) ?? "scalar")
    expect(() => gemm.gatherGelu(1, H, 2 * H, Int32Array.of(rows), Int32Array.of(0), PQ, PQ.subarray(H), b1, h, g)).toThrow(/out of range/)
  })
})

describe.skipIf(!("gemm" in portable))("portable softmaxGrad", () => {
  it("is one order on every path, near the float64 softmax, and keeps float32's softmax collapse", () => {
    const gemm = "gemm" in portable ? portable.gemm : undefined
    if (gemm === undefined) return
    const [n, k, tau] = [9, 37, 1.3]
    const z = Float32Array.from({ length: n * k }, (_, i) => Math.fround(Math.sin(i * 3.1) * 8))
    const y = Int32Array.from({ length: n }, (_, r) => (r * 5) % k)
    // Row 0 collapses: the correct class leads by 40/τ, so Σ_{c≠y} e^{z_c−z_y} < 2^−24.
    z[y[0]] = 60
    const scale = 1 / (tau * n)
    const runs = gemm.kernels().map((path) => {
      gemm.select(path)
      const dz = new Float32Array(n * k)
      gemm.softmaxGrad(n, k, z, y, tau, scale, dz)
      return Array.from(dz)
    })
    gemm.select(gemm.kernels().at(-1) ?? "scalar")
    for (const r of runs) expect(r).toEqual(runs[0])
    const dz = runs[0]
    expect(dz[y[0]]).toBe(0)
    for (let r = 0; r < n; r++) {
      const t = Array.from(z.subarray(r * k, (r + 1) * k), (v) => v / tau)
      const m = Math.max(...t)
      const e = t.map((v) => Math.exp(v - m))
      const sum = e.reduce((a, b) => a + b, 0)
      for (let c = 0; c < k; c++) {
        const want = (e[c] / sum - (c === y[r] ? 1 : 0)) * scale
        expect(Math.abs(dz[r * k + c] - want), `row ${r} class ${c}`).toBeLessThan(1e-6 * scale + 1e-7 * Math.abs(want))
      }
    }
  })

  it("reads and writes rows ld floats apart in place, with the bits of packed rows, and leaves the padding alone", () => {
    const gemm = "gemm" in portable ? portable.gemm : undefined
    if (gemm === undefined) return
    const [n, k, ld] = [5, 37, 48]
    const packed = Float32Array.from({ length: n * k }, (_, i) => Math.fround(Math.cos(i * 1.7) * 6))
    const y = Int32Array.from({ length: n }, (_, r) => (r * 7) % k)
    const want = new Float32Array(n * k)
    gemm.softmaxGrad(n, k, packed, y, 1, 0.5, want)
    const z = new Float32Array(n * ld).fill(NaN)
    for (let r = 0; r < n; r++) z.set(packed.subarray(r * k, (r + 1) * k), r * ld)
    const before = gemm.kernel()
    try {
      for (const path of gemm.kernels()) {
        gemm.select(path)
        const dz = new Float32Array(n * ld).fill(7)
        gemm.softmaxGrad(n, k, z, y, 1, 0.5, dz, ld)
        for (let r = 0; r < n; r++) {
          expect(Array.from(dz.subarray(r * ld, r * ld + k)), `${path} row ${r}`).toEqual(Array.from(want.subarray(r * k, (r + 1) * k)))
          expect(Array.from(dz.subarray(r * ld + k, (r + 1) * ld)).every((v) => v === 7), `${path} row ${r} padding`).toBe(true)
        }
      }
    } finally {
      gemm.select(before)
    }
    expect(() => gemm.softmaxGrad(n, k, z, y, 1, 0.5, new Float32Array(n * ld), k - 1)).toThrow(/bad operands/)
  })
})
