/** The attention model as a ModelKernel over a fixed dataset. */
import type { Dataset } from "../data.ts"
import type { ModelKernel, SeedBatch } from "../modelKernel.ts"
import type { ParamSet } from "../params.ts"
import type { ReadoutConfig } from "../readout.ts"
import type { Tensor2D, Tf } from "../tfTypes.ts"
import type { ModelKernelFactory } from "./modelModules.ts"
import { AttentionNet, type AttentionBatch, type AttentionDims } from "./attention.ts"

export type { AttentionDims } from "./attention.ts"

export interface AttentionSeedBatch extends SeedBatch {
  readonly batch: AttentionBatch
}

export const makeAttentionKernel = (tf: Tf, dims: AttentionDims, data: Dataset, readout: ReadoutConfig): ModelKernel<AttentionSeedBatch> => {
  const V = dims.p + 1
  const model = new AttentionNet(tf, dims, data.size)
  const all: AttentionBatch = { n: data.size, a: data.a, b: data.b, y: data.y, targets: null }
  const z = new Float32Array(data.size * V)
  const scratch = new Float32Array(data.size * V)
  return {
    outDim: V,
    makeTrainBatch(split) {
      // Row order does not change the loss; in (a, b) order consecutive examples mix
      // the same a-rows of the tables, which stay in cache.
      const rows = Int32Array.from(split).sort()
      const pick = (src: Int32Array) => Int32Array.from(rows, (r) => src[r])
      const y = pick(data.y)
      const oh = new Float32Array(y.length * V)
      y.forEach((c, r) => (oh[r * V + c] = 1))
      const targets: Tensor2D = tf.keep(tf.tensor2d(oh, [y.length, V]))
      return { batch: { n: rows.length, a: pick(data.a), b: pick(data.b), y, targets }, dispose: () => targets.dispose() }
    },
    lossGrad(params: ParamSet, batch: AttentionSeedBatch, grads: ParamSet) {
      model.lossGrad(params, batch.batch, readout, grads, scratch)
    },
    logitsAll(params: ParamSet) {
      model.logitsInto(params, all, z)
      return z
    },
    dispose() {
      model.dispose()
    }
  }
}

/** The model kernel module's entry (models/loadModel.ts). */
export const makeKernel: ModelKernelFactory = (tf, spec, data, readout) => {
  const m = spec.model
  if (m.kind !== "attention") throw new Error(`attentionKernel.ts builds attention cells, not "${m.kind}"`)
  return makeAttentionKernel(tf, { p: spec.task.p, d: m.d, heads: m.heads, M: m.mlpWidth, preLN: m.preLayerNorm }, data, readout)
}
