/** The attention model as a ModelKernel over a fixed dataset. */
import type { Dataset } from "../data.ts"
import type { ModelKernel, SeedBatch } from "../kernel.ts"
import type { ParamSet } from "../params.ts"
import type { ReadoutConfig } from "../readout.ts"
import type { Tensor2D, Tf } from "../tfTypes.ts"
import { AttentionModel, type AttentionBatch, type AttentionDims } from "./attention.ts"

export type { AttentionDims } from "./attention.ts"

export interface AttentionSeedBatch extends SeedBatch {
  readonly batch: AttentionBatch
}

const oneHot = (tf: Tf, idx: Int32Array, k: number): Tensor2D => {
  const x = new Float32Array(idx.length * k)
  for (let r = 0; r < idx.length; r++) x[r * k + idx[r]] = 1
  return tf.tensor2d(x, [idx.length, k])
}

const makeBatch = (tf: Tf, V: number, a: Int32Array, b: Int32Array, y: Int32Array, withTargets: boolean): AttentionSeedBatch => {
  const oneHotA = oneHot(tf, a, V)
  const oneHotB = oneHot(tf, b, V)
  const targets = withTargets ? oneHot(tf, y, V) : null
  return {
    batch: { n: a.length, y, oneHotA, oneHotB, targets },
    dispose: () => {
      oneHotA.dispose()
      oneHotB.dispose()
      targets?.dispose()
    }
  }
}

export const makeAttentionKernel = (tf: Tf, dims: AttentionDims, data: Dataset, readout: ReadoutConfig): ModelKernel<AttentionSeedBatch> => {
  const V = dims.p + 1
  const model = new AttentionModel(tf, dims, data.size)
  const all = makeBatch(tf, V, data.a, data.b, data.y, false)
  const z = new Float32Array(data.size * V)
  const scratch = new Float32Array(data.size * V)
  return {
    outDim: V,
    makeTrainBatch(rows) {
      const pick = (src: Int32Array) => Int32Array.from(rows, (r) => src[r])
      return makeBatch(tf, V, pick(data.a), pick(data.b), pick(data.y), true)
    },
    lossGrad(params: ParamSet, batch: AttentionSeedBatch, grads: ParamSet) {
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
