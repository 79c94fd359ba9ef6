import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { beforeAll, describe, expect, it } from "vitest"
import type { Tf } from "../../src/train/tfTypes.ts"
import { trainCell, trainFork } from "../../src/train/trainCell.ts"
import { smallSpec } from "./specs.ts"
import { useBackend } from "./tfBackends.ts"

describe("fork and checkpoints (wasm)", () => {
  let tf: Tf
  beforeAll(async () => {
    tf = await useBackend("wasm")
  })

  it("forks after memorization; arms share the pre-fork trajectory and hold factor·N0", async () => {
    const base = smallSpec({ budget: 400, evaluation: { kind: "every", every: 20 } })
    const result = await trainFork(tf, {
      base,
      forkAtLeast: 150,
      arms: [
        { name: "free", kind: "free" },
        { name: "same", kind: "clamp", factor: 1 },
        { name: "raised", kind: "clamp", factor: 1.15 }
      ]
    })
    expect(result.forkStep).not.toBeNull()
    const forkStep = result.forkStep!
    expect(forkStep).toBeGreaterThanOrEqual(150)
    expect(forkStep % 20).toBe(0)
    const free = result.arms.free.seeds
    const raised = result.arms.raised.seeds
    const same = result.arms.same.seeds
    result.normAtFork.forEach((n0, s) => {
      const i = free[s].trajectory.steps.indexOf(forkStep)
      expect(free[s].trajectory.norm[i]).toBeCloseTo(n0, 4)
      expect(free[s].tMem).not.toBeNull()
      // identical history up to the fork
      expect(raised[s].trajectory.trainLoss.slice(0, i + 1)).toEqual(free[s].trajectory.trainLoss.slice(0, i + 1))
      const t = raised[s].trajectory
      t.steps.forEach((step, k) => {
        if (step > forkStep) expect(Math.abs(t.norm[k] - 1.15 * n0) / (1.15 * n0)).toBeLessThan(1e-4)
      })
      const u = same[s].trajectory
      u.steps.forEach((step, k) => {
        if (step > forkStep) expect(Math.abs(u.norm[k] - n0) / n0).toBeLessThan(1e-4)
      })
    })
  })

  it("an interrupted fork resumes inside its arms to the same result", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "grokflow-fork-"))
    const spec = {
      base: smallSpec({ budget: 240, evaluation: { kind: "every" as const, every: 20 } }),
      forkAtLeast: 100,
      arms: [
        { name: "free", kind: "free" as const },
        { name: "raised", kind: "clamp" as const, factor: 1.2 }
      ]
    }
    const whole = await trainFork(tf, spec)
    const interrupted = trainFork(tf, spec, {
      checkpointDir: dir,
      checkpointEverySeconds: 0,
      progress: (done, total) => {
        if (done > 0.8 * total) throw new Error("interrupt")
      }
    })
    await expect(interrupted).rejects.toThrow("interrupt")
    const resumed = await trainFork(tf, spec, { checkpointDir: dir })
    expect(resumed.forkStep).toBe(whole.forkStep)
    expect(resumed.normAtFork).toEqual(whole.normAtFork)
    for (const name of ["free", "raised"]) expect(resumed.arms[name].seeds).toEqual(whole.arms[name].seeds)
    expect(fs.readdirSync(dir)).toEqual([])
    fs.rmSync(dir, { recursive: true, force: true })
  })

  it("an interrupted cell resumes from its checkpoint to the same result", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "grokflow-ckpt-"))
    const spec = smallSpec({ budget: 200, evaluation: { kind: "every", every: 10 }, intervention: { kind: "clamp", tInt: 50, targetNorm: 30 } })
    const whole = await trainCell(tf, spec)
    const interrupted = trainCell(tf, spec, {
      checkpointDir: dir,
      checkpointEverySeconds: 0,
      progress: (done) => {
        if (done >= 120) throw new Error("interrupt")
      }
    })
    await expect(interrupted).rejects.toThrow("interrupt")
    const files = fs.readdirSync(dir)
    expect(files.some((f) => f.endsWith(".bin"))).toBe(true)
    let resumedFrom = -1
    const resumed = await trainCell(tf, spec, {
      checkpointDir: dir,
      progress: (done) => {
        if (resumedFrom < 0) resumedFrom = done
      }
    })
    expect(resumedFrom).toBeGreaterThanOrEqual(120)
    expect(resumed.seeds).toEqual(whole.seeds)
    expect(fs.readdirSync(dir)).toEqual([])
    fs.rmSync(dir, { recursive: true, force: true })
  })
})
