/**
 * The folded attention model's MLP block and unembedding, forward and backward, over
 * host buffers, products through a Gemm (the native GEMM or the tfjs device).
 *
 * Without LN (FusedBlock) the residual stream before the MLP, xl, is a mix of table
 * rows, and everything it feeds is linear in it: u = xl·Win and the residual part of
 * the logits xl·U. So one table, tab[row] = VO[row]·[Win | U] = V_h·(Wo·[Win | U])_h
 * ([T, M + V′], V′ = V rounded up to 4, zero columns), is mixed per example into u
 * and the residual logits in one pass, and the logits are that plus hid·(Wout·U).
 * The per-example products are then the three [n, M]×[M, V] ones. The rows every
 * example shares ("=" per head, and x_=) are mixed as one [n, heads+1] product
 * instead of per example.
 *
 * With pre-LN (LnBlock) the LayerNorms sit between, so the block runs per example:
 * xl = mix of VO rows, u = LN(xl)·Win, xo = xl + GELU(u)·Wout, logits = LN(xo)·U.
 */
import { geluForward } from "../gelu.ts"
import type { ParamSet } from "../params.ts"
import type { SimdKernels } from "../simd/loader.ts"
import { layerNormRows, layerNormRowsBack } from "./hostLayerNorm.ts"
import type { AttentionMix } from "./attentionMix.ts"
import { ATTN_LN_EPS, type AttentionBatch, type AttentionDims, type AttentionTables, type Gemm } from "./attentionTables.ts"

/** Buffers in the SIMD arena when there is one (the kernels read only arena views). */
const allocator = (simd: SimdKernels | null) => (k: number): Float32Array => (simd !== null ? simd.arena.f32(k) : new Float32Array(k))

/** What both blocks share: the GELU pass and the logits/logit-gradient buffers. */
abstract class Block {
  readonly V: number
  /** Logits [n, V] and their gradient (filled by the caller). */
  readonly z: Float32Array
  readonly dz: Float32Array
  protected readonly u: Float32Array
  protected readonly hid: Float32Array
  protected readonly g: Float32Array
  protected readonly f32: (k: number) => Float32Array

  constructor(
    protected readonly gemm: Gemm,
    protected readonly dims: AttentionDims,
    protected readonly tables: AttentionTables,
    protected readonly mix: AttentionMix,
    protected readonly simd: SimdKernels | null,
    maxRows: number
  ) {
    const { M, p } = dims
    this.V = p + 1
    this.f32 = allocator(simd)
    this.z = new Float32Array(maxRows * this.V)
    this.dz = new Float32Array(maxRows * this.V)
    this.u = this.f32(maxRows * M)
    this.hid = this.f32(maxRows * M)
    this.g = this.f32(maxRows * M)
  }

  /** hid, g = GELU(u), GELU′(u). */
  protected gelu(size: number): void {
    if (this.simd !== null && size % 4 === 0) this.simd.gelu(size, this.u, this.hid, this.g)
    else geluForward(this.u, this.hid, this.g, size)
  }

  abstract forward(params: ParamSet, batch: AttentionBatch): void
  /** From the logit gradient in dz to every parameter's gradient. */
  abstract backward(params: ParamSet, batch: AttentionBatch, grads: ParamSet): void
}

export class FusedBlock extends Block {
  /** Table width: M, then V rounded up to a multiple of 4. */
  private readonly Vp: number
  private readonly N: number
  private readonly H1: number
  private readonly Wcat: Float32Array
  private readonly WoW: Float32Array
  private readonly tab: Float32Array
  private readonly dtab: Float32Array
  private readonly tabEq1: Float32Array
  private readonly tabEq2: Float32Array
  private readonly dtabEq1: Float32Array
  private readonly dtabEq2: Float32Array
  private readonly weq: Float32Array
  private readonly dwEq: Float32Array
  private readonly zp: Float32Array
  private readonly dzp: Float32Array
  private readonly WU: Float32Array
  private readonly dWU: Float32Array
  private readonly dWoW: Float32Array
  private readonly dWcat: Float32Array
  private readonly dxEq: Float32Array

  constructor(gemm: Gemm, dims: AttentionDims, tables: AttentionTables, mix: AttentionMix, simd: SimdKernels | null, maxRows: number) {
    super(gemm, dims, tables, mix, simd, maxRows)
    const { d, M, heads } = dims
    const T = tables.T
    this.Vp = Math.ceil(this.V / 4) * 4
    this.N = M + this.Vp
    this.H1 = heads + 1
    const N = this.N
    this.Wcat = new Float32Array(d * N)
    this.WoW = new Float32Array(d * N)
    this.tab = this.f32(T * N)
    this.dtab = this.f32(T * N)
    this.tabEq1 = new Float32Array(this.H1 * M)
    this.tabEq2 = new Float32Array(this.H1 * this.Vp)
    this.dtabEq1 = new Float32Array(this.H1 * M)
    this.dtabEq2 = new Float32Array(this.H1 * this.Vp)
    this.weq = new Float32Array(maxRows * this.H1)
    this.dwEq = new Float32Array(maxRows * this.H1)
    this.zp = this.f32(maxRows * this.Vp)
    this.dzp = this.f32(maxRows * this.Vp)
    this.WU = new Float32Array(M * this.V)
    this.dWU = new Float32Array(M * this.V)
    this.dWoW = new Float32Array(d * N)
    this.dWcat = new Float32Array(d * N)
    this.dxEq = new Float32Array(d)
  }

