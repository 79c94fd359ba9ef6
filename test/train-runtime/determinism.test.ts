import { afterAll, describe, expect, it } from "vitest"
import type { CellSpec } from "../../src/train/CellSpec.ts"
import { resolveBackend } from "../../src/train/backend/resolve.ts"
import { WorkerPool } from "../../src/train/worker/WorkerPool.ts"
import { smallSpec } from "../train/specs.ts"

// The real training core through the default runner, on a cell small enough to take
// well under a second of compute.
const tiny: CellSpec = smallSpec({
  task: { p: 11, op: "add", trainFraction: 0.5 },
  model: { kind: "mlp", d: 8, hidden: 16, layerNorm: false },
  optimizer: { lr: 3e-3, weightDecay: 1, beta1: 0.9, beta2: 0.999, eps: 1e-8, decayOrder: "before" },
  budget: 30,
  evaluation: { kind: "every", every: 10 },
  stopWhenAllGrokked: false
})

const backend = await resolveBackend("auto")
const pool = new WorkerPool({ size: 2, backend })
afterAll(() => pool.close())

describe("training in the pool", () => {
  it("gives identical per-seed metrics for the same spec on either worker", async () => {
    const [a, b] = await Promise.all([pool.run("train", tiny), pool.run("train", tiny)])
    expect(pool.workersSpawned).toBe(2)
    expect(a.backend).toBe(backend.name)
    expect(a.seeds).toHaveLength(2)
    expect(a.seeds[0].trajectory.steps.length).toBeGreaterThan(1)
    expect(b.seeds).toEqual(a.seeds)
  })
})
