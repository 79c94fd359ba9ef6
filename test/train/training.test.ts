import { beforeAll, describe, expect, it } from "vitest"
import type { Tf } from "../../src/train/tfTypes.ts"
import { trainCell } from "../../src/train/trainCell.ts"
import { smallSpec } from "./specs.ts"
import { useBackend } from "./tfBackends.ts"

describe("training (wasm)", () => {
  let tf: Tf
  beforeAll(async () => {
    tf = await useBackend("wasm")
  })

  it("the sustained clamp holds ‖W‖ within 1e-4 of its target at every evaluation from tInt on", async () => {
    const spec = smallSpec({
      budget: 300,
      evaluation: { kind: "every", every: 10 },
      intervention: { kind: "clamp", tInt: 50, targetNorm: 37.5 },
      stopWhenAllGrokked: false
    })
    const result = await trainCell(tf, spec)
    for (const seed of result.seeds) {
      const t = seed.trajectory
      const after = t.steps.map((s, i) => [s, t.norm[i]] as const).filter(([s]) => s >= 50)
      expect(after.length).toBeGreaterThan(20)
      for (const [, norm] of after) expect(Math.abs(norm - 37.5) / 37.5).toBeLessThan(1e-4)
      const before = t.steps.findIndex((s) => s === 40)
      expect(Math.abs(t.norm[before] - 37.5)).toBeGreaterThan(0.5)
    }
  })

  it("per-matrix clamp and one-shot rescale", async () => {
    const targets = { E: 5, W1: 20, W2: 12 }
    const held = await trainCell(tf, smallSpec({
      budget: 120,
      evaluation: { kind: "every", every: 20 },
      intervention: { kind: "clamp-per-matrix", tInt: 40, targets },
      stopWhenAllGrokked: false
    }))
    const t = held.seeds[0].trajectory
    t.steps.forEach((s, i) => {
      if (s < 40) return
      for (const [name, target] of Object.entries(targets))
        expect(Math.abs(t.matrixNorms[name][i] - target) / target).toBeLessThan(1e-4)
    })
    const once = await trainCell(tf, smallSpec({
      budget: 60,
      evaluation: { kind: "every", every: 1 },
      intervention: { kind: "rescale", tInt: 30, targetNorm: 50 },
      stopWhenAllGrokked: false
    }))
    const u = once.seeds[0].trajectory
    expect(Math.abs(u.norm[u.steps.indexOf(30)] - 50) / 50).toBeLessThan(1e-4)
    expect(Math.abs(u.norm[u.steps.indexOf(31)] - 50)).toBeGreaterThan(1e-3)
  })

  it("is deterministic: the same spec gives identical per-seed results twice", async () => {
    const spec = smallSpec({ budget: 150, evaluation: { kind: "every", every: 15 }, stopWhenAllGrokked: false })
    const a = await trainCell(tf, spec)
    const b = await trainCell(tf, spec)
    expect(b.seeds).toEqual(a.seeds)
    expect(tf.memory().numTensors).toBe(0)
  })

  it("a small cell memorizes early and groks later (p=31, fraction 0.6, lr 6e-3), reporting its seeds grokked", async () => {
    const started = performance.now()
    const reports: Array<{ done: number; total: number; grokked: number | undefined; seeds: number | undefined }> = []
    const result = await trainCell(tf, smallSpec(), {
      progress: (done, total, tally) => void reports.push({ done, total, grokked: tally?.grokked, seeds: tally?.seeds })
    })
    const seconds = (performance.now() - started) / 1000
    expect(seconds).toBeLessThan(60)
    // Progress lines' "seeds grokked": 0 at first, never falling, every seed by the end.
    expect(reports.length).toBeGreaterThan(10)
    expect(reports.every((r) => r.total === 3000 && r.seeds === 2)).toBe(true)
    expect(reports[0]?.grokked).toBe(0)
    expect(reports.at(-1)?.grokked).toBe(2)
    expect(reports.every((r, i) => i === 0 || (r.grokked ?? 0) >= (reports[i - 1]?.grokked ?? 0))).toBe(true)
    for (const seed of result.seeds) {
      expect(seed.tMem).not.toBeNull()
      expect(seed.tGrok).not.toBeNull()
      expect(seed.tMem!).toBeLessThan(seed.tGrok!)
      const t = seed.trajectory
      expect(t.trainAcc[t.steps.indexOf(seed.tMem!)]).toBeGreaterThanOrEqual(0.99)
      expect(t.testAcc[t.steps.indexOf(seed.tGrok!)]).toBeGreaterThanOrEqual(0.9)
      expect(seed.normAtGrok).toBe(t.norm[t.steps.indexOf(seed.tGrok!)])
    }
  })
})
