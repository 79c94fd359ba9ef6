import { describe, expect, it } from "vitest"
import { resolveBackend } from "../../src/train/TrainerLive.ts"

describe("resolveBackend", () => {
  it("picks wasm with SIMD where tfjs-node is absent, without loading tfjs", async () => {
    const t0 = performance.now()
    const b = await resolveBackend("auto")
    expect(performance.now() - t0).toBeLessThan(200)
    expect(b).toEqual({ name: "wasm", tfjsVersion: "4.22.0", detail: "simd" })
    expect(await resolveBackend("auto")).toEqual(b)
  })

  it("honours an explicit override", async () => {
    expect((await resolveBackend("cpu")).name).toBe("cpu")
    expect((await resolveBackend("wasm")).name).toBe("wasm")
  })

  it("refuses an explicit backend that cannot load, saying why", async () => {
    await expect(resolveBackend("tensorflow")).rejects.toThrow(/tensorflow unavailable: .*tfjs-node/)
  })
})
