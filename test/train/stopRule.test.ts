/**
 * The stopping rule of a cell (src/train/CellSpec.ts `stopRule`). Paper B's loop trains
 * every seed until the last one groks; grokflow's default freezes finished seeds once a
 * majority has finished. The option must not move any existing cell's spec (its key).
 */
import { Schema } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import { TrainingConfig } from "../../src/cells/configFields.ts"
import { cellSpec } from "../../src/cells/cellSpecs.ts"
import { CellSpec, type SeedResult } from "../../src/train/CellSpec.ts"
import { freezeCount, freezeStep } from "../../src/train/shards.ts"
import type { Tf } from "../../src/train/tfTypes.ts"
import { trainCell } from "../../src/train/trainCell.ts"
import { smallSpec } from "./specs.ts"
import { useBackend } from "./tfBackends.ts"

const finishedAt = (stepsTrained: number): SeedResult => ({
  seed: 0,
  tMem: null,
  tGrok: stepsTrained,
  normAtGrok: null,
  extraCrossings: {},
  stepsTrained,
  trajectory: { steps: [], trainAcc: [], testAcc: [], trainLoss: [], testLoss: [], norm: [], matrixNorms: {}, logitScale: [], scRate: [] }
})

describe("stopRule: the key of a cell without it", () => {
  const config = Schema.decodeUnknownSync(TrainingConfig)({ seeds: 8, budget: 10000 })
  const choice = { p: 59, lr: 1e-3, intervention: { kind: "none" as const } }

  it("the default writes no field, so the encoded spec (the key's config) is what it was", () => {
    const spec = cellSpec(config, choice)
    expect(config.stopRule).toBe("majority-freeze")
    expect(spec).not.toHaveProperty("stopRule")
    // The spec as it was encoded before the option existed.
    expect(Schema.encodeSync(CellSpec)(spec)).toEqual({
      task: { p: 59, op: "add", trainFraction: 0.4 },
      model: { kind: "mlp", d: 128, hidden: 256, layerNorm: false },
      optimizer: { lr: 1e-3, weightDecay: 1, beta1: 0.9, beta2: 0.999, eps: 1e-8, decayOrder: "before" },
      loss: "ce",
      tau: 1,
      seeds: 8,
      budget: 10000,
      evaluation: { kind: "every", every: 25 },
      thresholds: { mem: 0.99, grok: 0.9, extra: [0.8, 0.95] },
      intervention: { kind: "none" },
      stopWhenAllGrokked: true,
      numerics: "float32"
    })
  })

  it("all-seeds is written into the spec, so it is a different cell", () => {
    const spec = cellSpec({ ...config, stopRule: "all-seeds" }, choice)
    expect(spec.stopRule).toBe("all-seeds")
  })
})

describe("stopRule: the freeze step of a sharded cell", () => {
  const spec = { ...smallSpec({ budget: 1000 }), seeds: 4 }
  const seeds = [finishedAt(300), finishedAt(100), finishedAt(700), finishedAt(200)]

  it("majority-freeze: the third of four finishers; all-seeds: the last", () => {
    expect(freezeCount(spec)).toBe(3)
    expect(freezeStep(spec, seeds)).toBe(300)
    expect(freezeCount({ ...spec, stopRule: "all-seeds" })).toBe(4)
    expect(freezeStep({ ...spec, stopRule: "all-seeds" }, seeds)).toBe(700)
  })

  it("all-seeds with a censored seed: every seed trains to the budget", () => {
    const censored = { ...finishedAt(1000), tGrok: null }
    expect(freezeStep({ ...spec, stopRule: "all-seeds" }, [...seeds.slice(0, 3), censored])).toBe(1000)
  })
})

describe("stopRule: training (wasm, p=31)", () => {
  let tf: Tf
  beforeAll(async () => {
    tf = await useBackend("wasm")
  })

  it("all-seeds trains every seed to the last seed's finish; T_grok per seed is unchanged", async () => {
    const base = smallSpec({ seeds: 3, budget: 4000 })
    const freeze = await trainCell(tf, base)
    const all = await trainCell(tf, { ...base, stopRule: "all-seeds" })
    const grok = (r: ReadonlyArray<SeedResult>) => r.map((s) => s.tGrok)
    expect(grok(all.seeds)).toEqual(grok(freeze.seeds))
    const times = freeze.seeds.map((s) => s.tGrok)
    expect(times.every((t) => t !== null)).toBe(true)
    const last = Math.max(...(times as Array<number>))
    for (const s of all.seeds) {
      expect(s.stepsTrained).toBe(last)
      expect(s.trajectory.steps.at(-1)).toBe(last)
    }
    // Under the default, the first finisher stops at the second finish (majority 2 of 3),
    // before the last seed has grokked — unless two seeds grok at the same evaluation.
    const sorted = [...(times as Array<number>)].sort((a, b) => a - b)
    const first = freeze.seeds.find((s) => s.tGrok === sorted[0])!
    expect(first.stepsTrained).toBe(sorted[1])
  })
})
