/**
 * The 1-layer attention model of paper A §7 / paper B (docs/protocol.md §2), following the
 * released runners: tokens [a, b, =] (vocab V = p+1), token + positional embedding,
 * one attention layer in which only the last position queries (keys and values over
 * all three positions), residual, a GELU MLP with residual, unembedding U. No biases.
 * Optional parameter-free pre-LN (eps 1e−5) before attention (on all three
 * positions), before the MLP and before the unembedding; the residual stream itself
 * is never normalized.
 *
 * Folded per token. Everything before the attention softmax depends on one token at
 * one position, and the pre-LN acts per token, so it is computed once per step over
 * the R = 2V+1 (position, token) rows — tokens at positions 0 and 1, and the "="
 * at position 2 — instead of once per example:
 *
 *   Xs = [E + pos0; E + pos1; E[=] + pos2]             [R, d]  (host)
 *   Ls = LN(Xs) or Xs;  [K | V | Q] = Ls·[Wk | Wv | Wq]  [R, 3d] (one product)
 *   q = Q[=];  S[row, h] = K[row]_h·q_h                  [R, heads] (host)
 *   VO[h, row] = V[row]_h·Wo_h                          [heads·R, d] (one product of
 *                                                        the head-masked V rows with Wo)
 *
 * Per example (a, b) the attention is then gathers: scores S[a], S[V+b], S[=] per head,
 * a 3-way softmax, and xl = Σ_{h,i} A_i,h·VO[h, row_i] + x_= (13 rows mixed at d=128,
 * 4 heads, x_= being VO's last row with weight 1: simd `combine`). What stays per
 * example is the MLP block and the unembedding (device products on the fast wasm
 * path: non-transposed 2-D matMuls after explicit transposes). Without LN two more
 * products fold: u = xl·Win = mix of VO·Win rows, and logits = xl·U + hid·(Wout·U).
 * With the native GEMM (simd/nativeBlas.ts) every product runs there over the host
 * buffers instead (forwardNative, blockBackNative*), LayerNorms on the host. The backward pass runs the same way in reverse: the
 * adjoint of the mix (`combineBack`) scatter-adds into dVO and gives the attention
 * weights' gradient; the softmax backward scatter-adds into dS; then dWo, dV, dK, dq,
 * [dWk | dWv | dWq] and dLs are a few products over the R table rows, and the LN
 * backward and a sum over positions give dE and dpos.
 *
 * The result is the same function as the unfolded model (test/train/attentionUnfolded.ts;
 * training from the same init matches it to float32 rounding, test/train/attentionFold.test.ts).
 * The logit gradient comes from readout.ts, so float32, MSE and the stable-audit arm
 * behave as for the MLP.
 */
import { geluForward } from "../gelu.ts"
import type { ParamSet } from "../params.ts"
import { logitGradient, type ReadoutConfig } from "../readout.ts"
import { loadSimdKernels, type SimdKernels } from "../simd/loader.ts"
import { nativeBlas, type NativeBlas } from "../simd/nativeBlas.ts"
import type { Tensor, Tensor2D, Tf } from "../tfTypes.ts"
import { readInto } from "../tfTypes.ts"
import { layerNormRows, layerNormRowsBack } from "./hostLayerNorm.ts"

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

interface LnOut {
  readonly y: Tensor2D
  readonly rstd: Tensor2D
}

/** Device tensors the backward pass needs from the forward (all inside one tidy). */
interface TableTensors {
  readonly kvq: Linear
  readonly vo: Linear
  readonly Win: Tensor2D
  readonly Wout: Tensor2D
  readonly U: Tensor2D
  readonly hid: Tensor2D
  readonly logits: Tensor2D
}

/** Pre-LN: the MLP block and unembedding per example, LN on the device. */
interface LnCache extends TableTensors {
  readonly kind: "ln"
  readonly lnMlp: LnOut
  readonly geluGrad: Tensor2D
  readonly lnOut: LnOut
}

