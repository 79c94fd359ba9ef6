/**
 * The folded attention model's MLP block and unembedding, forward and backward, over
 * host buffers, products through a Gemm (the native GEMM or the tfjs device).
 *
 * Without LN (FusedBlock) the residual stream before the MLP, xl, is a mix of table
 * rows, and everything it feeds is linear in it: u = xl·Win and the residual part of
 * the logits xl·U. So one table, tab[row] = VO[row]·[Win | U] = V_h·(Wo·[Win | U])_h
 * ([T, M + V′], V′ = V rounded up to 4, zero columns), is mixed per example into u
 * and the residual logits in one pass, and the logits are that plus hid·(Wout·U).
 * The per-example products are then the three [n, M]×[M, V] ones.
 *
 * With pre-LN (LnBlock) the LayerNorms sit between, so the block runs per example:
 * xl = mix of VO rows, u = LN(xl)·Win, xo = xl + GELU(u)·Wout, logits = LN(xo)·U.
 */
import { geluForward } from "../gelu.ts"
import type { ParamSet } from "../params.ts"
import type { SimdKernels } from "../simd/loader.ts"
import { layerNormRows, layerNormRowsBack } from "./hostLayerNorm.ts"
import type { AttentionMix } from "./attentionMix.ts"
import { mixAddon } from "./mixAddon.ts"
import { ATTN_LN_EPS, type AttentionBatch, type AttentionDims, type AttentionTables, type Gemm } from "./attentionTables.ts"

/** V rounded up to a multiple of 8: the width of the fused block's logit columns. */
export const paddedVocab = (V: number): number => Math.ceil(V / 8) * 8

/** Buffers in the SIMD arena when there is one (the kernels read only arena views). */
const allocator = (simd: SimdKernels | null) => (k: number): Float32Array => (simd !== null ? simd.arena.f32(k) : new Float32Array(k))

/** What both blocks share: the GELU pass and the logits/logit-gradient buffers. */
abstract class Block {
  readonly V: number
  /** Packed logits [n, V] and their gradient, for the tfjs readout (and the pre-LN block's own rows). */
  readonly z: Float32Array
  readonly dz: Float32Array
  /**
   * Where the block keeps the logits it computed and reads their gradient from:
   * rows `ld` floats apart (the fused block pads them), so the readout works in place.
   */
  abstract readonly logitRows: { readonly z: Float32Array; readonly dz: Float32Array; readonly ld: number }
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

  /** hid, g = GELU(u), GELU′(u): the addon's and the wasm kernel's bits are the same. */
  protected gelu(size: number): void {
    const addon = mixAddon()
    if (addon !== undefined) addon.gelu(size, this.u, this.hid, this.g)
    else if (this.simd !== null && size % 4 === 0) this.simd.gelu(size, this.u, this.hid, this.g)
    else geluForward(this.u, this.hid, this.g, size)
  }

  /**
   * The softmax weights of each head sum to 1, so with A2 = 1 − A0 − A1 a mix is
   * base + Σ_h A0·(T[h,a] − T[h,=]) + A1·(T[h,V+b] − T[h,=]), base = Σ_h T[h,=] + T[last]:
   * eight rows per example instead of thirteen. The table's token rows hold those
   * differences (valueTable with difference); this sums the base from its "=" rows
   * and last row (rows of N).
   */
  protected sumBase(tab: Float32Array, N: number, base: Float32Array): void {
    const { T, R } = this.tables
    base.set(tab.subarray((T - 1) * N, T * N))
    for (let h = 0; h < this.dims.heads; h++) {
      const eq = (h * R + 2 * this.V) * N
      for (let j = 0; j < N; j++) base[j] += tab[eq + j]
    }
  }

  /**
   * The base's gradient reaches every row it sums. The mix's adjoint left dA0 − dA2
   * and dA1 − dA2 in dw; with dA2 read as 0 the softmax backward gives the same dS
   * (it is invariant to a common shift of the dA).
   */
  protected sumBaseBack(dtab: Float32Array, N: number, dbase: Float32Array, n: number): void {
    const { T, R } = this.tables
    const { heads } = this.dims
    dtab.set(dbase, (T - 1) * N)
    for (let h = 0; h < heads; h++) dtab.set(dbase, (h * R + 2 * this.V) * N)
    const { dw, K } = this.mix
    for (let r = 0; r < n; r++) for (let h = 0; h < heads; h++) dw[r * K + 2 * heads + h] = 0
  }

  abstract forward(params: ParamSet, batch: AttentionBatch): void
  /** From the logit gradient in logitRows.dz to every parameter's gradient. */
  abstract backward(params: ParamSet, batch: AttentionBatch, grads: ParamSet): void
}

export class FusedBlock extends Block {
  /**
   * Table width: M, then V rounded up to a multiple of 8 with zero columns: the
   * per-example products run on V′ columns (measured ~10% faster at V = 60 → 64).
   */
  private readonly Vp: number
  private readonly N: number
  private readonly Wcat: Float32Array
  private readonly WoW: Float32Array
  private readonly tab: Float32Array
  private readonly dtab: Float32Array
  /** The shared part of every example's mix, and its gradient (rows of N). */
  private readonly base: Float32Array
  private readonly dbase: Float32Array
  private readonly zp: Float32Array
  private readonly dzp: Float32Array
  /** U with V′ columns, Wout·that, and its gradient. */
  private readonly Up: Float32Array
  private readonly WU: Float32Array
  private readonly dWU: Float32Array
  private readonly dUp: Float32Array
  private readonly dWoW: Float32Array
  private readonly dWcat: Float32Array
  private readonly dxEq: Float32Array
  readonly logitRows: { readonly z: Float32Array; readonly dz: Float32Array; readonly ld: number }

