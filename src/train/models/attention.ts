/**
 * The 1-layer attention model of paper A §7 / paper B (science.md §2), following the
 * released runners: tokens [a, b, =] (vocab V = p+1), token + positional embedding,
 * one attention layer in which only the last position queries (keys and values over
 * all three), residual, a GELU MLP with residual, unembedding U. No biases. Optional
 * parameter-free pre-LN (eps 1e−5) before attention (on all three positions), before
 * the MLP and before the unembedding; the residual stream itself is never normalized.
 *
 * The backward pass is tfjs autodiff, made wasm-friendly: every product goes through
 * `dense` (explicit-transpose backward, performance.md), the embedding lookup is a
 * one-hot product (no gather gradient, which wasm lacks), GELU runs on the host with
 * its exact derivative, and the logit gradient comes from readout.ts (so float32,
 * MSE and the stable-audit arm behave as for the MLP). This model only runs in the
 * paper profile; the MLP carries the speed-critical cells.
 */
import { geluForward } from "../gelu.ts"
import { loadSimdKernels, type SimdKernels } from "../simd.ts"
import type { ParamSet } from "../params.ts"
import { logitGradient, type ReadoutConfig } from "../readout.ts"
import type { Tensor, Tensor2D, Tf } from "../tfTypes.ts"
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

/** Names of the parameters in layout order (see params.ts). */
export const ATTENTION_PARAMS = ["E", "pos", "Wq", "Wk", "Wv", "Wo", "Win", "Wout", "U"] as const

export interface AttentionBatch {
  readonly n: number
  readonly y: Int32Array
  /** [n, V] one-hot of the first and second operand. */
  readonly oneHotA: Tensor2D
  readonly oneHotB: Tensor2D
  /** [n, V] one-hot targets; null for forward-only batches. */
  readonly targets: Tensor2D | null
}

type Save = (tensors: Array<Tensor>) => void
type Grad<T extends Tensor> = { value: T; gradFunc: (dy: T, saved: Array<Tensor>) => Tensor | Array<Tensor> }

/** tf.customGrad over a fixed number of tensor inputs (its variadic type, narrowed). */
const custom = <T extends Tensor>(tf: Tf, arity: number, body: (inputs: Array<Tensor>, save: Save) => Grad<T>) => {
  const op = tf.customGrad<T>((...args) => body(args.slice(0, arity) as Array<Tensor>, args[arity] as Save))
  return (...inputs: Array<Tensor>): T => op(...inputs)
}

type Dense = (x: Tensor, w: Tensor) => Tensor

/** x·w whose gradients are plain matMuls against explicit transposes. */
const makeDense = (tf: Tf): Dense =>
  custom<Tensor2D>(tf, 2, ([x, w], save) => {
    save([x, w])
    return {
      value: tf.matMul(x as Tensor2D, w as Tensor2D),
      gradFunc: (dy, saved) => {
        const [xs, ws] = saved as [Tensor2D, Tensor2D]
        return [tf.matMul(dy, tf.transpose(ws)), tf.matMul(tf.transpose(xs), dy)]
      }
    }
  })

interface GeluScratch {
  readonly simd: SimdKernels | null
  readonly pre: Float32Array
  readonly h: Float32Array
  readonly g: Float32Array
}

const geluScratch = (size: number): GeluScratch => {
  const simd = loadSimdKernels(3 * 4 * size + 1024)
  const f32 = (n: number): Float32Array => (simd !== null ? simd.arena.f32(n) : new Float32Array(n))
  return { simd, pre: f32(size), h: f32(size), g: f32(size) }
}

/** GELU on the host (SIMD kernel or table); the derivative is saved from the same pass. */
const makeGelu = (tf: Tf, scratch: GeluScratch) =>
  custom<Tensor>(tf, 1, ([x], save) => {
    const size = x.size
    readInto(tf, x, scratch.pre)
    if (scratch.simd !== null && size % 4 === 0) scratch.simd.gelu(size, scratch.pre, scratch.h, scratch.g)
    else geluForward(scratch.pre, scratch.h, scratch.g, size)
    const g = tf.tensor(scratch.g.subarray(0, size), x.shape)
    save([g])
    return {
      value: tf.tensor(scratch.h.subarray(0, size), x.shape),
      gradFunc: (dy, saved) => tf.mul(dy, saved[0])
    }
  })

/** Parameter-free LayerNorm over the last axis. */
const layerNorm = (tf: Tf, x: Tensor): Tensor => {
  const mean = tf.mean(x, -1, true)
  const c = tf.sub(x, mean)
  const v = tf.mean(tf.square(c), -1, true)
  return tf.mul(c, tf.rsqrt(tf.add(v, ATTN_LN_EPS)))
}

export class AttentionModel {
  private readonly dense: Dense
  private readonly gelu: (x: Tensor) => Tensor
  /** [d, heads] block indicator: sums a head's dh coordinates in one product. */
  private readonly headSum: Tensor2D
  private readonly headSpread: Tensor2D
  private readonly lastOneHot: Tensor2D

