/**
 * The per-step tables of the folded attention model (attention.ts) and their
 * backward pass. Tokens are [a, b, =], only "=" queries, and the pre-LN acts per
 * token, so everything before the attention softmax is computed once per step over
 * the R = 2V+1 (position, token) rows — tokens at positions 0 and 1, and the "=" at
 * position 2 — instead of once per example:
 *
 *   Xs = [E + pos0; E + pos1; E[=] + pos2]             [R, d]  (host)
 *   Ls = LN(Xs) or Xs;  [K | V | Q] = Ls·[Wk | Wv | Wq]  [R, 3d] (one product)
 *   q = Q[=];  S[row, h] = K[row]_h·q_h                  [R, heads] (host)
 *
 * and a value table per head, tab[h·R + row] = V[row]_h·B_h with B_h the head's dh
 * rows of some [d, N] matrix (B = Wo gives the attention output's rows; without LN,
 * B = Wo·[Win | U] gives them already multiplied into the MLP input and the logits):
 * one [R, dh]×[dh, N] product per head. Products go through a Gemm: the native GEMM,
 * or the tfjs device where there is none (hostGemm).
 */
import { layerNormRows, layerNormRowsBack } from "./hostLayerNorm.ts"
import type { ParamSet } from "../params.ts"
import { nativeBlas } from "../simd/nativeBlas.ts"
import type { Tensor2D, Tf } from "../tfTypes.ts"
import { readInto } from "../tfTypes.ts"

export interface AttentionDims {
  readonly p: number
  readonly d: number
  readonly heads: number
  /** MLP width. */
  readonly M: number
  readonly preLN: boolean
}

export const ATTN_LN_EPS = 1e-5

/** One batch of rows: tokens a, b (position 2 is always "="), labels, device targets. */
export interface AttentionBatch {
  readonly n: number
  readonly a: Int32Array
  readonly b: Int32Array
  readonly y: Int32Array
  /** [n, V] one-hot targets; null for forward-only batches. */
  readonly targets: Tensor2D | null
}

/** C[m,n] = op(A)·op(B) + beta·C over host buffers, row-major (the native GEMM's contract). */
export type Gemm = (transA: boolean, transB: boolean, m: number, n: number, k: number, A: Float32Array, B: Float32Array, C: Float32Array, beta: number) => void

/**
 * The native GEMM when the backend has one, else the product on the tfjs device:
 * operands uploaded, transposes explicit (the non-transposed 2-D matMul is the one
 * XNNPACK serves fast on wasm), the result read back into C.
 */
export const hostGemm = (tf: Tf): Gemm => (transA, transB, m, n, k, A, B, C, beta) => {
  const blas = nativeBlas()
  if (blas !== null) {
    blas.sgemm(transA, transB, m, n, k, A, B, C, beta)
    return
  }
  tf.tidy(() => {
    const at = tf.tensor2d(A.subarray(0, m * k), transA ? [k, m] : [m, k])
    const bt = tf.tensor2d(B.subarray(0, k * n), transB ? [n, k] : [k, n])
    const y = tf.matMul(transA ? tf.transpose(at) : at, transB ? tf.transpose(bt) : bt)
    if (beta === 0) readInto(tf, y, C)
    else {
      const prev = tf.tensor2d(C.subarray(0, m * n), [m, n])
      readInto(tf, beta === 1 ? tf.add(prev, y) : tf.add(tf.mul(prev, beta), y), C)
    }
  })
}

export class AttentionTables {
  readonly V: number
  readonly R: number
  readonly T: number
  readonly dh: number
  readonly Xs: Float32Array
  private readonly Ls: Float32Array
  private readonly rstd0: Float32Array
  private readonly Wkvq: Float32Array
  private readonly KVQ: Float32Array
  /** Scores [R, heads] and their gradient (filled by the caller's softmax backward). */
  readonly S: Float32Array
  readonly dS: Float32Array
  /** Per head, its value columns [R, dh], and their gradient. */
  private readonly Vh: Array<Float32Array>
  private readonly dVh: Array<Float32Array>
  private readonly dKVQ: Float32Array
  private readonly dWkvq: Float32Array
  private readonly dLs: Float32Array
  private readonly dq: Float32Array
  private B: Float32Array = new Float32Array(0)
  private differenced = false