  constructor(gemm: Gemm, dims: AttentionDims, tables: AttentionTables, mix: AttentionMix, simd: SimdKernels | null, maxRows: number) {
    super(gemm, dims, tables, mix, simd, maxRows)
    const { d, M } = dims
    const T = tables.T
    this.Vp = paddedVocab(this.V)
    this.N = M + this.Vp
    const N = this.N
    this.Wcat = new Float32Array(d * N)
    this.WoW = new Float32Array(d * N)
    this.tab = this.f32(T * N)
    this.dtab = this.f32(T * N)
    this.base = this.f32(N)
    this.dbase = this.f32(N)
    this.zp = this.f32(maxRows * this.Vp)
    this.dzp = this.f32(maxRows * this.Vp)
    this.Up = new Float32Array(d * this.Vp)
    this.WU = new Float32Array(M * this.Vp)
    this.dWU = new Float32Array(M * this.Vp)
    this.dUp = new Float32Array(d * this.Vp)
    this.dWoW = new Float32Array(d * N)
    this.dWcat = new Float32Array(d * N)
    this.dxEq = new Float32Array(d)
    // The padding columns of dzp are never written: they stay 0.
    this.logitRows = { z: this.zp, dz: this.dzp, ld: this.Vp }
  }

  forward(params: ParamSet, batch: AttentionBatch): void {
    const { gemm, dims, tables, mix, V, Vp, N, Wcat, tab } = this
    const { d, M } = dims
    const n = batch.n
    tables.build(params)
    mix.attend(batch, tables.S)
    for (let i = 0; i < d; i++) {
      Wcat.set(params.Win.subarray(i * M, (i + 1) * M), i * N)
      Wcat.set(params.U.subarray(i * V, (i + 1) * V), i * N + M)
      this.Up.set(params.U.subarray(i * V, (i + 1) * V), i * Vp)
    }
    gemm(false, false, d, N, d, params.Wo, Wcat, this.WoW, 0)
    tables.valueTable(this.WoW, N, tab, true)
    const last = (tables.T - 1) * N
    gemm(false, false, 1, N, d, tables.xEq, Wcat, tab.subarray(last, last + N), 0)
    this.sumBase(tab, N, this.base)
    mix.mixGelu(n, mix.KAB, tab, N, M, this.base, this.u, this.hid, this.g, this.zp, () => this.gelu(n * M))
    gemm(false, false, M, Vp, d, params.Wout, this.Up, this.WU, 0)
    gemm(false, false, n, Vp, M, this.hid, this.WU, this.zp, 1)
  }

  backward(params: ParamSet, batch: AttentionBatch, grads: ParamSet): void {
    const { gemm, dims, tables, mix, V, Vp, N, dtab, dzp } = this
    const { d, M } = dims
    const n = batch.n
    gemm(true, false, M, Vp, n, this.hid, dzp, this.dWU, 0)
    gemm(false, true, M, d, Vp, this.dWU, this.Up, grads.Wout, 0)
    gemm(true, false, d, Vp, M, params.Wout, this.dWU, this.dUp, 0)
    const du = this.u
    gemm(false, true, n, M, Vp, dzp, this.WU, du, 0)
    // du ← du ⊙ GELU′(u) on the way.
    mix.mixBack(n, mix.KAB, this.tab, N, M, du, this.g, dzp, dtab, this.dbase)
    this.sumBaseBack(dtab, N, this.dbase, n)
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
      for (let c = 0; c < V; c++) dU[i * V + c] = this.dUp[i * Vp + c] + dWcat[i * N + M + c]
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
  /** The mix's base (sumBase) and its gradient. */
  private readonly base: Float32Array
  private readonly dbase: Float32Array
  readonly logitRows: { readonly z: Float32Array; readonly dz: Float32Array; readonly ld: number }

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
    this.base = this.f32(d)
    this.dbase = this.f32(d)
    this.logitRows = { z: this.z, dz: this.dz, ld: this.V }
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
    tables.valueTable(params.Wo, d, this.VO, true)
    this.VO.set(tables.xEq, (tables.T - 1) * d)
    this.sumBase(this.VO, d, this.base)
    mix.mix(n, mix.KAB, this.VO, d, d, this.base, this.xl, this.empty)
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
    mix.mulInPlace(n * M, du, g)
    gemm(true, false, d, M, n, this.mIn, du, grads.Win, 0)
    gemm(false, true, n, d, M, du, params.Win, dxl, 0)
    this.lnBack(dxl, this.mIn, this.rstd1, n)
    for (let i = 0; i < n * d; i++) dxl[i] += dF[i]
    mix.mixBack(n, mix.KAB, this.VO, d, d, dxl, null, this.empty, this.dVO, this.dbase)
    this.sumBaseBack(this.dVO, d, this.dbase, n)
    mix.softmaxBack(batch, tables.dS)
    tables.valueTableBack(this.dVO, d, grads.Wo)
    // The residual's x_= (raw, never normalized) got its gradient in dVO's last row.
    tables.back(this.dVO.subarray((tables.T - 1) * d, tables.T * d), grads)
  }
}
