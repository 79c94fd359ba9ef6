/**
 * The per-example attention of the folded model: the 3-way softmax per head over
 * the gathered scores, and the mix of table rows it weights.
 *
 * Example (a, b) mixes K = 3·heads + 1 rows of a table whose first heads·R rows are
 * head-masked value rows (h, row) and whose last row is the residual x_= (weight 1).
 * The weights and row numbers are stored per example in the order
 *   [A0 (h = 0…heads−1) | A1 (h) | A2 (h) | 1],
 * rows h·R + a, h·R + V + b, h·R + 2V and T − 1. The first 2·heads entries depend on
 * the example's tokens; the last heads + 1 rows are the same for every example
 * ("shared rows"), so a caller may mix only the first KAB entries and add the shared
 * part as one product (attentionBlock.ts).
 *
 * The mix and its adjoint run in the C addon (mixAddon.ts) where it builds, else as
 * wasm SIMD kernels over the arena (attentionSimd.ts), else in JS; the addon and the
 * wasm kernels give the same bits.
 */
import type { SimdArena, SimdKernels } from "../simd/loader.ts"
import type { AttentionBatch, AttentionDims } from "./attentionTables.ts"
import { loadMixKernels, type MixKernels } from "./attentionSimd.ts"
import { mixAddon, type MixAddon } from "./mixAddon.ts"

export class AttentionMix {
  readonly V: number
  readonly R: number
  /** Entries per example (3·heads + 1), of which the first KAB = 2·heads depend on a, b. */
  readonly K: number
  readonly KAB: number
  /** Table rows: heads·R head-masked rows, then x_=. */
  readonly T: number
  readonly idx: Int32Array
  readonly w: Float32Array
  readonly dw: Float32Array
  /** The batch's rows stably sorted by token b (attend), for the adjoint's second pass. */
  private readonly byB: Int32Array
  private readonly scratch: Float32Array
  private readonly kernels: MixKernels | null
  private readonly addon: MixAddon | undefined
  private readonly arena: SimdArena | null

  constructor(
    readonly dims: AttentionDims,
    maxRows: number,
    maxWidth: number,
    simd: SimdKernels | null
  ) {
    const { heads, p } = dims
    this.V = p + 1
    this.R = 2 * this.V + 1
    this.K = 3 * heads + 1
    this.KAB = 2 * heads
    this.T = heads * this.R + 1
    this.arena = simd?.arena ?? null
    this.kernels = simd === null ? null : loadMixKernels(simd.arena.memory)
    this.addon = mixAddon()
    const a = this.arena
    this.idx = a !== null ? a.i32(maxRows * this.K) : new Int32Array(maxRows * this.K)
    this.w = a !== null ? a.f32(maxRows * this.K) : new Float32Array(maxRows * this.K)
    this.dw = a !== null ? a.f32(maxRows * this.K) : new Float32Array(maxRows * this.K)
    this.scratch = a !== null ? a.f32(maxWidth + 4) : new Float32Array(maxWidth + 4)
    this.byB = new Int32Array(maxRows)
  }

  /** A counting sort of the rows by b: stable, so each b keeps its rows in batch order. */
  private sortByB(batch: AttentionBatch): void {
    const start = new Int32Array(this.V + 1)
    for (let r = 0; r < batch.n; r++) start[batch.b[r] + 1]++
    for (let v = 0; v < this.V; v++) start[v + 1] += start[v]
    for (let r = 0; r < batch.n; r++) this.byB[start[batch.b[r]]++] = r
  }

  /** Gathered scores S[row, h] → attention weights and table rows of every example. */
  attend(batch: AttentionBatch, S: Float32Array): void {
    const { dims, V, R, K, T, w, idx } = this
    const { heads, d } = dims
    const scale = 1 / Math.sqrt(d / heads)
    const r2 = 2 * V
    for (let r = 0; r < batch.n; r++) {
      const row0 = batch.a[r]
      const row1 = V + batch.b[r]
      const o = r * K
      for (let h = 0; h < heads; h++) {
        const s0 = S[row0 * heads + h] * scale
        const s1 = S[row1 * heads + h] * scale
        const s2 = S[r2 * heads + h] * scale
        const m = Math.max(s0, s1, s2)
        const e0 = Math.exp(s0 - m)
        const e1 = Math.exp(s1 - m)
        const e2 = Math.exp(s2 - m)
        const sum = e0 + e1 + e2
        w[o + h] = e0 / sum
        w[o + heads + h] = e1 / sum
        w[o + 2 * heads + h] = e2 / sum
        idx[o + h] = h * R + row0
        idx[o + heads + h] = h * R + row1
        idx[o + 2 * heads + h] = h * R + r2
      }
      w[o + K - 1] = 1
      idx[o + K - 1] = T - 1
    }
    this.sortByB(batch)
  }

  private simdFits(...arrays: ReadonlyArray<Float32Array>): boolean {
    const a = this.arena
    return a !== null && arrays.every((x) => x.buffer === a.memory.buffer)
  }

