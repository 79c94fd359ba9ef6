/** Central finite differences of the mean training loss against a kernel's analytic gradient. */
import type { CellSpec } from "../../src/train/CellSpec.ts"
import { buildDataset, seedSplit, type Dataset } from "../../src/train/data.ts"
import { initParams } from "../../src/train/initParams.ts"
import { evaluateLogits } from "../../src/train/metrics.ts"
import type { ModelKernel, SeedBatch } from "../../src/train/modelKernel.ts"
import { makeKernel as makeAttention } from "../../src/train/models/attentionKernel.ts"
import { makeKernel as makeMlp } from "../../src/train/models/mlpKernel.ts"
import { layoutOf, zerosLike, type ParamSet } from "../../src/train/params.ts"
import type { Tf } from "../../src/train/tfTypes.ts"

/** The spec's model kernel over `data`, as cellRun.ts makes it. */
export const kernelFor = (tf: Tf, spec: CellSpec, data: Dataset): ModelKernel<SeedBatch> => {
  const readout = { loss: spec.loss, tau: spec.tau, audit: spec.numerics === "stable-audit" }
  return (spec.model.kind === "mlp" ? makeMlp : makeAttention)(tf, spec, data, readout)
}

/** dL/dθ at seed 0's init on its training split. */
export const gradientsAtInit = (tf: Tf, spec: CellSpec): ParamSet => {
  const data = buildDataset(spec.task.p, spec.task.op)
  const kernel = kernelFor(tf, spec, data)
  const batch = kernel.makeTrainBatch(seedSplit(spec, 0, data).train)
  const grads = zerosLike(layoutOf(spec))
  kernel.lossGrad(initParams(spec, 0), batch, grads)
  batch.dispose()
  kernel.dispose()
  return grads
}

/** Relative error ‖g_fd − g‖ / ‖g_fd‖ per parameter. */
export const gradCheck = (tf: Tf, spec: CellSpec, h = 1e-2): Record<string, number> => {
  const data = buildDataset(spec.task.p, spec.task.op)
  const kernel = kernelFor(tf, spec, data)
  const split = seedSplit(spec, 0, data)
  const isTrain = new Uint8Array(data.size)
  for (const r of split.train) isTrain[r] = 1
  const batch = kernel.makeTrainBatch(split.train)
  const params: ParamSet = initParams(spec, 0)
  // Nonzero biases so their gradients are exercised away from the symmetric init.
  for (const info of layoutOf(spec)) if (!info.matrix) params[info.name].forEach((_, i, a) => (a[i] = 0.1 * Math.sin(i + 1)))
  const loss = (): number =>
    evaluateLogits(kernel.logitsAll(params), data.size, kernel.outDim, data.y, isTrain, spec.loss, spec.tau).trainLoss
  const grads = zerosLike(layoutOf(spec))
  kernel.lossGrad(params, batch, grads)
  const out: Record<string, number> = {}
  for (const info of layoutOf(spec)) {
    const x = params[info.name]
    let num = 0
    let den = 0
    for (let i = 0; i < x.length; i++) {
      const keep = x[i]
      x[i] = keep + h
      const up = loss()
      x[i] = keep - h
      const down = loss()
      x[i] = keep
      const fd = (up - down) / (2 * h)
      num += (fd - grads[info.name][i]) ** 2
      den += fd * fd
    }
    out[info.name] = Math.sqrt(num / Math.max(den, 1e-30))
  }
  batch.dispose()
  kernel.dispose()
  return out
}
