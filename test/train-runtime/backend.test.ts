import { describe, expect, it } from "vitest"
import { resolveBackend } from "../../src/train/TrainerLive.ts"
import { WorkerPool } from "../../src/train/worker/WorkerPool.ts"
import { standInRunner, standInSpec } from "./fixtures/specs.ts"

describe("resolveBackend", () => {
  it("picks wasm with SIMD where tfjs-node is absent, without loading tfjs", async () => {
    const t0 = performance.now()
    const b = await resolveBackend("auto")
    expect(performance.now() - t0).toBeLessThan(200)
    expect(b).toEqual({ name: "wasm", tfjsVersion: "4.22.0", detail: "simd" })
    expect(await resolveBackend("auto")).toEqual(b)
  })

  it("honours an explicit override, down to the backend the worker runs", async () => {
    expect((await resolveBackend("wasm")).name).toBe("wasm")
    const cpu = await resolveBackend("cpu")
    expect(cpu).toEqual({ name: "cpu", tfjsVersion: "4.22.0", detail: "" })
    const pool = new WorkerPool({ size: 1, backend: cpu, runner: standInRunner })
    try {
      const result = await pool.run("train", standInSpec(1))
      expect(result.backend).toBe("cpu")
    } finally {
      await pool.close()
    }
  })

  it("refuses an explicit backend that cannot load, saying why", async () => {
    await expect(resolveBackend("tensorflow")).rejects.toThrow(/tensorflow unavailable: .*tfjs-node/)
  })
})
