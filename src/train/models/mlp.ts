/**
 * The papers' MLP with the first layer folded into the embedding, and its exact
 * backward pass written out (no tfjs autodiff).
 *
 *   [P | Q] = E·[W1_top | W1_bot]           [p,2H] (W1 = [W1_top; W1_bot])
 *   pre = P[a] + Q[b] + b1                  [n,H]  (= [E[a];E[b]]·W1 + b1)
 *   h = GELU(pre); x = LN(h) or h           parameter-free LN, eps 1e-5 (optional)
 *   z = x·W2 + b2                           [n,p]
 *
 * Dense products run on the device as non-transposed 2-D matMuls (explicit
 * tf.transpose first — the fast XNNPACK path on wasm, docs/training-speed.md). The row
 * gather, GELU, LayerNorm and the scatter-add of the embedding gradient run on the
 * host over Float32Arrays: the wasm backend has no UnsortedSegmentSum and its
 * gather/erf/exp are 10–50× slower than these loops. The loops themselves run as
 * wasm SIMD (simd/kernels.ts) when available, else as plain JS (same results to ~5e−7).
 */
import { geluForward } from "../gelu.ts"
import { loadSimdKernels, type SimdKernels } from "../simd/loader.ts"
import { nativeBlas, type NativeBlas } from "../simd/nativeBlas.ts"
import type { ParamSet } from "../params.ts"
import { logitGradient, type ReadoutConfig } from "../readout.ts"
import type { Tensor2D, Tf } from "../tfTypes.ts"
import { readInto } from "../tfTypes.ts"
import { layerNormRows, layerNormRowsBack } from "./hostLayerNorm.ts"

export interface MlpDims {
  readonly p: number
  readonly d: number
  readonly H: number
  readonly layerNorm: boolean
}

export const LN_EPS = 1e-5

/**
 * Host buffers reused across steps (sized for the largest batch, i.e. all pairs).
 * When wasm SIMD is available they live in the SIMD kernels' memory, so the gather,
 * GELU and scatter loops run there without copies.
 */
export class MlpScratch {
  readonly simd: SimdKernels | null
  /** [p, 2H]: row i is [P_i | Q_i]; P and Q are views with row stride 2H. */
  readonly PQ: Float32Array
  readonly P: Float32Array
  readonly Q: Float32Array
  readonly dPQ: Float32Array
  readonly dP: Float32Array
  readonly dQ: Float32Array
  /** Host copies of W1 as [d, 2H] = [W1_top | W1_bot] and of its gradient. */
  readonly W1cat: Float32Array
  readonly dW1cat: Float32Array
  readonly b1: Float32Array
  readonly aIdx: Int32Array
  readonly bIdx: Int32Array
  readonly pre: Float32Array
  readonly h: Float32Array
  readonly g: Float32Array
  readonly x: Float32Array
  readonly dx: Float32Array
  readonly rstd: Float32Array
  readonly z: Float32Array
  /** [n, p] logit gradient on the host (native GEMM path). */
  readonly dz: Float32Array
  readonly ones: Float32Array
  constructor(dims: MlpDims, maxRows: number, useSimd = true) {
    const { p, H } = dims
    const big = maxRows * H
    const floats = 4 * p * H + H + (dims.layerNorm ? 4 : 3) * big + maxRows * (p + 1)
    this.simd = useSimd && H % 4 === 0 ? loadSimdKernels(4 * (floats + 2 * maxRows) + 64 * 16) : null
    const arena = this.simd?.arena
    const f32 = (n: number): Float32Array => (arena !== undefined ? arena.f32(n) : new Float32Array(n))
    const i32 = (n: number): Int32Array => (arena !== undefined ? arena.i32(n) : new Int32Array(n))
    this.PQ = f32(2 * p * H)
    this.P = this.PQ
    this.Q = this.PQ.subarray(H)
    this.dPQ = f32(2 * p * H)
    this.dP = this.dPQ
    this.dQ = this.dPQ.subarray(H)
    this.W1cat = new Float32Array(2 * dims.d * H)
    this.dW1cat = new Float32Array(2 * dims.d * H)
    this.b1 = f32(H)
    this.aIdx = i32(maxRows)
    this.bIdx = i32(maxRows)
    this.h = f32(big)
    this.g = f32(big)
    this.dx = f32(big)
    this.x = dims.layerNorm ? f32(big) : this.h
    this.z = f32(maxRows * p)
    this.dz = new Float32Array(maxRows * p)
    this.ones = new Float32Array(maxRows).fill(1)
    // The JS path needs a separate pre-activation buffer; the SIMD gather fuses it away.
    this.pre = this.simd === null ? new Float32Array(big) : this.h
    this.rstd = f32(maxRows)
  }
}

/** Rows of one batch and its device-side one-hot targets. */
export interface MlpBatch {
  readonly a: Int32Array
  readonly b: Int32Array
  readonly y: Int32Array
  readonly n: number
  /** Device one-hot targets; null for forward-only (evaluation) batches. */
  readonly onehot: Tensor2D | null
}

