import { describe, expect, it } from "vitest"
import type { SeedResult } from "../../src/train/CellSpec.ts"
import { freezeStep, needsExtension, seedShard, shardable } from "../../src/train/shards.ts"
import { smallSpec } from "./specs.ts"

const seed = (stepsTrained: number, tGrok: number | null): SeedResult => ({
  seed: 0,
  tMem: null,
  tGrok,
  normAtGrok: null,
  extraCrossings: {},
  stepsTrained,
  trajectory: { steps: [], trainAcc: [], testAcc: [], trainLoss: [], testLoss: [], norm: [], matrixNorms: {}, logitScale: [], scRate: [] }
})

describe("seed shards", () => {
  const spec = { ...smallSpec({ budget: 1000 }), seeds: 4, stopWhenAllGrokked: true }

  it("freeze at the step where more than half have finished, else at the budget", () => {
    // 4 seeds: the third finisher (majority 3) sets the step.
    expect(freezeStep(spec, [seed(300, 300), seed(100, 100), seed(1000, null), seed(200, 200)])).toBe(300)
    expect(freezeStep(spec, [seed(300, 300), seed(1000, null), seed(1000, null), seed(200, 200)])).toBe(1000)
    expect(freezeStep({ ...spec, stopWhenAllGrokked: false }, [seed(300, 300)])).toBe(1000)
  })

  it("extend only finished seeds that stopped before the freeze step", () => {
    expect(needsExtension(spec, seed(100, 100), 300)).toBe(true)
    expect(needsExtension(spec, seed(300, 300), 300)).toBe(false)
    expect(needsExtension(spec, seed(1000, null), 300)).toBe(false)
  })

  it("a shard is one seed of the cell; shards and one-seed cells are not split again", () => {
    expect(seedShard(spec, 2, 300)).toMatchObject({ seeds: 1, firstSeed: 2, minSteps: 300 })
    expect(seedShard(spec, 2)).not.toHaveProperty("minSteps")
    expect(shardable(spec)).toBe(true)
    expect(shardable(seedShard(spec, 2))).toBe(false)
    expect(shardable({ ...spec, seeds: 1 })).toBe(false)
  })
})