/** No LN: u from the VO·Win table, logits = xl·U + hid·(Wout·U). */
interface FusedCache extends TableTensors {
  readonly kind: "fused"
  readonly VOt: Tensor2D
  readonly WU: Tensor2D
  readonly xl: Tensor2D
}

type Cache = LnCache | FusedCache

/**
 * Y[m,n] = X[m,k]·W[k,n] over host buffers, on the native GEMM or on the device (then
 * with the device operands kept for the backward pass).
 */
interface Linear {
  readonly X: Float32Array
  readonly W: Float32Array
  readonly m: number
  readonly k: number
  readonly n: number
  readonly Xt?: Tensor2D
  readonly Wt?: Tensor2D
}

/** Per-row parameter-free LayerNorm on the host: y = (x − mean)·rstd. */
const lnRows = (x: Float32Array, y: Float32Array, rstd: Float32Array, rows: number, d: number): void =>
  layerNormRows(x, y, rstd, rows, d, ATTN_LN_EPS)

const lnRowsBack = (dy: Float32Array, y: Float32Array, rstd: Float32Array, dx: Float32Array, rows: number, d: number): void =>
  layerNormRowsBack(dy, y, rstd, dx, rows, d)

export class AttentionModel {
  private readonly V: number
  /** Table rows: tokens at position 0 (V), at position 1 (V), "=" at position 2. */
  private readonly R: number
  /** Mixed rows per example: 3 positions × heads, plus the residual x_= (weight 1). */
  private readonly K: number
  /** Rows of the mixed tables: heads·R head-masked rows, then x_=. */
  private readonly T: number
  private readonly simd: SimdKernels | null
  /** Use the SIMD mix kernels (d % 4 == 0, M % 4 == 0) / the SIMD GELU (M % 4 == 0). */
  private readonly simdMixD: boolean
  private readonly simdMixM: boolean
  private readonly simdGelu: boolean
  // Tables (per step).
  private readonly Xs: Float32Array
  private readonly Ls: Float32Array
  private readonly rstd0: Float32Array
  private readonly Wkvq: Float32Array
  private readonly KVQ: Float32Array
  private readonly S: Float32Array
  private readonly VH: Float32Array
  /** [T, d]: VO[h, row] = V[row]_h·Wo_h, then x_=. */
  private readonly VO: Float32Array
  private readonly dVO: Float32Array
  /** No-LN only: [T, M] = VO·Win (the MLP's input product folded into the tables) and its gradient. */
  private readonly VOW: Float32Array
  private readonly G: Float32Array
  private readonly dVOW: Float32Array
  private readonly dS: Float32Array
  private readonly dVH: Float32Array
  private readonly dKVQ: Float32Array
  private readonly dWkvq: Float32Array
  private readonly dLs: Float32Array
  private readonly dq: Float32Array
  private readonly zeros: Float32Array
  /** Native GEMM: logits and their gradient on the host; no LN: Wout·U and its gradient. */
  private readonly WU: Float32Array
  private readonly dWU: Float32Array
  private readonly z: Float32Array
  private readonly dz: Float32Array
  /** Native GEMM, pre-LN: LN(xl), xo, LN(xo) and their rstd; dF for the gradient at LN(xo). */
  private readonly mIn: Float32Array
  private readonly xo: Float32Array
  private readonly fOut: Float32Array
  private readonly dF: Float32Array
  private readonly rstd1: Float32Array
  private readonly rstd2: Float32Array
  // Per example.
  private readonly idx: Int32Array
  private readonly w: Float32Array
  private readonly dw: Float32Array
  private readonly dw2: Float32Array
  private readonly xl: Float32Array
  private readonly dxl: Float32Array
  /** u, then (no-LN backward) du. */
  private readonly u: Float32Array
  private readonly hid: Float32Array
  private readonly g: Float32Array

