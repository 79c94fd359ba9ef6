/**
 * The attention model as it was before the fold (per-example K, V, Wo products with
 * one-hot embedding rows): kept here as the reference the folded model in
 * src/train/models/attention.ts must match (test/train/attentionFold.test.ts).
 */
import type { Dataset } from "../../src/train/data.ts"
import { geluForward } from "../../src/train/gelu.ts"
import type { ModelKernel, SeedBatch } from "../../src/train/modelKernel.ts"
import type { ParamSet } from "../../src/train/params.ts"
import { logitGradient, type ReadoutConfig } from "../../src/train/readout.ts"
import { loadSimdKernels, type SimdKernels } from "../../src/train/simd/loader.ts"
import type { Tensor, Tensor2D, Tf } from "../../src/train/tfTypes.ts"
import { readInto } from "../../src/train/tfTypes.ts"

import { ATTN_LN_EPS, type AttentionDims } from "../../src/train/models/attention.ts"

export { ATTN_LN_EPS, type AttentionDims }

/** Device-side constants of one batch of rows. */
export interface AttentionBatch {
  readonly n: number
  readonly y: Int32Array
  /** [n, V+3]: one-hot of the token, then one-hot of the position (0 or 1). */
  readonly T0: Tensor2D
  readonly T1: Tensor2D
  /** Their transposes [V+3, n], for the embedding gradient. */
  readonly T0t: Tensor2D
  readonly T1t: Tensor2D
  /** [n, V] one-hot targets; null for forward-only batches. */
  readonly targets: Tensor2D | null
}

interface LnOut {
  readonly y: Tensor2D
  readonly rstd: Tensor2D
}

/** What the backward pass needs from the forward. */
interface Cache {
  readonly L0: Tensor2D
  readonly L1: Tensor2D
  readonly l2: Tensor2D
  readonly ln0: LnOut | null
  readonly ln1: LnOut | null
  readonly ln2: LnOut | null
  readonly q: Tensor2D
  readonly K0: Tensor2D
  readonly K1: Tensor2D
  readonly k2: Tensor2D
  readonly V0: Tensor2D
  readonly V1: Tensor2D
  readonly v2: Tensor2D
  readonly Asp: [Tensor2D, Tensor2D, Tensor2D]
  readonly z: Tensor2D
  readonly mIn: Tensor2D
  readonly lnMlp: LnOut | null
  readonly hid: Tensor2D
  readonly geluGrad: Tensor2D
  readonly f: Tensor2D
  readonly lnOut: LnOut | null
  readonly logits: Tensor2D
}

export class UnfoldedAttentionNet {
  /** [d, heads] block indicator (sums a head's coordinates) and its transpose. */
  private readonly headSum: Tensor2D
  private readonly headSpread: Tensor2D
  /** [1, V+3]: the "=" token at position 2. */
  private readonly t2: Tensor2D
  private readonly t2t: Tensor2D
  private readonly simd: SimdKernels | null
  private readonly u: Float32Array
  private readonly hid: Float32Array
  private readonly g: Float32Array
  private readonly emb: Float32Array
  private readonly scores: Float32Array
  private readonly attn: [Float32Array, Float32Array, Float32Array]
  private readonly dAttn: Float32Array
  private readonly dScores: [Float32Array, Float32Array, Float32Array]

  constructor(
    private readonly tf: Tf,
    readonly dims: AttentionDims,
    maxRows: number
  ) {
    const { d, heads, M, p } = dims
    if (d % heads !== 0) throw new Error(`attention: d=${d} not divisible by heads=${heads}`)
    const dh = d / heads
    const V = p + 1
    const ind = new Float32Array(d * heads)
    for (let i = 0; i < d; i++) ind[i * heads + Math.floor(i / dh)] = 1
    this.headSum = tf.keep(tf.tensor2d(ind, [d, heads]))
    this.headSpread = tf.keep(tf.transpose(this.headSum))
    const last = new Float32Array(V + 3)
    last[p] = 1
    last[V + 2] = 1
    this.t2 = tf.keep(tf.tensor2d(last, [1, V + 3]))
    this.t2t = tf.keep(tf.tensor2d(last, [V + 3, 1]))
    const big = maxRows * M
    this.simd = M % 4 === 0 ? loadSimdKernels(3 * 4 * big + 1024) : null
    const f32 = (k: number): Float32Array => (this.simd !== null ? this.simd.arena.f32(k) : new Float32Array(k))
    this.u = f32(big)
    this.hid = f32(big)
    this.g = f32(big)
    this.emb = new Float32Array((V + 3) * d)
    const nh = maxRows * heads
    this.scores = new Float32Array(3 * nh)
    this.attn = [new Float32Array(nh), new Float32Array(nh), new Float32Array(nh)]
    this.dAttn = new Float32Array(3 * nh)
    this.dScores = [new Float32Array(nh), new Float32Array(nh), new Float32Array(nh)]
  }