/** Host part of the forward: gather the folded first layer, GELU, optional LN. */
const hiddenForward = (dims: MlpDims, b1: Float32Array, batch: MlpBatch, s: MlpScratch): void => {
  const { H } = dims
  const { a, b, n } = batch
  const { P, Q, pre } = s
  if (s.simd !== null) {
    s.aIdx.set(a.subarray(0, n))
    s.bIdx.set(b.subarray(0, n))
    s.b1.set(b1)
    // The host GEMM's copy of the kernel (if it has one) gives the same bits, wider.
    const gatherGelu = nativeBlas()?.gatherGelu ?? s.simd.gatherGelu
    gatherGelu(n, H, 2 * H, s.aIdx, s.bIdx, P, Q, s.b1, s.h, s.g)
  } else {
    for (let r = 0; r < n; r++) {
      const pa = a[r] * 2 * H
      const qb = b[r] * 2 * H
      const o = r * H
      for (let j = 0; j < H; j++) pre[o + j] = P[pa + j] + Q[qb + j] + b1[j]
    }
    geluForward(pre, s.h, s.g, n * H)
  }
  if (dims.layerNorm && s.simd !== null) s.simd.lnForward(n, H, LN_EPS, s.h, s.x, s.rstd)
  else if (dims.layerNorm) layerNormRows(s.h, s.x, s.rstd, n, H, LN_EPS)
}

/**
 * [P | Q] = E·[W1_top | W1_bot] on the device (one product), read to the host.
 * Returns the uploaded E and W1cat for the backward pass.
 */
const foldFirstLayer = (tf: Tf, dims: MlpDims, params: ParamSet, s: MlpScratch) => {
  const { p, d, H } = dims
  catW1(dims, params.W1, s)
  const E = tf.tensor2d(params.E, [p, d])
  const W1cat = tf.tensor2d(s.W1cat, [d, 2 * H])
  readInto(tf, tf.matMul(E, W1cat), s.PQ)
  return { E, W1cat }
}

/** W1 as [d, 2H] = [W1_top | W1_bot] into s.W1cat. */
const catW1 = (dims: MlpDims, W1: Float32Array, s: MlpScratch): void => {
  const { d, H } = dims
  const cat = s.W1cat
  for (let i = 0; i < d; i++) {
    cat.set(W1.subarray(i * H, (i + 1) * H), i * 2 * H)
    cat.set(W1.subarray((d + i) * H, (d + i + 1) * H), i * 2 * H + H)
  }
}

/** Native GEMM: [P | Q] = E·W1cat, the hidden layer, z = x·W2 + b2 into s.z. */
const nativeForward = (blas: NativeBlas, dims: MlpDims, params: ParamSet, batch: MlpBatch, s: MlpScratch): void => {
  const { p, d, H } = dims
  const n = batch.n
  catW1(dims, params.W1, s)
  blas.sgemm(false, false, p, 2 * H, d, params.E, s.W1cat, s.PQ, 0)
  hiddenForward(dims, params.b1, batch, s)
  const { z } = s
  for (let r = 0; r < n; r++) z.set(params.b2, r * p)
  blas.sgemm(false, false, n, p, H, s.x, params.W2, z, 1)
}

/** Logits of every row of `batch` into s.z ([n,p], before the temperature). */
export const mlpLogits = (tf: Tf, dims: MlpDims, params: ParamSet, batch: MlpBatch, s: MlpScratch): Float32Array => {
  const { p, H } = dims
  const blas = nativeBlas()
  if (blas !== null) {
    nativeForward(blas, dims, params, batch, s)
    return s.z
  }
  tf.tidy(() => {
    foldFirstLayer(tf, dims, params, s)
    hiddenForward(dims, params.b1, batch, s)
    const X = tf.tensor2d(s.x.subarray(0, batch.n * H), [batch.n, H])
    const z = tf.fused.matMul({ a: X, b: tf.tensor2d(params.W2, [H, p]), bias: tf.tensor1d(params.b2) })
    readInto(tf, z, s.z)
  })
  return s.z
}