  constructor(
    private readonly tf: Tf,
    readonly dims: AttentionDims,
    maxRows: number
  ) {
    const { d, heads, M, p } = dims
    if (d % heads !== 0) throw new Error(`attention: d=${d} not divisible by heads=${heads}`)
    const V = p + 1
    const R = 2 * V + 1
    const K = 3 * heads + 1
    const T = heads * R + 1
    this.V = V
    this.R = R
    this.K = K
    this.T = T
    const arenaFloats = 3 * maxRows * M + 2 * maxRows * d + 4 * maxRows * K + 2 * T * d + 2 * T * M + Math.max(d, M) + 64
    this.simd = d % 4 === 0 || M % 4 === 0 ? loadSimdKernels(4 * arenaFloats + 1024) : null
    this.simdMixD = this.simd !== null && d % 4 === 0
    this.simdMixM = this.simd !== null && M % 4 === 0
    this.simdGelu = this.simd !== null && M % 4 === 0
    const arena = this.simd?.arena
    const f32 = (k: number): Float32Array => (arena !== undefined ? arena.f32(k) : new Float32Array(k))
    this.Xs = new Float32Array(R * d)
    this.Ls = dims.preLN ? new Float32Array(R * d) : this.Xs
    this.rstd0 = new Float32Array(R)
    this.Wkvq = new Float32Array(d * 3 * d)
    this.KVQ = new Float32Array(R * 3 * d)
    this.S = new Float32Array(R * heads)
    this.VH = new Float32Array(heads * R * d)
    this.VO = f32(T * d)
    this.dVO = f32(T * d)
    this.VOW = dims.preLN ? new Float32Array(0) : f32(T * M)
    this.G = dims.preLN ? new Float32Array(0) : f32(T * M)
    this.dVOW = dims.preLN ? new Float32Array(0) : new Float32Array(T * d)
    this.dS = new Float32Array(R * heads)
    this.dVH = new Float32Array(heads * R * d)
    this.dKVQ = new Float32Array(R * 3 * d)
    this.dWkvq = new Float32Array(d * 3 * d)
    this.dLs = new Float32Array(R * d)
    this.dq = new Float32Array(d)
    this.zeros = f32(Math.max(d, M))
    const noLn = dims.preLN ? 0 : 1
    const ln = 1 - noLn
    this.WU = new Float32Array(noLn * M * V)
    this.dWU = new Float32Array(noLn * M * V)
    this.z = new Float32Array(maxRows * V)
    this.dz = new Float32Array(maxRows * V)
    this.mIn = new Float32Array(ln * maxRows * d)
    this.xo = new Float32Array(ln * maxRows * d)
    this.fOut = new Float32Array(ln * maxRows * d)
    this.dF = new Float32Array(ln * maxRows * d)
    this.rstd1 = new Float32Array(ln * maxRows)
    this.rstd2 = new Float32Array(ln * maxRows)
    this.idx = arena !== undefined ? arena.i32(maxRows * K) : new Int32Array(maxRows * K)
    this.w = f32(maxRows * K)
    this.dw = f32(maxRows * K)
    this.dw2 = f32(maxRows * K)
    this.xl = f32(maxRows * d)
    this.dxl = f32(maxRows * d)
    this.u = f32(maxRows * M)
    this.hid = f32(maxRows * M)
    this.g = f32(maxRows * M)
  }

  dispose(): void {}

  private ln(x: Tensor2D): LnOut {
    const { tf } = this
    const c = tf.sub(x, tf.mean(x, -1, true))
    const rstd = tf.rsqrt(tf.add(tf.mean(tf.square(c), -1, true), ATTN_LN_EPS)) as Tensor2D
    return { y: tf.mul(c, rstd) as Tensor2D, rstd }
  }

  /** dx = rstd·(dy − mean(dy) − y·mean(dy·y)) per row. */
  private lnBack(dy: Tensor2D, o: LnOut): Tensor2D {
    const { tf } = this
    const m1 = tf.mean(dy, -1, true)
    const m2 = tf.mean(tf.mul(dy, o.y), -1, true)
    return tf.mul(o.rstd, tf.sub(tf.sub(dy, m1), tf.mul(o.y, m2))) as Tensor2D
  }

