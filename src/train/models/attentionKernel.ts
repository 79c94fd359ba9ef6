/** Placeholder until the attention model lands. */
import type { Dataset } from "../data.ts"
import type { ModelKernel, SeedBatch } from "../kernel.ts"
import type { ReadoutConfig } from "../readout.ts"
import type { Tf } from "../tfTypes.ts"

export interface AttentionDims {
  readonly p: number
  readonly d: number
  readonly heads: number
  readonly M: number
  readonly preLN: boolean
}

export const makeAttentionKernel = (_tf: Tf, _dims: AttentionDims, _data: Dataset, _readout: ReadoutConfig): ModelKernel<SeedBatch> => {
  throw new Error("attention model not implemented yet")
}