/** Fills `grads` (same names/layout as params) with dL/dθ of the mean loss on `batch`. */
export const mlpLossGrad = (
  tf: Tf,
  dims: MlpDims,
  params: ParamSet,
  batch: MlpBatch,
  readout: ReadoutConfig,
  grads: ParamSet,
  s: MlpScratch
): void => {
  const { p, d, H } = dims
  const n = batch.n
  const onehot = batch.onehot
  if (onehot === null) throw new Error("mlpLossGrad: batch has no targets")
  const blas = nativeBlas()
  if (blas !== null) {
    nativeLossGrad(tf, blas, dims, params, batch, onehot, readout, grads, s)
    return
  }
  tf.tidy(() => {
    const { E, W1cat } = foldFirstLayer(tf, dims, params, s)
    hiddenForward(dims, params.b1, batch, s)

    const X = tf.tensor2d(s.x.subarray(0, n * H), [n, H])
    const W2 = tf.tensor2d(params.W2, [H, p])
    const z = tf.fused.matMul({ a: X, b: W2, bias: tf.tensor1d(params.b2) }) as Tensor2D
    const dz = logitGradient(tf, z, onehot, batch.y, readout, s.z)
    // dW2 = Xᵀ·dz with X as the left operand: the wasm matMul packs its right operand
    // on every call (a fresh tensor each step), so the small dz goes on the right.
    readInto(tf, tf.matMul(tf.transpose(X), dz), grads.W2)
    readInto(tf, tf.sum(dz, 0), grads.b2)
    readInto(tf, tf.matMul(dz, tf.transpose(W2)), s.dx)

    hiddenBackward(dims, batch, grads.b1, s)

    // dW1cat = Eᵀ·[dP | dQ]; dE = [dP | dQ]·W1catᵀ.
    const dPQ = tf.tensor2d(s.dPQ, [p, 2 * H])
    readInto(tf, tf.matMul(tf.transpose(E), dPQ), s.dW1cat)
    readInto(tf, tf.matMul(dPQ, tf.transpose(W1cat)), grads.E)
  })
  splitW1(dims, s.dW1cat, grads.W1)
}

/** [d, 2H] = [top | bot] back to W1's [2d, H] layout. */
const splitW1 = (dims: MlpDims, dcat: Float32Array, gW1: Float32Array): void => {
  const { d, H } = dims
  for (let i = 0; i < d; i++) {
    gW1.set(dcat.subarray(i * 2 * H, i * 2 * H + H), i * H)
    gW1.set(dcat.subarray(i * 2 * H + H, (i + 1) * 2 * H), (d + i) * H)
  }
}

/** mlpLossGrad with every product on the native GEMM; only the logit gradient uses tfjs. */
const nativeLossGrad = (
  tf: Tf,
  blas: NativeBlas,
  dims: MlpDims,
  params: ParamSet,
  batch: MlpBatch,
  onehot: Tensor2D,
  readout: ReadoutConfig,
  grads: ParamSet,
  s: MlpScratch
): void => {
  const { p, d, H } = dims
  const n = batch.n
  nativeForward(blas, dims, params, batch, s)
  const dz = s.dz
  if (blas.softmaxGrad !== undefined && readout.loss === "ce" && !readout.audit) blas.softmaxGrad(n, p, s.z, batch.y, readout.tau, 1 / (readout.tau * n), dz)
  else {
    tf.tidy(() => {
      const z = tf.tensor2d(s.z.subarray(0, n * p), [n, p])
      readInto(tf, logitGradient(tf, z, onehot, batch.y, readout, s.z), dz)
    })
  }
  // db2 = 1ᵀ·dz: dz's column sums, one add chain over the rows in order.
  blas.sgemm(false, false, 1, p, n, s.ones, dz, grads.b2, 0)
  blas.sgemm(true, false, H, p, n, s.x, dz, grads.W2, 0)
  blas.sgemm(false, true, n, H, p, dz, params.W2, s.dx, 0)
  hiddenBackward(dims, batch, grads.b1, s)
  blas.sgemm(true, false, d, 2 * H, p, params.E, s.dPQ, s.dW1cat, 0)
  blas.sgemm(false, true, p, d, 2 * H, s.dPQ, s.W1cat, grads.E, 0)
  splitW1(dims, s.dW1cat, grads.W1)
}

/** From dL/dx (s.dx) to dL/dpre, then db1 and the scatter-add into dP, dQ. */
const hiddenBackward = (dims: MlpDims, batch: MlpBatch, db1: Float32Array, s: MlpScratch): void => {
  const { H } = dims
  const { a, b, n } = batch
  const { dx, g, dP, dQ } = s
  if (dims.layerNorm && s.simd !== null) s.simd.lnBackward(n, H, dx, s.x, s.rstd)
  // dh = rstd·(dx − mean(dx) − x·mean(dx·x)) per row; written over dx.
  else if (dims.layerNorm) layerNormRowsBack(dx, s.x, s.rstd, dx, n, H)

  s.dPQ.fill(0)
  if (s.simd !== null) (nativeBlas()?.scatter ?? s.simd.scatter)(n, H, 2 * H, s.aIdx, s.bIdx, dx, g, dP, dQ)
  else {
    for (let r = 0; r < n; r++) {
      const o = r * H
      const pa = a[r] * 2 * H
      const qb = b[r] * 2 * H
      for (let j = 0; j < H; j++) {
        const v = dx[o + j] * g[o + j]
        dP[pa + j] += v
        dQ[qb + j] += v
      }
    }
  }
  // Every row adds into exactly one row of dP, so db1 is dP's column sum.
  for (let j = 0; j < H; j++) {
    let acc = 0
    for (let i = 0; i < dims.p; i++) acc += dP[i * 2 * H + j]
    db1[j] = acc
  }
}