  /** Row h of the shared rows is table row h·R + 2V ("=" at head h), row heads is x_=. */
  private sharedRow(h: number): number {
    return h < this.dims.heads ? h * this.tables.R + 2 * this.V : this.tables.T - 1
  }

  forward(params: ParamSet, batch: AttentionBatch): void {
    const { gemm, dims, tables, mix, V, Vp, N, H1, Wcat, tab } = this
    const { d, M, heads } = dims
    const n = batch.n
    tables.build(params)
    mix.attend(batch, tables.S)
    for (let i = 0; i < d; i++) {
      Wcat.set(params.Win.subarray(i * M, (i + 1) * M), i * N)
      Wcat.set(params.U.subarray(i * V, (i + 1) * V), i * N + M)
    }
    gemm(false, false, d, N, d, params.Wo, Wcat, this.WoW, 0)
    tables.valueTable(this.WoW, N, tab)
    const last = (tables.T - 1) * N
    gemm(false, false, 1, N, d, tables.xEq, Wcat, tab.subarray(last, last + N), 0)
    // The shared rows as one product (measured a little faster than mixing them per
    // example), then the a- and b-rows mixed on top.
    for (let h = 0; h < H1; h++) {
      const o = this.sharedRow(h) * N
      this.tabEq1.set(tab.subarray(o, o + M), h * M)
      this.tabEq2.set(tab.subarray(o + M, o + N), h * Vp)
    }
    const { w, K } = mix
    const weq = this.weq
    for (let r = 0; r < n; r++) for (let h = 0; h <= heads; h++) weq[r * H1 + h] = w[r * K + 2 * heads + h]
    gemm(false, false, n, M, H1, weq, this.tabEq1, this.u, 0)
    gemm(false, false, n, Vp, H1, weq, this.tabEq2, this.zp, 0)
    mix.mix(n, mix.KAB, tab, N, M, this.u, this.zp, true)
    this.gelu(n * M)
    gemm(false, false, M, V, d, params.Wout, params.U, this.WU, 0)
    const { z, zp } = this
    for (let r = 0; r < n; r++) for (let c = 0; c < V; c++) z[r * V + c] = zp[r * Vp + c]
    gemm(false, false, n, V, M, this.hid, this.WU, z, 1)
  }

  backward(params: ParamSet, batch: AttentionBatch, grads: ParamSet): void {
    const { gemm, dims, tables, mix, V, Vp, N, H1, tab, dtab, dz, dzp } = this
    const { d, M, heads } = dims
    const n = batch.n
    gemm(true, false, M, V, n, this.hid, dz, this.dWU, 0)
    gemm(false, true, M, d, V, this.dWU, params.U, grads.Wout, 0)
    gemm(true, false, d, V, M, params.Wout, this.dWU, grads.U, 0)
    const du = this.u
    gemm(false, true, n, M, V, dz, this.WU, du, 0)
    for (let r = 0; r < n; r++) for (let c = 0; c < V; c++) dzp[r * Vp + c] = dz[r * V + c]
    // du ← du ⊙ GELU′(u) on the way; the scatter never touches the shared rows.
    mix.mixBack(n, mix.KAB, tab, N, M, du, this.g, dzp, dtab)
    const { weq, dwEq } = this
    gemm(true, false, H1, M, n, weq, du, this.dtabEq1, 0)
    gemm(true, false, H1, Vp, n, weq, dzp, this.dtabEq2, 0)
    for (let h = 0; h < H1; h++) {
      const o = this.sharedRow(h) * N
      dtab.set(this.dtabEq1.subarray(h * M, (h + 1) * M), o)
      dtab.set(this.dtabEq2.subarray(h * Vp, (h + 1) * Vp), o + M)
    }
    gemm(false, true, n, H1, M, du, this.tabEq1, dwEq, 0)
    gemm(false, true, n, H1, Vp, dzp, this.tabEq2, dwEq, 1)
    const { dw, K } = mix
    for (let r = 0; r < n; r++) for (let h = 0; h < heads; h++) dw[r * K + 2 * heads + h] = dwEq[r * H1 + h]
    mix.softmaxBack(batch, tables.dS)
    tables.valueTableBack(dtab, N, this.dWoW)
    const last = (tables.T - 1) * N
    const dLast = dtab.subarray(last, last + N)
    const { Wcat, dWcat } = this
    gemm(true, false, d, N, d, params.Wo, this.dWoW, dWcat, 0)
    gemm(true, false, d, N, 1, tables.xEq, dLast, dWcat, 1)
    gemm(false, true, d, d, N, this.dWoW, Wcat, grads.Wo, 0)
    gemm(false, true, 1, d, N, dLast, Wcat, this.dxEq, 0)
    const dU = grads.U
    for (let i = 0; i < d; i++) {
      grads.Win.set(dWcat.subarray(i * N, i * N + M), i * M)
      for (let c = 0; c < V; c++) dU[i * V + c] += dWcat[i * N + M + c]
    }
    tables.back(this.dxEq, grads)
  }
}