  /**
   * o[r] = base + Σ_{k<kCount} w[r,k]·tab[idx[r,k]] over rows of `width`, row r of o
   * being out1[r] (the first seg1 floats) then out2[r] (the rest).
   */
  mix(n: number, kCount: number, tab: Float32Array, width: number, seg1: number, base: Float32Array, out1: Float32Array, out2: Float32Array): void {
    const { K, w, idx } = this
    if (this.addon !== undefined && width % 4 === 0 && seg1 % 4 === 0) {
      this.addon.mixRows(n, kCount, K, idx, w, tab, width, seg1, base, out1, out2, null)
      return
    }
    if (this.kernels !== null && width % 4 === 0 && seg1 % 4 === 0 && this.simdFits(tab, base, out1, out2)) {
      this.kernels.mixRows(n, kCount, K, idx, w, tab, width, seg1, base, out1, out2, null)
      return
    }
    const seg2 = width - seg1
    for (let r = 0; r < n; r++) {
      for (let j = 0; j < width; j++) {
        const at = j < seg1 ? r * seg1 + j : r * seg2 + j - seg1
        const out = j < seg1 ? out1 : out2
        let acc = base[j]
        for (let k = 0; k < kCount; k++) acc += w[r * K + k] * tab[idx[r * K + k] * width + j]
        out[at] = acc
      }
    }
  }

  /**
   * mix whose first segment goes through GELU: hid = GELU(u), g = GELU′(u). The SIMD
   * kernel applies it in registers (u is never stored); elsewhere u is mixed and
   * `gelu` called.
   */
  mixGelu(n: number, kCount: number, tab: Float32Array, width: number, seg1: number, base: Float32Array, u: Float32Array, hid: Float32Array, g: Float32Array, out2: Float32Array, gelu: () => void): void {
    const { K, w, idx } = this
    if (this.addon !== undefined && width % 4 === 0 && seg1 % 4 === 0) {
      this.addon.mixRows(n, kCount, K, idx, w, tab, width, seg1, base, hid, out2, g)
      return
    }
    if (this.kernels !== null && width % 4 === 0 && seg1 % 4 === 0 && this.simdFits(tab, base, hid, g, out2)) {
      this.kernels.mixRows(n, kCount, K, idx, w, tab, width, seg1, base, hid, out2, g)
      return
    }
    this.mix(n, kCount, tab, width, seg1, base, u, out2)
    gelu()
  }

  /**
   * The adjoint of mix. Row r of the output gradient is d1[r] (times g[r] when g is
   * given; d1 is overwritten with that product) followed by d2[r]. Writes dw[r,k] for
   * k < kCount, scatter-adds into dtab and sums the rows into dbase (both zeroed here).
   */
  mixBack(n: number, kCount: number, tab: Float32Array, width: number, seg1: number, d1: Float32Array, g: Float32Array | null, d2: Float32Array, dtab: Float32Array, dbase: Float32Array): void {
    const { K, w, idx, dw } = this
    dtab.fill(0)
    dbase.fill(0)
    if (this.addon !== undefined && width % 4 === 0 && seg1 % 4 === 0) {
      // The b terms (heads…2·heads−1) touch rows no a term touches; in b order each
      // of their rows still gets its examples in batch order: the same bits.
      const byB = kCount <= this.KAB && kCount > this.dims.heads ? this.byB : null
      this.addon.mixRowsBack(n, kCount, K, idx, w, tab, width, seg1, d1, g, d2, dw, dtab, this.scratch, dbase, byB, this.dims.heads)
      return
    }
    if (this.kernels !== null && width % 4 === 0 && seg1 % 4 === 0 && this.simdFits(tab, d1, d2, dtab, dbase, ...(g === null ? [] : [g]))) {
      this.kernels.mixRowsBack(n, kCount, K, idx, w, tab, width, seg1, d1, g, d2, dw, dtab, this.scratch, dbase)
      return
    }
    const seg2 = width - seg1
    const row = this.scratch
    for (let r = 0; r < n; r++) {
      for (let j = 0; j < seg1; j++) {
        if (g !== null) d1[r * seg1 + j] *= g[r * seg1 + j]
        row[j] = d1[r * seg1 + j]
      }
      for (let j = 0; j < seg2; j++) row[seg1 + j] = d2[r * seg2 + j]
      for (let j = 0; j < width; j++) dbase[j] += row[j]
      for (let k = 0; k < kCount; k++) {
        const wk = w[r * K + k]
        const t = idx[r * K + k] * width
        let acc = 0
        for (let j = 0; j < width; j++) {
          acc += row[j] * tab[t + j]
          dtab[t + j] += wk * row[j]
        }
        dw[r * K + k] = acc
      }
    }
  }

  /** a ← a ⊙ b over the first `count` floats. */
  mulInPlace(count: number, a: Float32Array, b: Float32Array): void {
    if (this.kernels !== null && count % 4 === 0 && this.simdFits(a, b)) {
      this.kernels.mulInPlace(count, a, b)
      return
    }
    for (let i = 0; i < count; i++) a[i] *= b[i]
  }

  /** 3-way softmax backward per (example, head): dS_i += A_i·(dA_i − Σ_j A_j·dA_j)/√dh into the score table. */
  softmaxBack(batch: AttentionBatch, dS: Float32Array): void {
    const { dims, V, K, w, dw } = this
    const { heads, d } = dims
    const scale = 1 / Math.sqrt(d / heads)
    dS.fill(0)
    const r2 = 2 * V
    for (let r = 0; r < batch.n; r++) {
      const o = r * K
      const row0 = batch.a[r]
      const row1 = V + batch.b[r]
      for (let h = 0; h < heads; h++) {
        const A0 = w[o + h]
        const A1 = w[o + heads + h]
        const A2 = w[o + 2 * heads + h]
        const g0 = dw[o + h]
        const g1 = dw[o + heads + h]
        const g2 = dw[o + 2 * heads + h]
        const dot = A0 * g0 + A1 * g1 + A2 * g2
        dS[row0 * heads + h] += A0 * (g0 - dot) * scale
        dS[row1 * heads + h] += A1 * (g1 - dot) * scale
        dS[r2 * heads + h] += A2 * (g2 - dot) * scale
      }
    }
  }
}
