/**
 * Loads a model's kernel module by path (modelModules.ts). The path is computed,
 * never a literal, so the import graph that keys cells (engine/CodeGraph.ts) does
 * not join the models; the cell kinds name each model's module instead.
 */
import type { Model } from "../CellSpec.ts"
import { modelModules, type ModelKernelFactory } from "./modelModules.ts"

const projectRoot = new URL("../../../", import.meta.url)
const loaded = new Map<string, Promise<ModelKernelFactory>>()

const isFactoryModule = (mod: unknown): mod is { readonly makeKernel: ModelKernelFactory } =>
  typeof mod === "object" && mod !== null && "makeKernel" in mod && typeof mod.makeKernel === "function"

export const loadModelKernel = (kind: Model["kind"]): Promise<ModelKernelFactory> => {
  let p = loaded.get(kind)
  if (p === undefined) {
    const href = new URL(modelModules[kind], projectRoot).href
    p = import(href).then((mod: unknown) => {
      if (isFactoryModule(mod)) return mod.makeKernel
      throw new Error(`${modelModules[kind]} does not export makeKernel`)
    })
    loaded.set(kind, p)
  }
  return p
}