  dispose(): void {
    for (const t of [this.headSum, this.headSpread, this.t2, this.t2t]) t.dispose()
  }

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

  private upload(params: ParamSet) {
    const { tf, dims } = this
    const { d, M, p } = dims
    const V = p + 1
    this.emb.set(params.E)
    this.emb.set(params.pos, V * d)
    const t = (name: string, shape: [number, number]): Tensor2D => tf.tensor2d(params[name], shape)
    return {
      Emb: tf.tensor2d(this.emb, [V + 3, d]),
      Wq: t("Wq", [d, d]),
      Wk: t("Wk", [d, d]),
      Wv: t("Wv", [d, d]),
      Wo: t("Wo", [d, d]),
      Win: t("Win", [d, M]),
      Wout: t("Wout", [M, d]),
      U: t("U", [d, V])
    }
  }

  private forward(W: ReturnType<UnfoldedAttentionNet["upload"]>, batch: AttentionBatch): Cache {
    const { tf, dims } = this
    const { heads, M } = dims
    const n = batch.n
    const mm = (a: Tensor2D, b: Tensor2D): Tensor2D => tf.matMul(a, b)
    const X0 = mm(batch.T0, W.Emb)
    const X1 = mm(batch.T1, W.Emb)
    const x2 = mm(this.t2, W.Emb)
    const ln0 = dims.preLN ? this.ln(X0) : null
    const ln1 = dims.preLN ? this.ln(X1) : null
    const ln2 = dims.preLN ? this.ln(x2) : null
    const L0 = ln0?.y ?? X0
    const L1 = ln1?.y ?? X1
    const l2 = ln2?.y ?? x2
    const q = mm(l2, W.Wq)
    const K0 = mm(L0, W.Wk)
    const K1 = mm(L1, W.Wk)
    const k2 = mm(l2, W.Wk)
    const V0 = mm(L0, W.Wv)
    const V1 = mm(L1, W.Wv)
    const v2 = mm(l2, W.Wv)
    const nh = n * heads
    readInto(tf, mm(tf.mul(K0, q) as Tensor2D, this.headSum), this.scores, 0)
    readInto(tf, mm(tf.mul(K1, q) as Tensor2D, this.headSum), this.scores, nh)
    readInto(tf, mm(tf.mul(k2, q) as Tensor2D, this.headSum), this.scores, 2 * nh)
    this.softmax3(n)
    const Asp: [Tensor2D, Tensor2D, Tensor2D] = [0, 1, 2].map((i) =>
      mm(tf.tensor2d(this.attn[i].subarray(0, nh), [n, heads]), this.headSpread)
    ) as [Tensor2D, Tensor2D, Tensor2D]
    const z = tf.add(tf.add(tf.mul(Asp[0], V0), tf.mul(Asp[1], V1)), tf.mul(Asp[2], v2)) as Tensor2D
    const xl = tf.add(mm(z, W.Wo), x2) as Tensor2D
    const lnMlp = dims.preLN ? this.ln(xl) : null
    const mIn = lnMlp?.y ?? xl
    const u = mm(mIn, W.Win)
    readInto(tf, u, this.u)
    const size = n * M
    if (this.simd !== null) this.simd.gelu(size, this.u, this.hid, this.g)
    else geluForward(this.u, this.hid, this.g, size)
    const hid = tf.tensor2d(this.hid.subarray(0, size), [n, M])
    const geluGrad = tf.tensor2d(this.g.subarray(0, size), [n, M])
    const xo = tf.add(xl, mm(hid, W.Wout)) as Tensor2D
    const lnOut = dims.preLN ? this.ln(xo) : null
    const f = lnOut?.y ?? xo
    const logits = mm(f, W.U)
    return { L0, L1, l2, ln0, ln1, ln2, q, K0, K1, k2, V0, V1, v2, Asp, z, mIn, lnMlp, hid, geluGrad, f, lnOut, logits }
  }

