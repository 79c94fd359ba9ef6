import { createRequire } from "node:module"
import { describe, expect, it } from "vitest"
import { resolveBackend } from "../../src/train/backend/resolve.ts"
import { loadNativeBlas } from "../../src/train/simd/nativeBlas.ts"
import { loadPortableGemm, PORTABLE_NUMERICS } from "../../src/train/simd/portableGemm.ts"
import { WorkerPool } from "../../src/train/worker/WorkerPool.ts"
import { standInRunner, standInSpec } from "./fixtures/specs.ts"

/** tfjs-node is optional: where it installs, "auto" picks it; the tests hold either way. */
const hasTfjsNode = (() => {
  try {
    createRequire(import.meta.url).resolve("@tensorflow/tfjs-node")
    return true
  } catch {
    return false
  }
})()

describe("resolveBackend", () => {
  it.skipIf(!hasTfjsNode)("picks tensorflow where tfjs-node is installed", async () => {
    expect((await resolveBackend("auto")).name).toBe("tensorflow")
  })

  it.skipIf(hasTfjsNode)("picks wasm with SIMD where tfjs-node is absent, without loading tfjs", async () => {
    // The portable GEMM is built once per machine on first use; not timed here.
    const portable = loadPortableGemm()
    const t0 = performance.now()
    const b = await resolveBackend("auto")
    expect(performance.now() - t0).toBeLessThan(200)
    expect(b).toEqual({ name: "wasm", tfjsVersion: "4.22.0", detail: "gemm" in portable ? PORTABLE_NUMERICS : "wasm-simd" })
    expect(await resolveBackend("auto")).toEqual(b)
  })

  it.skipIf(hasTfjsNode)("names the numerics GROKFLOW_NUMERICS picks; OpenBLAS only when asked for", async () => {
    const saved = process.env.GROKFLOW_NUMERICS
    const detail = async (value: string | undefined) => {
      if (value === undefined) delete process.env.GROKFLOW_NUMERICS
      else process.env.GROKFLOW_NUMERICS = value
      return (await resolveBackend("wasm")).detail
    }
    try {
      const native = loadNativeBlas()
      // Installed or not, OpenBLAS never becomes the default.
      expect(await detail(undefined)).toBe("gemm" in loadPortableGemm() ? PORTABLE_NUMERICS : "wasm-simd")
      expect(await detail("portable")).toBe(await detail(undefined))
      expect(await detail("wasm")).toBe("wasm-simd")
      if ("blas" in native) expect(await detail("openblas")).toBe(`openblas:${native.blas.corename()}`)
      else await expect(detail("openblas")).rejects.toThrow(/numerics openblas unavailable/)
      await expect(detail("fast")).rejects.toThrow(/GROKFLOW_NUMERICS=fast: expected one of portable, wasm, openblas/)
    } finally {
      if (saved === undefined) delete process.env.GROKFLOW_NUMERICS
      else process.env.GROKFLOW_NUMERICS = saved
    }
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

  it.skipIf(hasTfjsNode)("refuses an explicit backend that cannot load, saying why", async () => {
    await expect(resolveBackend("tensorflow")).rejects.toThrow(/tensorflow unavailable: .*tfjs-node/)
  })
})