  /** The per-step tables: Xs, Ls, [K|V|Q], scores S and VO (with x_= as its last row). */
  private tables(params: ParamSet): { kvq: Linear; vo: Linear } {
    const { dims, V, R, T } = this
    const { d, heads, p } = dims
    const dh = d / heads
    const { E, pos } = params
    const Xs = this.Xs
    for (let t = 0; t < V; t++) {
      for (let c = 0; c < d; c++) {
        Xs[t * d + c] = E[t * d + c] + pos[c]
        Xs[(V + t) * d + c] = E[t * d + c] + pos[d + c]
      }
    }
    for (let c = 0; c < d; c++) Xs[2 * V * d + c] = E[p * d + c] + pos[2 * d + c]
    if (dims.preLN) lnRows(Xs, this.Ls, this.rstd0, R, d)
    const W = this.Wkvq
    for (let i = 0; i < d; i++) {
      W.set(params.Wk.subarray(i * d, (i + 1) * d), i * 3 * d)
      W.set(params.Wv.subarray(i * d, (i + 1) * d), i * 3 * d + d)
      W.set(params.Wq.subarray(i * d, (i + 1) * d), i * 3 * d + 2 * d)
    }
    const kvq = this.linear(this.Ls, W, R, d, 3 * d, this.KVQ)
    const KVQ = this.KVQ
    const qo = 2 * V * 3 * d + 2 * d
    for (let row = 0; row < R; row++) {
      for (let h = 0; h < heads; h++) {
        let acc = 0
        for (let c = h * dh; c < (h + 1) * dh; c++) acc += KVQ[row * 3 * d + c] * KVQ[qo + c]
        this.S[row * heads + h] = acc
      }
    }
    const VH = this.VH
    VH.fill(0)
    for (let h = 0; h < heads; h++) {
      for (let row = 0; row < R; row++) {
        const o = (h * R + row) * d
        for (let c = h * dh; c < (h + 1) * dh; c++) VH[o + c] = KVQ[row * 3 * d + d + c]
      }
    }
    const vo = this.linear(VH, params.Wo, heads * R, d, d, this.VO)
    this.VO.set(Xs.subarray(2 * V * d, (2 * V + 1) * d), (T - 1) * d)
    return { kvq, vo }
  }

  private linear(X: Float32Array, W: Float32Array, m: number, k: number, n: number, Y: Float32Array): Linear {
    const blas = nativeBlas()
    if (blas !== null) {
      blas.sgemm(false, false, m, n, k, X, W, Y, 0)
      return { X, W, m, k, n }
    }
    const { tf } = this
    const Xt = tf.tensor2d(X.subarray(0, m * k), [m, k])
    const Wt = tf.tensor2d(W.subarray(0, k * n), [k, n])
    readInto(tf, tf.matMul(Xt, Wt), Y)
    return { X, W, m, k, n, Xt, Wt }
  }

  /** Given dY[m,n] of a linear: dW = Xᵀ·dY, dX = dY·Wᵀ. */
  private linearBack(L: Linear, dY: Float32Array, dW: Float32Array, dX: Float32Array): void {
    const { m, k, n } = L
    const blas = nativeBlas()
    if (blas !== null) {
      blas.sgemm(true, false, k, n, m, L.X, dY, dW, 0)
      blas.sgemm(false, true, m, k, n, dY, L.W, dX, 0)
      return
    }
    const { tf } = this
    const Xt = L.Xt ?? tf.tensor2d(L.X.subarray(0, m * k), [m, k])
    const Wt = L.Wt ?? tf.tensor2d(L.W.subarray(0, k * n), [k, n])
    const dYt = tf.tensor2d(dY.subarray(0, m * n), [m, n])
    readInto(tf, tf.matMul(tf.transpose(Xt), dYt), dW)
    readInto(tf, tf.matMul(dYt, tf.transpose(Wt)), dX)
  }

  /** out[r] = Σ_k w[r,k]·tab[idx[r,k]] over rows of `width` (simd `combine` or its JS twin). */
  private mix(n: number, width: number, simd: boolean, tab: Float32Array, out: Float32Array): void {
    const { K, w, idx } = this
    if (simd && this.simd !== null) {
      this.simd.combine(n, K, width, idx, w, tab, this.zeros, out)
      return
    }
    for (let r = 0; r < n; r++) {
      const o = r * width
      for (let j = 0; j < width; j++) out[o + j] = 0
      for (let k = 0; k < K; k++) {
        const wk = w[r * K + k]
        const t = idx[r * K + k] * width
        for (let j = 0; j < width; j++) out[o + j] += wk * tab[t + j]
      }
    }
  }