  /** Per (row, head): softmax over the keys at positions 0, 1 and the shared position 2. */
  private softmax3(n: number): void {
    const { heads, d } = this.dims
    const scale = 1 / Math.sqrt(d / heads)
    const nh = n * heads
    const S = this.scores
    const [A0, A1, A2] = this.attn
    for (let r = 0; r < n; r++) {
      for (let h = 0; h < heads; h++) {
        const i = r * heads + h
        const s0 = S[i] * scale
        const s1 = S[nh + i] * scale
        const s2 = S[2 * nh + h] * scale
        const m = Math.max(s0, s1, s2)
        const e0 = Math.exp(s0 - m)
        const e1 = Math.exp(s1 - m)
        const e2 = Math.exp(s2 - m)
        const sum = e0 + e1 + e2
        A0[i] = e0 / sum
        A1[i] = e1 / sum
        A2[i] = e2 / sum
      }
    }
  }

  /** Logits of every row into `out` ([n, V], before τ). */
  logitsInto(params: ParamSet, batch: AttentionBatch, out: Float32Array): void {
    const { tf } = this
    tf.tidy(() => {
      readInto(tf, this.forward(this.upload(params), batch).logits, out)
    })
  }

  /** dL/dθ of the mean training loss into grads. */
  lossGrad(params: ParamSet, batch: AttentionBatch, readout: ReadoutConfig, grads: ParamSet, scratch: Float32Array): void {
    const { tf, dims } = this
    const { heads, d, p } = dims
    const V = p + 1
    const n = batch.n
    const targets = batch.targets
    if (targets === null) throw new Error("attention lossGrad: batch has no targets")
    const mm = (a: Tensor2D, b: Tensor2D): Tensor2D => tf.matMul(a, b)
    const T = (a: Tensor2D): Tensor2D => tf.transpose(a)
    const colSum = (a: Tensor): Tensor2D => tf.sum(a, 0, true) as Tensor2D
    tf.tidy(() => {
      const W = this.upload(params)
      const c = this.forward(W, batch)
      const dLogits = logitGradient(tf, c.logits, targets, batch.y, readout, scratch)
      readInto(tf, mm(T(c.f), dLogits), grads.U)
      const df = mm(dLogits, T(W.U))
      const dxo = c.lnOut !== null ? this.lnBack(df, c.lnOut) : df
      readInto(tf, mm(T(c.hid), dxo), grads.Wout)
      const du = tf.mul(mm(dxo, T(W.Wout)), c.geluGrad) as Tensor2D
      readInto(tf, mm(T(c.mIn), du), grads.Win)
      const dmIn = mm(du, T(W.Win))
      const dxl = tf.add(dxo, c.lnMlp !== null ? this.lnBack(dmIn, c.lnMlp) : dmIn) as Tensor2D
      readInto(tf, mm(T(c.z), dxl), grads.Wo)
      const dz = mm(dxl, T(W.Wo))
      let dx2: Tensor2D = colSum(dxl)
      const dV0 = tf.mul(c.Asp[0], dz) as Tensor2D
      const dV1 = tf.mul(c.Asp[1], dz) as Tensor2D
      const dv2 = colSum(tf.mul(c.Asp[2], dz))
      // Attention weights: dA_i = (dz ⊙ V_i)·headSum, then the 3-way softmax backward on the host.
      const nh = n * heads
      readInto(tf, mm(tf.mul(dz, c.V0) as Tensor2D, this.headSum), this.dAttn, 0)
      readInto(tf, mm(tf.mul(dz, c.V1) as Tensor2D, this.headSum), this.dAttn, nh)
      readInto(tf, mm(tf.mul(dz, c.v2) as Tensor2D, this.headSum), this.dAttn, 2 * nh)
      this.softmax3Back(n)
      const dSsp = [0, 1, 2].map((i) => mm(tf.tensor2d(this.dScores[i].subarray(0, nh), [n, heads]), this.headSpread))
      const dK0 = tf.mul(dSsp[0], c.q) as Tensor2D
      const dK1 = tf.mul(dSsp[1], c.q) as Tensor2D
      const dS2sum = colSum(dSsp[2])
      const dk2 = tf.mul(dS2sum, c.q) as Tensor2D
      const dq = tf.add(colSum(tf.add(tf.mul(dSsp[0], c.K0), tf.mul(dSsp[1], c.K1))), tf.mul(dS2sum, c.k2)) as Tensor2D
      const L0t = T(c.L0)
      const L1t = T(c.L1)
      const l2t = T(c.l2)
      readInto(tf, tf.add(tf.add(mm(L0t, dK0), mm(L1t, dK1)), mm(l2t, dk2)), grads.Wk)
      readInto(tf, tf.add(tf.add(mm(L0t, dV0), mm(L1t, dV1)), mm(l2t, dv2)), grads.Wv)
      readInto(tf, mm(l2t, dq), grads.Wq)
      const WkT = T(W.Wk)
      const WvT = T(W.Wv)
      const dL0 = tf.add(mm(dK0, WkT), mm(dV0, WvT)) as Tensor2D
      const dL1 = tf.add(mm(dK1, WkT), mm(dV1, WvT)) as Tensor2D
      const dl2 = tf.add(tf.add(mm(dk2, WkT), mm(dv2, WvT)), mm(dq, T(W.Wq))) as Tensor2D
      const dX0 = c.ln0 !== null ? this.lnBack(dL0, c.ln0) : dL0
      const dX1 = c.ln1 !== null ? this.lnBack(dL1, c.ln1) : dL1
      dx2 = tf.add(dx2, c.ln2 !== null ? this.lnBack(dl2, c.ln2) : dl2) as Tensor2D
      const dEmb = tf.add(tf.add(mm(batch.T0t, dX0), mm(batch.T1t, dX1)), mm(this.t2t, dx2))
      readInto(tf, dEmb, this.emb)
      grads.E.set(this.emb.subarray(0, V * d))
      grads.pos.set(this.emb.subarray(V * d, (V + 3) * d))
    })
  }