  constructor(
    private readonly gemm: Gemm,
    readonly dims: AttentionDims
  ) {
    const { d, heads, p } = dims
    if (d % heads !== 0) throw new Error(`attention: d=${d} not divisible by heads=${heads}`)
    this.V = p + 1
    this.R = 2 * this.V + 1
    this.T = heads * this.R + 1
    this.dh = d / heads
    const R = this.R
    this.Xs = new Float32Array(R * d)
    this.Ls = dims.preLN ? new Float32Array(R * d) : this.Xs
    this.rstd0 = new Float32Array(R)
    this.Wkvq = new Float32Array(d * 3 * d)
    this.KVQ = new Float32Array(R * 3 * d)
    this.S = new Float32Array(R * heads)
    this.dS = new Float32Array(R * heads)
    this.Vh = Array.from({ length: heads }, () => new Float32Array(R * this.dh))
    this.dVh = Array.from({ length: heads }, () => new Float32Array(R * this.dh))
    this.dKVQ = new Float32Array(R * 3 * d)
    this.dWkvq = new Float32Array(d * 3 * d)
    this.dLs = new Float32Array(R * d)
    this.dq = new Float32Array(d)
  }

  /** The residual row x_= (raw, never normalized): Xs's last row. */
  get xEq(): Float32Array {
    const { d } = this.dims
    return this.Xs.subarray(2 * this.V * d, (2 * this.V + 1) * d)
  }

  /** Xs, Ls, [K|V|Q], the scores S and the per-head value columns. */
  build(params: ParamSet): void {
    const { dims, V, R, dh } = this
    const { d, heads, p } = dims
    const { E, pos } = params
    const Xs = this.Xs
    for (let t = 0; t < V; t++) {
      for (let c = 0; c < d; c++) {
        Xs[t * d + c] = E[t * d + c] + pos[c]
        Xs[(V + t) * d + c] = E[t * d + c] + pos[d + c]
      }
    }
    for (let c = 0; c < d; c++) Xs[2 * V * d + c] = E[p * d + c] + pos[2 * d + c]
    if (dims.preLN) layerNormRows(Xs, this.Ls, this.rstd0, R, d, ATTN_LN_EPS)
    const W = this.Wkvq
    for (let i = 0; i < d; i++) {
      W.set(params.Wk.subarray(i * d, (i + 1) * d), i * 3 * d)
      W.set(params.Wv.subarray(i * d, (i + 1) * d), i * 3 * d + d)
      W.set(params.Wq.subarray(i * d, (i + 1) * d), i * 3 * d + 2 * d)
    }
    this.gemm(false, false, R, 3 * d, d, this.Ls, W, this.KVQ, 0)
    const KVQ = this.KVQ
    const qo = 2 * V * 3 * d + 2 * d
    for (let row = 0; row < R; row++) {
      for (let h = 0; h < heads; h++) {
        let acc = 0
        for (let c = h * dh; c < (h + 1) * dh; c++) acc += KVQ[row * 3 * d + c] * KVQ[qo + c]
        this.S[row * heads + h] = acc
        this.Vh[h].set(KVQ.subarray(row * 3 * d + d + h * dh, row * 3 * d + d + (h + 1) * dh), row * dh)
      }
    }
  }

