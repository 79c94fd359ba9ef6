/**
 * The 1-layer attention model of paper A §7 / paper B (docs/protocol.md §2), following the
 * released runners: tokens [a, b, =] (vocab V = p+1), token + positional embedding,
 * one attention layer in which only the last position queries (keys and values over
 * all three positions), residual, a GELU MLP with residual, unembedding U. No biases.
 * Optional parameter-free pre-LN (eps 1e−5) before attention (on all three
 * positions), before the MLP and before the unembedding; the residual stream itself
 * is never normalized.
 *
 * Folded per token: keys, values, queries and scores are per-step tables over the
 * (position, token) rows (attentionTables.ts); per example the attention is a 3-way
 * softmax per head and a mix of table rows (attentionMix.ts); the MLP block and
 * unembedding follow (attentionBlock.ts: without LN its input product and the
 * residual logits fold into the table too). Products run on the native GEMM over host
 * buffers, or on the tfjs device where there is none.
 *
 * The result is the same function as the unfolded model (test/train/attentionUnfolded.ts;
 * training from the same init matches it to float32 rounding, test/train/attentionFold.test.ts).
 * The logit gradient is the MLP's: the native softmaxGrad for float32 CE where there
 * is a native GEMM, else readout.ts, so float32, MSE and the stable-audit arm behave
 * as for the MLP.
 */
import type { ParamSet } from "../params.ts"
import { logitGradient, type ReadoutConfig } from "../readout.ts"
import { loadSimdKernels } from "../simd/loader.ts"
import { nativeBlas } from "../simd/nativeBlas.ts"
import type { Tf } from "../tfTypes.ts"
import { readInto } from "../tfTypes.ts"
import { FusedBlock, LnBlock, paddedVocab } from "./attentionBlock.ts"
import { AttentionMix } from "./attentionMix.ts"
import { AttentionTables, hostGemm, type AttentionBatch, type AttentionDims } from "./attentionTables.ts"

export { ATTN_LN_EPS, type AttentionBatch, type AttentionDims } from "./attentionTables.ts"

/** Floats of the SIMD arena: every per-example and table buffer of either block, with slack for alignment. */
const arenaFloats = (dims: AttentionDims, maxRows: number): number => {
  const { d, M, heads, p } = dims
  const V = p + 1
  const Vp = paddedVocab(V)
  const T = heads * (2 * V + 1) + 1
  const K = 3 * heads + 1
  const N = M + Vp
  const block = 3 * maxRows * M + (dims.preLN ? 2 * T * d + 6 * maxRows * d + 2 * maxRows + 2 * d : 2 * T * N + 2 * N + 2 * maxRows * Vp)
  const mix = 3 * maxRows * K + Math.max(d, N) + 4
  // Each view is rounded up to 16 bytes.
  return block + mix + 4 * 32
}

export class AttentionNet {
  private readonly tables: AttentionTables
  private readonly mix: AttentionMix
  private readonly block: FusedBlock | LnBlock

  constructor(
    private readonly tf: Tf,
    readonly dims: AttentionDims,
    maxRows: number
  ) {
    const simd = loadSimdKernels(4 * arenaFloats(dims, maxRows) + 1024)
    const gemm = hostGemm(tf)
    this.tables = new AttentionTables(gemm, dims)
    const Vp = paddedVocab(dims.p + 1)
    this.mix = new AttentionMix(dims, maxRows, Math.max(dims.d, dims.M + Vp), simd)
    this.block = dims.preLN ? new LnBlock(gemm, dims, this.tables, this.mix, simd, maxRows) : new FusedBlock(gemm, dims, this.tables, this.mix, simd, maxRows)
  }

  dispose(): void {}

  /** Logits of every row into `out` ([n, V], before τ). */
  logitsInto(params: ParamSet, batch: AttentionBatch, out: Float32Array): void {
    this.block.forward(params, batch)
    this.packLogits(batch.n, out)
  }

  /** The block's logit rows (ld floats apart) packed into [n, V]. */
  private packLogits(n: number, out: Float32Array): void {
    const { V, logitRows: rows } = this.block
    if (rows.ld === V) out.set(rows.z.subarray(0, n * V))
    else for (let r = 0; r < n; r++) out.set(rows.z.subarray(r * rows.ld, r * rows.ld + V), r * V)
  }

  /** dL/dθ of the mean training loss into grads. */
  lossGrad(params: ParamSet, batch: AttentionBatch, readout: ReadoutConfig, grads: ParamSet, scratch: Float32Array): void {
    const { tf, block } = this
    const targets = batch.targets
    if (targets === null) throw new Error("attention lossGrad: batch has no targets")
    block.forward(params, batch)
    const n = batch.n
    const V = block.V
    const rows = block.logitRows
    const native = nativeBlas()
    if (native?.softmaxGrad !== undefined && readout.loss === "ce" && !readout.audit) {
      // The portable numerics' own CE gradient, read and written in place, as the MLP's.
      native.softmaxGrad(n, V, rows.z, batch.y, readout.tau, 1 / (readout.tau * n), rows.dz, rows.ld)
    } else {
      if (rows.z !== block.z) this.packLogits(n, block.z)
      tf.tidy(() => {
        const z = tf.tensor2d(block.z.subarray(0, n * V), [n, V])
        readInto(tf, logitGradient(tf, z, targets, batch.y, readout, scratch), block.dz)
      })
      if (rows.dz !== block.dz) for (let r = 0; r < n; r++) rows.dz.set(block.dz.subarray(r * V, (r + 1) * V), r * rows.ld)
    }
    block.backward(params, batch, grads)
  }
}