  /** Adjoint of mix: dw[r,k] = dout[r]·tab[idx[r,k]]; dtab[idx[r,k]] += w[r,k]·dout[r] (dtab zeroed here). */
  private mixBack(n: number, width: number, simd: boolean, tab: Float32Array, dout: Float32Array, dw: Float32Array, dtab: Float32Array): void {
    const { K, w, idx } = this
    dtab.fill(0)
    if (simd && this.simd !== null) {
      this.simd.combineBack(n, K, width, idx, w, tab, dout, dw, dtab)
      return
    }
    for (let r = 0; r < n; r++) {
      const o = r * width
      for (let k = 0; k < K; k++) {
        const wk = w[r * K + k]
        const t = idx[r * K + k] * width
        let acc = 0
        for (let j = 0; j < width; j++) {
          acc += dout[o + j] * tab[t + j]
          dtab[t + j] += wk * dout[o + j]
        }
        dw[r * K + k] = acc
      }
    }
  }

  /** Per example: gathered scores, the 3-way softmax per head (weights and rows into w, idx), xl. */
  private attend(batch: AttentionBatch): void {
    const { dims, V, R, K, T } = this
    const { heads, d } = dims
    const scale = 1 / Math.sqrt(d / heads)
    const { a, b, n } = batch
    const { S, w, idx } = this
    const r2 = 2 * V
    for (let r = 0; r < n; r++) {
      const row0 = a[r]
      const row1 = V + b[r]
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
    this.mix(n, d, this.simdMixD, this.VO, this.xl)
  }

  /** hid, g = GELU(u), GELU'(u) on the host. */
  private gelu(size: number): void {
    if (this.simdGelu && this.simd !== null) this.simd.gelu(size, this.u, this.hid, this.g)
    else geluForward(this.u, this.hid, this.g, size)
  }

  private forward(params: ParamSet, batch: AttentionBatch): Cache {
    const { tf, dims, T } = this
    const { d, M, p } = dims
    const n = batch.n
    const mm = (x: Tensor2D, y: Tensor2D): Tensor2D => tf.matMul(x, y)
    const { kvq, vo } = this.tables(params)
    this.attend(batch)
    const xl = tf.tensor2d(this.xl.subarray(0, n * d), [n, d])
    const Win = tf.tensor2d(params.Win, [d, M])
    const Wout = tf.tensor2d(params.Wout, [M, d])
    const U = tf.tensor2d(params.U, [d, p + 1])
    const size = n * M
    if (!dims.preLN) {
      // xl is linear in the table rows, so u = xl·Win = Σ_k w·(VO·Win)[idx]: the MLP's
      // input product becomes a [T, d]×[d, M] table product and a mix.
      const VOt = tf.tensor2d(this.VO, [T, d])
      readInto(tf, mm(VOt, Win), this.VOW)
      this.mix(n, M, this.simdMixM, this.VOW, this.u)
      this.gelu(size)
      const hid = tf.tensor2d(this.hid.subarray(0, size), [n, M])
      // logits = xo·U = xl·U + hid·(Wout·U): [n, M]×[M, V] instead of [n, M]×[M, d] then ×U.
      const WU = mm(Wout, U)
      const logits = tf.add(mm(xl, U), mm(hid, WU)) as Tensor2D
      return { kind: "fused", kvq, vo, Win, Wout, U, VOt, WU, xl, hid, logits }
    }
    const lnMlp = this.ln(xl)
    readInto(tf, mm(lnMlp.y, Win), this.u)
    this.gelu(size)
    const hid = tf.tensor2d(this.hid.subarray(0, size), [n, M])
    const geluGrad = tf.tensor2d(this.g.subarray(0, size), [n, M])
    const xo = tf.add(xl, mm(hid, Wout)) as Tensor2D
    const lnOut = this.ln(xo)
    const logits = mm(lnOut.y, U)
    return { kind: "ln", kvq, vo, Win, Wout, U, lnMlp, hid, geluGrad, lnOut, logits }
  }

  /** Logits of every row into `out` ([n, V], before τ). */
  logitsInto(params: ParamSet, batch: AttentionBatch, out: Float32Array): void {
    const { tf } = this
    const blas = nativeBlas()
    if (blas !== null) {
      this.forwardNative(blas, params, batch)
      out.set(this.z.subarray(0, batch.n * (this.dims.p + 1)))
      return
    }
    tf.tidy(() => {
      readInto(tf, this.forward(params, batch).logits, out)
    })
  }

  /** dL/dθ of the mean training loss into grads. */
  lossGrad(params: ParamSet, batch: AttentionBatch, readout: ReadoutConfig, grads: ParamSet, scratch: Float32Array): void {
    const { tf } = this
    const targets = batch.targets
    if (targets === null) throw new Error("attention lossGrad: batch has no targets")
    const blas = nativeBlas()
    tf.tidy(() => {
      if (blas !== null) {
        const tabs = this.forwardNative(blas, params, batch)
        const n = batch.n
        const V = this.V
        const z = tf.tensor2d(this.z.subarray(0, n * V), [n, V])
        readInto(tf, logitGradient(tf, z, targets, batch.y, readout, scratch), this.dz)
        this.blockBackNative(blas, params, n, tabs, grads)
        this.softmaxBack(batch)
        this.tablesBack(tabs, grads)
        return
      }
      const c = this.forward(params, batch)
      const dLogits = logitGradient(tf, c.logits, targets, batch.y, readout, scratch)
      if (c.kind === "fused") this.blockBackFused(c, dLogits, batch.n, grads)
      else this.blockBackLn(c, dLogits, batch.n, grads)
      this.softmaxBack(batch)
      this.tablesBack(c, grads)
    })
  }

  /**
   * Pre-LN: the MLP block and unembedding backward on the device, then the mix's
   * adjoint: dVO (with dx_= in its last row) and the attention weights' gradient dw.
   */
  private blockBackLn(c: LnCache, dLogits: Tensor2D, n: number, grads: ParamSet): void {
    const { tf, dims } = this
    const mm = (x: Tensor2D, y: Tensor2D): Tensor2D => tf.matMul(x, y)
    const T = (x: Tensor2D): Tensor2D => tf.transpose(x)
    readInto(tf, mm(T(c.lnOut.y), dLogits), grads.U)
    const dxo = this.lnBack(mm(dLogits, T(c.U)), c.lnOut)
    readInto(tf, mm(T(c.hid), dxo), grads.Wout)
    const du = tf.mul(mm(dxo, T(c.Wout)), c.geluGrad) as Tensor2D
    readInto(tf, mm(T(c.lnMlp.y), du), grads.Win)
    const dxl: Tensor = tf.add(dxo, this.lnBack(mm(du, T(c.Win)), c.lnMlp))
    readInto(tf, dxl, this.dxl)
    this.mixBack(n, dims.d, this.simdMixD, this.VO, this.dxl, this.dw, this.dVO)
  }

  /**
   * No LN: logits = xl·U + hid·WU with u = mix(VOW). The per-example products are
   * hidᵀ·dz and dz·WUᵀ ([n, M]×[M, V] sized); dWin and dVO come from the mix's adjoint
   * over u (G = scatter of du into the VOW rows) through two [T, ·] table products.
   */
  private blockBackFused(c: FusedCache, dLogits: Tensor2D, n: number, grads: ParamSet): void {
    const { tf, dims } = this
    const { d, M } = dims
    const mm = (x: Tensor2D, y: Tensor2D): Tensor2D => tf.matMul(x, y)
    const T = (x: Tensor2D): Tensor2D => tf.transpose(x)
    const dWU = mm(T(c.hid), dLogits)
    readInto(tf, mm(dWU, T(c.U)), grads.Wout)
    readInto(tf, tf.add(mm(T(c.xl), dLogits), mm(T(c.Wout), dWU)), grads.U)
    // du = (dz·WUᵀ) ⊙ GELU'(u), formed on the host (u's buffer).
    readInto(tf, mm(dLogits, T(c.WU)), this.u)
    const du = this.u
    const g = this.g
    const size = n * M
    for (let i = 0; i < size; i++) du[i] *= g[i]
    readInto(tf, mm(dLogits, T(c.U)), this.dxl)
    // The residual path (xl → logits) and the MLP path (u) both mix the same rows.
    this.mixBack(n, d, this.simdMixD, this.VO, this.dxl, this.dw, this.dVO)
    this.mixBack(n, M, this.simdMixM, this.VOW, du, this.dw2, this.G)
    const K = this.K
    const dw = this.dw
    const dw2 = this.dw2
    for (let i = 0; i < n * K; i++) dw[i] += dw2[i]
    const Gt = tf.tensor2d(this.G, [this.T, M])
    readInto(tf, mm(T(c.VOt), Gt), grads.Win)
    readInto(tf, mm(Gt, T(c.Win)), this.dVOW)
    const dVO = this.dVO
    const dVOW = this.dVOW
    for (let i = 0; i < this.T * d; i++) dVO[i] += dVOW[i]
  }

  /** The forward on the native GEMM, over host buffers: logits into this.z. */
  private forwardNative(blas: NativeBlas, params: ParamSet, batch: AttentionBatch): { kvq: Linear; vo: Linear; vow: Linear | null } {
    const { dims, V, T } = this
    const { d, M } = dims
    const n = batch.n
    const tabs = this.tables(params)
    this.attend(batch)
    if (dims.preLN) {
      // The block as the device path computes it, LayerNorms on the host (lnRows).
      lnRows(this.xl, this.mIn, this.rstd1, n, d)
      blas.sgemm(false, false, n, M, d, this.mIn, params.Win, this.u, 0)
      this.gelu(n * M)
      this.xo.set(this.xl.subarray(0, n * d))
      blas.sgemm(false, false, n, d, M, this.hid, params.Wout, this.xo, 1)
      lnRows(this.xo, this.fOut, this.rstd2, n, d)
      blas.sgemm(false, false, n, V, d, this.fOut, params.U, this.z, 0)
      return { ...tabs, vow: null }
    }
    const vow = this.linear(this.VO, params.Win, T, d, M, this.VOW)
    this.mix(n, M, this.simdMixM, this.VOW, this.u)
    this.gelu(n * M)
    blas.sgemm(false, false, M, V, d, params.Wout, params.U, this.WU, 0)
    blas.sgemm(false, false, n, V, d, this.xl, params.U, this.z, 0)
    blas.sgemm(false, false, n, V, M, this.hid, this.WU, this.z, 1)
    return { ...tabs, vow }
  }

  /** The block's backward on the native GEMM, from the logit gradient in this.dz (pre-LN). */
  private blockBackNativeLn(blas: NativeBlas, params: ParamSet, n: number, grads: ParamSet): void {
    const { dims, V } = this
    const { d, M } = dims
    const { dz, dF, dxl, u: du, g } = this
    blas.sgemm(true, false, d, V, n, this.fOut, dz, grads.U, 0)
    blas.sgemm(false, true, n, d, V, dz, params.U, dF, 0)
    lnRowsBack(dF, this.fOut, this.rstd2, dF, n, d)
    blas.sgemm(true, false, M, d, n, this.hid, dF, grads.Wout, 0)
    blas.sgemm(false, true, n, M, d, dF, params.Wout, du, 0)
    for (let i = 0; i < n * M; i++) du[i] *= g[i]
    blas.sgemm(true, false, d, M, n, this.mIn, du, grads.Win, 0)
    blas.sgemm(false, true, n, d, M, du, params.Win, dxl, 0)
    lnRowsBack(dxl, this.mIn, this.rstd1, dxl, n, d)
    for (let i = 0; i < n * d; i++) dxl[i] += dF[i]
    this.mixBack(n, d, this.simdMixD, this.VO, dxl, this.dw, this.dVO)
  }

  /** blockBackFused on the native GEMM, from the logit gradient in this.dz. */
  private blockBackNative(blas: NativeBlas, params: ParamSet, n: number, tabs: { vow: Linear | null }, grads: ParamSet): void {
    if (tabs.vow === null) {
      this.blockBackNativeLn(blas, params, n, grads)
      return
    }
    const { dims, V, K } = this
    const { d, M } = dims
    const dz = this.dz
    blas.sgemm(true, false, M, V, n, this.hid, dz, this.dWU, 0)
    blas.sgemm(false, true, M, d, V, this.dWU, params.U, grads.Wout, 0)
    blas.sgemm(true, false, d, V, n, this.xl, dz, grads.U, 0)
    blas.sgemm(true, false, d, V, M, params.Wout, this.dWU, grads.U, 1)
    const du = this.u
    blas.sgemm(false, true, n, M, V, dz, this.WU, du, 0)
    const g = this.g
    for (let i = 0; i < n * M; i++) du[i] *= g[i]
    blas.sgemm(false, true, n, d, V, dz, params.U, this.dxl, 0)
    this.mixBack(n, d, this.simdMixD, this.VO, this.dxl, this.dw, this.dVO)
    this.mixBack(n, M, this.simdMixM, this.VOW, du, this.dw2, this.G)
    const { dw, dw2 } = this
    for (let i = 0; i < n * K; i++) dw[i] += dw2[i]
    this.linearBack(tabs.vow, this.G, grads.Win, this.dVOW)
    const { dVO, dVOW } = this
    for (let i = 0; i < this.T * d; i++) dVO[i] += dVOW[i]
  }

  /** 3-way softmax backward per (row, head): dS_i = A_i·(dA_i − Σ_j A_j·dA_j)/√dh, scattered into the score tables. */
  private softmaxBack(batch: AttentionBatch): void {
    const { dims, V, K } = this
    const { heads, d } = dims
    const scale = 1 / Math.sqrt(d / heads)
    const { w, dw, dS } = this
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

  /** From dVO and dS to dWo, [dWk | dWv | dWq], and through the pre-LN to dE and dpos. */
  private tablesBack(c: { kvq: Linear; vo: Linear }, grads: ParamSet): void {
    const { dims, V, R } = this
    const { d, heads, p } = dims
    const dh = d / heads
    this.linearBack(c.vo, this.dVO, grads.Wo, this.dVH)
    const { KVQ, dKVQ, dS, dVH, dq } = this
    const qo = 2 * V * 3 * d + 2 * d
    dq.fill(0)
    for (let row = 0; row < R; row++) {
      const o = row * 3 * d
      for (let h = 0; h < heads; h++) {
        const s = dS[row * heads + h]
        for (let j = h * dh; j < (h + 1) * dh; j++) {
          dKVQ[o + j] = s * KVQ[qo + j]
          dq[j] += s * KVQ[o + j]
          dKVQ[o + d + j] = dVH[(h * R + row) * d + j]
          dKVQ[o + 2 * d + j] = 0
        }
      }
    }
    dKVQ.set(dq, qo)
    this.linearBack(c.kvq, dKVQ, this.dWkvq, this.dLs)
    const dW = this.dWkvq
    for (let i = 0; i < d; i++) {
      grads.Wk.set(dW.subarray(i * 3 * d, i * 3 * d + d), i * d)
      grads.Wv.set(dW.subarray(i * 3 * d + d, i * 3 * d + 2 * d), i * d)
      grads.Wq.set(dW.subarray(i * 3 * d + 2 * d, (i + 1) * 3 * d), i * d)
    }
    const dX = this.dLs
    if (dims.preLN) lnRowsBack(dX, this.Ls, this.rstd0, dX, R, d)
    // The residual's x_= (raw, never normalized) got its gradient in dVO's last row.
    const dx2 = this.dVO.subarray(heads * R * d, (heads * R + 1) * d)
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