  /**
   * tab[h·R + row] = V[row]_h·B_h over rows of N (B is [d, N]); tab's last row is the
   * caller's. `difference`: the token rows become (V[row] − V[=])_h·B_h instead (the
   * "=" rows stay), which is what a mix whose weights per head sum to 1 needs
   * (attentionBlock.ts); differenced before the product, on the [R, dh] value columns.
   */
  valueTable(B: Float32Array, N: number, tab: Float32Array, difference = false): void {
    const { R, dh, V } = this
    this.B = B
    this.differenced = difference
    if (difference) {
      for (const Vh of this.Vh) {
        const eq = 2 * V * dh
        for (let i = 0; i < 2 * V * dh; i++) Vh[i] -= Vh[eq + (i % dh)]
      }
    }
    this.Vh.forEach((Vh, h) => this.gemm(false, false, R, N, dh, Vh, B.subarray(h * dh * N, (h + 1) * dh * N), tab.subarray(h * R * N, (h + 1) * R * N), 0))
  }

  /** From the table's gradient: dB (all d rows) and the value columns' gradient. */
  valueTableBack(dtab: Float32Array, N: number, dB: Float32Array): void {
    const { R, dh } = this
    const eq = 2 * this.V * dh
    for (let h = 0; h < this.dims.heads; h++) {
      const dt = dtab.subarray(h * R * N, (h + 1) * R * N)
      this.gemm(true, false, dh, N, R, this.Vh[h], dt, dB.subarray(h * dh * N, (h + 1) * dh * N), 0)
      const dV = this.dVh[h]
      this.gemm(false, true, R, dh, N, dt, this.B.subarray(h * dh * N, (h + 1) * dh * N), dV, 0)
      if (this.differenced) for (let i = 0; i < eq; i++) dV[eq + (i % dh)] -= dV[i]
    }
  }

  /**
   * From dS (filled by the softmax backward), the value columns' gradient
   * (valueTableBack) and dx2, the gradient of the raw residual x_=, to
   * [dWk | dWv | dWq] and through the pre-LN to dE and dpos.
   */
  back(dx2: Float32Array, grads: ParamSet): void {
    const { dims, V, R, dh } = this
    const { d, heads, p } = dims
    const { KVQ, dKVQ, dS, dq } = this
    const qo = 2 * V * 3 * d + 2 * d
    dq.fill(0)
    for (let row = 0; row < R; row++) {
      const o = row * 3 * d
      for (let h = 0; h < heads; h++) {
        const s = dS[row * heads + h]
        const dV = this.dVh[h]
        for (let j = h * dh; j < (h + 1) * dh; j++) {
          dKVQ[o + j] = s * KVQ[qo + j]
          dq[j] += s * KVQ[o + j]
          dKVQ[o + d + j] = dV[row * dh + j - h * dh]
          dKVQ[o + 2 * d + j] = 0
        }
      }
    }
    dKVQ.set(dq, qo)
    this.gemm(true, false, d, 3 * d, R, this.Ls, dKVQ, this.dWkvq, 0)
    this.gemm(false, true, R, d, 3 * d, dKVQ, this.Wkvq, this.dLs, 0)
    const dW = this.dWkvq
    for (let i = 0; i < d; i++) {
      grads.Wk.set(dW.subarray(i * 3 * d, i * 3 * d + d), i * d)
      grads.Wv.set(dW.subarray(i * 3 * d + d, i * 3 * d + 2 * d), i * d)
      grads.Wq.set(dW.subarray(i * 3 * d + 2 * d, (i + 1) * 3 * d), i * d)
    }
    const dX = this.dLs
    if (dims.preLN) layerNormRowsBack(dX, this.Ls, this.rstd0, dX, R, d)
    const { E: dE, pos: dpos } = grads
    dpos.fill(0)
    for (let t = 0; t < V; t++) {
      for (let j = 0; j < d; j++) {
        const g0 = dX[t * d + j]
        const g1 = dX[(V + t) * d + j]
        dE[t * d + j] = g0 + g1
        dpos[j] += g0
        dpos[d + j] += g1
      }
    }
    for (let j = 0; j < d; j++) {
      const g2 = dX[2 * V * d + j] + dx2[j]
      dE[p * d + j] += g2
      dpos[2 * d + j] = g2
    }
  }
}
