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

const makeBatch = (tf: Tf, V: number, a: Int32Array, b: Int32Array, y: Int32Array, withTargets: boolean): AttentionSeedBatch => {
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