  constructor(
    private readonly tf: Tf,
    readonly dims: AttentionDims,
    maxRows: number
  ) {
    const { d, heads, M, p } = dims
    if (d % heads !== 0) throw new Error(`attention: d=${d} not divisible by heads=${heads}`)
    const dh = d / heads
    this.dense = makeDense(tf)
    const size = maxRows * Math.max(M, d)
    this.gelu = makeGelu(tf, geluScratch(size))
    const ind = new Float32Array(d * heads)
    for (let i = 0; i < d; i++) ind[i * heads + Math.floor(i / dh)] = 1
    this.headSum = tf.keep(tf.tensor2d(ind, [d, heads]))
    this.headSpread = tf.keep(tf.transpose(this.headSum))
    const last = new Float32Array(p + 1)
    last[p] = 1
    this.lastOneHot = tf.keep(tf.tensor2d(last, [1, p + 1]))
  }

  dispose(): void {
    this.headSum.dispose()
    this.headSpread.dispose()
    this.lastOneHot.dispose()
  }

  /** Logits [n, V] from parameter tensors (differentiable). */
  logits(t: Readonly<Record<string, Tensor>>, batch: AttentionBatch): Tensor2D {
    const { tf, dense, dims } = this
    const { d, heads } = dims
    const dh = d / heads
    const ln = (x: Tensor): Tensor => (dims.preLN ? layerNorm(tf, x) : x)
    const pos = t.pos
    const posRow = (i: number): Tensor => tf.slice(pos, [i, 0], [1, d])
    // Residual stream of the three positions; "=" is the same for every row.
    const x0 = tf.add(dense(batch.oneHotA, t.E), posRow(0))
    const x1 = tf.add(dense(batch.oneHotB, t.E), posRow(1))
    const x2 = tf.add(dense(this.lastOneHot, t.E), posRow(2)) // [1, d]
    const l0 = ln(x0)
    const l1 = ln(x1)
    const l2 = ln(x2)
    const q = dense(l2, t.Wq) // [1, d]: the only query
    const scale = 1 / Math.sqrt(dh)
    const keys = [dense(l0, t.Wk), dense(l1, t.Wk), dense(l2, t.Wk)]
    const values = [dense(l0, t.Wv), dense(l1, t.Wv), dense(l2, t.Wv)]
    // Per-head scores q_h·k_h/√dh for each key position: [n or 1, heads].
    const scores = keys.map((k) => tf.mul(dense(tf.mul(k, q), this.headSum), scale))
    const n = batch.n
    const stacked = tf.stack(scores.map((s) => tf.broadcastTo(s, [n, heads])), 2) // [n, heads, 3]
    const attn = tf.softmax(stacked) // over the key axis
    const weights = tf.unstack(attn, 2) // 3 × [n, heads]
    let z: Tensor = tf.zeros([n, d])
    weights.forEach((w, i) => {
      z = tf.add(z, tf.mul(dense(w, this.headSpread), values[i]))
    })
    const xLast = tf.add(x2, dense(z, t.Wo))
    const hidden = this.gelu(dense(ln(xLast), t.Win))
    const xOut = tf.add(xLast, dense(hidden, t.Wout))
    return dense(ln(xOut), t.U) as Tensor2D
  }

  /** Logits of every row into `out` ([n, V], before τ). */
  logitsInto(params: ParamSet, batch: AttentionBatch, out: Float32Array): void {
    const { tf } = this
    tf.tidy(() => {
      const t = this.upload(params)
      readInto(tf, this.logits(t, batch), out)
    })
  }

  private upload(params: ParamSet): Record<string, Tensor> {
    const { tf, dims } = this
    const { d, M, p } = dims
    const V = p + 1
    const shapes: Record<string, [number, number]> = {
      E: [V, d],
      pos: [3, d],
      Wq: [d, d],
      Wk: [d, d],
      Wv: [d, d],
      Wo: [d, d],
      Win: [d, M],
      Wout: [M, d],
      U: [d, V]
    }
    return Object.fromEntries(ATTENTION_PARAMS.map((name) => [name, tf.tensor2d(params[name], shapes[name])]))
  }

  /** dL/dθ of the mean training loss into grads. */
  lossGrad(params: ParamSet, batch: AttentionBatch, readout: ReadoutConfig, grads: ParamSet, scratch: Float32Array): void {
    const { tf } = this
    const targets = batch.targets
    if (targets === null) throw new Error("attention lossGrad: batch has no targets")
    tf.tidy(() => {
      const t = this.upload(params)
      const names = [...ATTENTION_PARAMS]
      // The loss head's gradient is dL/dz from readout.ts; its value is unused.
      const head = custom<Tensor>(tf, 1, ([z], save) => {
        save([z])
        return {
          value: tf.scalar(0),
          gradFunc: (_dy, saved) => logitGradient(tf, saved[0] as Tensor2D, targets, batch.y, readout, scratch)
        }
      })
      const f = (...xs: Array<Tensor>): Tensor => {
        const named = Object.fromEntries(names.map((nm, i) => [nm, xs[i]]))
        return head(this.logits(named, batch))
      }
      const gs = tf.grads(f)(names.map((nm) => t[nm]))
      names.forEach((nm, i) => readInto(tf, gs[i], grads[nm]))
    })
  }
}
