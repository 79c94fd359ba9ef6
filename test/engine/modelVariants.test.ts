/**
 * A training cell keys on its own model's code only: the worker loads the model
 * by path, so no import joins the two models, and an edit to the attention model
 * cannot move an MLP cell's key (every released cell is an MLP cell). A stage
 * declaring the kind keys on both, since its cells may run either.
 */
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { forkKind, mlpTrain, trainKind } from "../../src/cells/cellKinds.ts"
import { allCellCode, cellCodeOf, declaresVariant, onlyVariants, variantOf } from "../../src/engine/CellKind.ts"
import { toJson } from "../../src/engine/Canonical.ts"
import { CodeHasher } from "../../src/engine/Key.ts"
import { stageRegistry } from "../../src/engine/Pipeline.ts"
import { ROOT } from "./imports.ts"

const attentionOnly = ["src/train/models/attention.ts", "src/train/models/attentionMix.ts", "src/train/models/attentionTables.ts", "src/train/models/attentionKernel.ts"]
const mlpOnly = ["src/train/models/mlp.ts", "src/train/models/mlpKernel.ts"]

describe("model variants of the training kinds", () => {
  const hasher = new CodeHasher(ROOT, [trainKind, forkKind].flatMap(allCellCode))
  const closure = (files: ReadonlyArray<string>) => Effect.runPromise(Effect.map(hasher.digest(files), Object.keys))

  it("an MLP cell's closure holds no attention module, and an attention cell's no MLP module", async () => {
    const mlp = await closure(cellCodeOf(trainKind, "mlp"))
    const attention = await closure(cellCodeOf(trainKind, "attention"))
    for (const f of mlpOnly) expect(mlp, f).toContain(f)
    for (const f of attentionOnly) {
      expect(attention, f).toContain(f)
      expect(mlp, f).not.toContain(f)
    }
    for (const f of mlpOnly) expect(attention, f).not.toContain(f)
    // The shared core is in both.
    for (const f of ["src/train/cellRun.ts", "src/train/adamw.ts", "src/train/simd/portableGemm.ts"]) {
      expect(mlp, f).toContain(f)
      expect(attention, f).toContain(f)
    }
  })

  it("a stage declaring the kind covers both models", async () => {
    const all = await closure(allCellCode(trainKind))
    for (const f of [...mlpOnly, ...attentionOnly]) expect(all, f).toContain(f)
  })

  it("the variant comes from the payload's model, for a fork from its base", () => {
    expect(variantOf(trainKind, toJson({ model: { kind: "attention" } }))).toBe("attention")
    expect(variantOf(forkKind, toJson({ base: { model: { kind: "mlp" } } }))).toBe("mlp")
    // A payload naming no known model keys on every model.
    expect(variantOf(trainKind, toJson({ model: { kind: "rnn" } }))).toBeUndefined()
    expect(cellCodeOf(trainKind, undefined)).toEqual(allCellCode(trainKind))
  })

  it("a stage narrowed to the MLP keys on no attention module and may not run an attention cell", () => {
    const attention = toJson({ model: { kind: "attention" } })
    expect(allCellCode(mlpTrain).filter((f) => f.includes("attention"))).toEqual([])
    expect(declaresVariant(mlpTrain, trainKind, attention)).toBe(false)
    expect(declaresVariant(mlpTrain, trainKind, toJson({ model: { kind: "mlp" } }))).toBe(true)
    // An unknown model keys on every model, so only a stage declaring every model may run it.
    expect(declaresVariant(mlpTrain, trainKind, toJson({ model: {} }))).toBe(false)
    expect(declaresVariant(trainKind, trainKind, attention)).toBe(true)
    expect(() => onlyVariants(trainKind, "rnn")).toThrow(/no variant rnn/)
  })

  it("only the LayerNorm stages, which train the attention model, key on its code", async () => {
    const registry = await Effect.runPromise(stageRegistry({ root: ROOT }))
    const stages = [...registry.byName.values()]
    const stageFiles = new Set(stages.map((s) => s.relFile))
    const keyed = new CodeHasher(ROOT, stages.flatMap((s) => [s.relFile, ...(s.stage.cells ?? []).flatMap(allCellCode)]), (f) => stageFiles.has(f))
    const withAttention: Array<string> = []
    for (const s of stages) {
      const files = await keyed.closure([s.relFile, ...(s.stage.cells ?? []).flatMap(allCellCode)])
      if (files.includes("src/train/models/attention.ts")) withAttention.push(s.stage.name)
    }
    expect(withAttention.sort()).toEqual(["layernorm-control", "layernorm-observational"])
  })
})
