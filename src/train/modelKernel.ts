/**
 * What the batched trainer needs from a model: the gradient of the mean training
 * loss and the logits of every dataset row. Device data (one-hot targets) live in
 * the kernel's per-seed batches, created once per cell.
 */
import type { ParamSet } from "./params.ts"

export interface SeedBatch {
  dispose(): void
}

export interface ModelKernel<B extends SeedBatch> {
  /** Number of logits per row (p for the MLP, p+1 for the attention model). */
  readonly outDim: number
  /** Device-side training batch for these dataset rows. */
  makeTrainBatch(rows: Int32Array): B
  /** Writes dL/dθ of the mean training loss into grads. */
  lossGrad(params: ParamSet, batch: B, grads: ParamSet): void
  /** Logits (before τ) of every dataset row, [N, outDim]; valid until the next call. */
  logitsAll(params: ParamSet): Float32Array
  dispose(): void
}
