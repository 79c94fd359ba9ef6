/**
 * Hands one grokflow cell to the PyTorch reference: a manifest (task, shapes,
 * optimizer, each seed's train indices) and the initial parameters of every seed as
 * raw float32, both taken from grokflow's own deterministic init and split so the two
 * implementations start from bit-identical weights and identical data. The MLP goes to
 * mlp_reference.py, the attention model (whose heads come from `model`) to
 * attention_reference.py.
 */
import { writeFileSync } from "node:fs"
import { resolve } from "node:path"
import type { CellSpec } from "../../src/train/CellSpec.ts"
import { exportCellInit } from "../../src/train/initParams.ts"

export interface ExportedCell {
  readonly manifest: string
  readonly paramsFile: string
}

export const exportCell = (spec: CellSpec, dir: string): ExportedCell => {
  const init = exportCellInit(spec)
  // Absolute: the reference resolves it from its own working directory.
  const paramsFile = resolve(dir, "params.f32")
  const perSeed = init.layout.reduce((n, l) => n + l.shape.reduce((a, b) => a * b, 1), 0)
  const flat = new Float32Array(perSeed * init.seeds.length)
  let offset = 0
  for (const seed of init.seeds) {
    for (const { name } of init.layout) {
      const values = seed.params[name]
      flat.set(values, offset)
      offset += values.length
    }
  }
  // The reference reads little-endian float32; every platform tfjs targets is LE.
  writeFileSync(paramsFile, new Uint8Array(flat.buffer))
  const manifest = resolve(dir, "cell.json")
  writeFileSync(manifest, JSON.stringify({
    baseSeed: init.baseSeed,
    paramsFile,
    seeds: init.seeds.length,
    layout: init.layout,
    data: init.data,
    train: init.seeds.map((s) => s.train),
    model: spec.model,
    tau: spec.tau,
    loss: spec.loss,
    optimizer: spec.optimizer
  }))
  return { manifest, paramsFile }
}
