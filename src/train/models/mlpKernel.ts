/** The MLP as a ModelKernel over a fixed dataset. */
import type { Dataset } from "../data.ts"
import type { ModelKernel, SeedBatch } from "../modelKernel.ts"
import type { ParamSet } from "../params.ts"
import type { ReadoutConfig } from "../readout.ts"
import type { Tensor2D, Tf } from "../tfTypes.ts"
import type { ModelKernelFactory } from "./modelModules.ts"
import { mlpLogits, mlpLossGrad, MlpScratch, type MlpBatch, type MlpDims } from "./mlp.ts"

export interface MlpSeedBatch extends SeedBatch {
  readonly batch: MlpBatch
}

const oneHot = (tf: Tf, y: Int32Array, k: number): Tensor2D => {
  const x = new Float32Array(y.length * k)
  for (let r = 0; r < y.length; r++) x[r * k + y[r]] = 1
  return tf.tensor2d(x, [y.length, k])
}

export const makeMlpKernel = (tf: Tf, dims: MlpDims, data: Dataset, readout: ReadoutConfig): ModelKernel<MlpSeedBatch> => {
  const scratch = new MlpScratch(dims, data.size)
  const all: MlpBatch = { a: data.a, b: data.b, y: data.y, n: data.size, onehot: null }
  return {
    outDim: dims.p,
    makeTrainBatch(rows) {
      const a = new Int32Array(rows.length)
      const b = new Int32Array(rows.length)
      const y = new Int32Array(rows.length)
      rows.forEach((row, i) => {
        a[i] = data.a[row]
        b[i] = data.b[row]
        y[i] = data.y[row]
      })
      const onehot = tf.keep(oneHot(tf, y, dims.p))
      return { batch: { a, b, y, n: rows.length, onehot }, dispose: () => onehot.dispose() }
    },
    lossGrad(params: ParamSet, batch: MlpSeedBatch, grads: ParamSet) {
      mlpLossGrad(tf, dims, params, batch.batch, readout, grads, scratch)
    },
    logitsAll(params: ParamSet) {
      return mlpLogits(tf, dims, params, all, scratch)
    },
    dispose() {}
  }
}

/** The model kernel module's entry (models/loadModel.ts). */
export const makeKernel: ModelKernelFactory = (tf, spec, data, readout) => {
  const m = spec.model
  if (m.kind !== "mlp") throw new Error(`mlpKernel.ts builds MLP cells, not "${m.kind}"`)
  return makeMlpKernel(tf, { p: spec.task.p, d: m.d, H: m.hidden, layerNorm: m.layerNorm }, data, readout)
}
