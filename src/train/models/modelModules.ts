/**
 * Each model's kernel module, by the model kind a CellSpec names. The worker loads
 * the module by path at run time, so no static import ties the models together:
 * a cell's code closure (its key) holds only its own model, and work on the
 * attention model never moves an MLP cell's key (src/cells/cellKinds.ts).
 */
import type { Dataset } from "../data.ts"
import type { ModelKernel, SeedBatch } from "../modelKernel.ts"
import type { CellSpec, Model } from "../CellSpec.ts"
import type { ReadoutConfig } from "../readout.ts"
import type { Tf } from "../tfTypes.ts"

/** Project-relative, as cell kinds' code is named. */
export const modelModules: { readonly [K in Model["kind"]]: string } = {
  mlp: "src/train/models/mlpKernel.ts",
  attention: "src/train/models/attentionKernel.ts"
}

/** What a model's kernel module exports as `makeKernel`. */
export type ModelKernelFactory = (tf: Tf, spec: CellSpec, data: Dataset, readout: ReadoutConfig) => ModelKernel<SeedBatch>