export class LnBlock extends Block {
  /** VO [T, d] (head rows, then x_=) and its gradient. */
  private readonly VO: Float32Array
  private readonly dVO: Float32Array
  private readonly xl: Float32Array
  private readonly dxl: Float32Array
  /** LN(xl), xo, LN(xo), their rstd; dF the gradient at LN(xo). */
  private readonly mIn: Float32Array
  private readonly xo: Float32Array
  private readonly fOut: Float32Array
  private readonly dF: Float32Array
  private readonly rstd1: Float32Array
  private readonly rstd2: Float32Array
  private readonly empty: Float32Array

  constructor(gemm: Gemm, dims: AttentionDims, tables: AttentionTables, mix: AttentionMix, simd: SimdKernels | null, maxRows: number) {
    super(gemm, dims, tables, mix, simd, maxRows)
    const { d } = dims
    this.VO = this.f32(tables.T * d)
    this.dVO = this.f32(tables.T * d)
    this.xl = this.f32(maxRows * d)
    this.dxl = this.f32(maxRows * d)
    this.mIn = this.f32(maxRows * d)
    this.xo = this.f32(maxRows * d)
    this.fOut = this.f32(maxRows * d)
    this.dF = this.f32(maxRows * d)
    this.rstd1 = this.f32(maxRows)
    this.rstd2 = this.f32(maxRows)
    this.empty = this.f32(0)
  }

  private ln(x: Float32Array, y: Float32Array, rstd: Float32Array, n: number): void {
    const { d } = this.dims
    if (this.simd !== null && d % 4 === 0) this.simd.lnForward(n, d, ATTN_LN_EPS, x, y, rstd)
    else layerNormRows(x, y, rstd, n, d, ATTN_LN_EPS)
  }

  /** In place: dy ← LN′ᵀ·dy. */
  private lnBack(dy: Float32Array, y: Float32Array, rstd: Float32Array, n: number): void {
    const { d } = this.dims
    if (this.simd !== null && d % 4 === 0) this.simd.lnBackward(n, d, dy, y, rstd)
    else layerNormRowsBack(dy, y, rstd, dy, n, d)
  }

  forward(params: ParamSet, batch: AttentionBatch): void {
    const { gemm, dims, tables, mix, V } = this
    const { d, M } = dims
    const n = batch.n
    tables.build(params)
    mix.attend(batch, tables.S)
    tables.valueTable(params.Wo, d, this.VO)
    this.VO.set(tables.xEq, (tables.T - 1) * d)
    mix.mix(n, mix.K, this.VO, d, d, this.xl, this.empty, false)
    this.ln(this.xl, this.mIn, this.rstd1, n)
    gemm(false, false, n, M, d, this.mIn, params.Win, this.u, 0)
    this.gelu(n * M)
    this.xo.set(this.xl.subarray(0, n * d))
    gemm(false, false, n, d, M, this.hid, params.Wout, this.xo, 1)
    this.ln(this.xo, this.fOut, this.rstd2, n)
    gemm(false, false, n, V, d, this.fOut, params.U, this.z, 0)
  }

  backward(params: ParamSet, batch: AttentionBatch, grads: ParamSet): void {
    const { gemm, dims, tables, mix, V, dz, dF, dxl, g } = this
    const { d, M } = dims
    const n = batch.n
    const du = this.u
    gemm(true, false, d, V, n, this.fOut, dz, grads.U, 0)
    gemm(false, true, n, d, V, dz, params.U, dF, 0)
    this.lnBack(dF, this.fOut, this.rstd2, n)
    gemm(true, false, M, d, n, this.hid, dF, grads.Wout, 0)
    gemm(false, true, n, M, d, dF, params.Wout, du, 0)
    for (let i = 0; i < n * M; i++) du[i] *= g[i]
    gemm(true, false, d, M, n, this.mIn, du, grads.Win, 0)
    gemm(false, true, n, d, M, du, params.Win, dxl, 0)
    this.lnBack(dxl, this.mIn, this.rstd1, n)
    for (let i = 0; i < n * d; i++) dxl[i] += dF[i]
    mix.mixBack(n, mix.K, this.VO, d, d, dxl, null, this.empty, this.dVO)
    mix.softmaxBack(batch, tables.dS)
    tables.valueTableBack(this.dVO, d, grads.Wo)
    // The residual's x_= (raw, never normalized) got its gradient in dVO's last row.
    tables.back(this.dVO.subarray((tables.T - 1) * d, tables.T * d), grads)
  }
}