  /** dS_i = A_i·(dA_i − Σ_j A_j·dA_j)/√dh per (row, head), into dScores. */
  private softmax3Back(n: number): void {
    const { heads, d } = this.dims
    const scale = 1 / Math.sqrt(d / heads)
    const nh = n * heads
    const dA = this.dAttn
    const [A0, A1, A2] = this.attn
    const [D0, D1, D2] = this.dScores
    for (let i = 0; i < nh; i++) {
      const g0 = dA[i]
      const g1 = dA[nh + i]
      const g2 = dA[2 * nh + i]
      const dot = A0[i] * g0 + A1[i] * g1 + A2[i] * g2
      D0[i] = A0[i] * (g0 - dot) * scale
      D1[i] = A1[i] * (g1 - dot) * scale
      D2[i] = A2[i] * (g2 - dot) * scale
    }
  }
}
export interface UnfoldedSeedBatch extends SeedBatch {
  readonly batch: AttentionBatch
}

/** [n, V+3] rows [onehot(token) | onehot(position)] and their transpose. */
const tokenRows = (tf: Tf, tokens: Int32Array, position: number, V: number): [Tensor2D, Tensor2D] => {
  const n = tokens.length
  const w = V + 3
  const x = new Float32Array(n * w)
  const xt = new Float32Array(n * w)
  for (let r = 0; r < n; r++) {
    x[r * w + tokens[r]] = 1
    x[r * w + V + position] = 1
    xt[tokens[r] * n + r] = 1
    xt[(V + position) * n + r] = 1
  }
  return [tf.tensor2d(x, [n, w]), tf.tensor2d(xt, [w, n])]
}

const makeBatch = (tf: Tf, V: number, a: Int32Array, b: Int32Array, y: Int32Array, withTargets: boolean): UnfoldedSeedBatch => {
  const [T0, T0t] = tokenRows(tf, a, 0, V)
  const [T1, T1t] = tokenRows(tf, b, 1, V)
  let targets: Tensor2D | null = null
  if (withTargets) {
    const oh = new Float32Array(y.length * V)
    y.forEach((c, r) => (oh[r * V + c] = 1))
    targets = tf.tensor2d(oh, [y.length, V])
  }
  return {
    batch: { n: a.length, y, T0, T1, T0t, T1t, targets },
    dispose: () => {
      for (const t of [T0, T1, T0t, T1t]) t.dispose()
      targets?.dispose()
    }
  }
}

export const makeUnfoldedAttentionKernel = (tf: Tf, dims: AttentionDims, data: Dataset, readout: ReadoutConfig): ModelKernel<UnfoldedSeedBatch> => {
  const V = dims.p + 1
  const model = new UnfoldedAttentionNet(tf, dims, data.size)
  const all = makeBatch(tf, V, data.a, data.b, data.y, false)
  const z = new Float32Array(data.size * V)
  const scratch = new Float32Array(data.size * V)
  return {
    outDim: V,
    makeTrainBatch(rows) {
      const pick = (src: Int32Array) => Int32Array.from(rows, (r) => src[r])
      return makeBatch(tf, V, pick(data.a), pick(data.b), pick(data.y), true)
    },
    lossGrad(params: ParamSet, batch: UnfoldedSeedBatch, grads: ParamSet) {
      model.lossGrad(params, batch.batch, readout, grads, scratch)
    },
    logitsAll(params: ParamSet) {
      model.logitsInto(params, all.batch, z)
      return z
    },
    dispose() {
      all.dispose()
      model.dispose()
    }
  }
}
