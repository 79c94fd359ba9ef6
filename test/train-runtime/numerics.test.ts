/**
 * Issue #18, acceptance 1: the portable numerics ("f32-fma-kseq-v1") give the same
 * bits whichever kernel path the CPU runs, and OpenBLAS does not — which is why
 * OpenBLAS is only an explicit, machine-bound choice.
 *
 * One real cell trains in a worker process per path (GROKFLOW_KERNEL forces the
 * path there; a path the CPU lacks would fail the worker, not fall back), and the
 * results' digests are compared. The OpenBLAS part trains the same cell with
 * OPENBLAS_CORETYPE=Haswell and with the machine's own kernel family; it is skipped,
 * saying why, where OpenBLAS is absent or the machine's own family is Haswell.
 */
import { readFileSync } from "node:fs"
import { afterAll, describe, expect, it } from "vitest"
import { canonicalJson, sha256 } from "../../src/engine/Canonical.ts"
import type { CellSpec } from "../../src/train/CellSpec.ts"
import { WASM_SIMD_NUMERICS, type ResolvedBackend } from "../../src/train/backend/Backend.ts"
import { packageVersion, TFJS } from "../../src/train/backend/packages.ts"
import { loadNativeBlas } from "../../src/train/simd/nativeBlas.ts"
import { loadPortableGemm, PORTABLE_NUMERICS } from "../../src/train/simd/portableGemm.ts"
import { WorkerPool } from "../../src/train/worker/WorkerPool.ts"
import { smallSpec } from "../train/specs.ts"

// Every product of the MLP step has a k long enough (up to the 232 train rows) for
// BLAS kernel families to block it differently.
const cell: CellSpec = smallSpec({
  task: { p: 31, op: "add", trainFraction: 0.25 },
  model: { kind: "mlp", d: 32, hidden: 64, layerNorm: false },
  seeds: 2,
  budget: 60,
  evaluation: { kind: "every", every: 20 },
  stopWhenAllGrokked: false
})

const wasm = (detail: string): ResolvedBackend => ({ name: "wasm", tfjsVersion: packageVersion(TFJS), detail })

const pools: Array<WorkerPool> = []
afterAll(() => Promise.all(pools.map((p) => p.close())))

/** The digest of the cell trained in a fresh worker started with `env` added to this process's. */
const trainedDigest = async (backend: ResolvedBackend, env: Readonly<Record<string, string | undefined>>): Promise<string> => {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]))
  const set = (vars: Readonly<Record<string, string | undefined>>) => {
    for (const [k, v] of Object.entries(vars)) {
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    }
  }
  set(env)
  const pool = new WorkerPool({ size: 1, backend })
  pools.push(pool)
  try {
    // The worker forks on the first job, so it inherits `env`.
    const result = await pool.run("train", cell)
    return sha256(canonicalJson(result))
  } finally {
    set(saved)
    await pool.close()
  }
}

const portable = loadPortableGemm()
const cpuFlags = (() => {
  try {
    return new Set(readFileSync("/proc/cpuinfo", "utf8").match(/^flags\s*:(.*)$/m)?.[1]?.trim().split(/\s+/) ?? [])
  } catch {
    return new Set<string>()
  }
})()

describe.skipIf(!("gemm" in portable))(`portable numerics (${"gemm" in portable ? portable.gemm.kernels().join(", ") : portable.reason})`, () => {
  const paths = "gemm" in portable ? portable.gemm.kernels() : []

  it("offers every path this CPU has", () => {
    expect(paths).toContain("scalar")
    if (cpuFlags.has("avx2") && cpuFlags.has("fma")) expect(paths).toContain("avx2")
    if (cpuFlags.has("avx512f")) expect(paths).toContain("avx512")
  })

  it("trains one cell to identical bytes down every kernel path", async () => {
    const digests: Record<string, string> = {}
    for (const path of paths) digests[path] = await trainedDigest(wasm(PORTABLE_NUMERICS), { GROKFLOW_KERNEL: path })
    const distinct = new Set(Object.values(digests))
    expect(distinct.size, JSON.stringify(digests, null, 2)).toBe(1)
    // The cell does see how its products round: XNNPACK's products give other bytes.
    expect(await trainedDigest(wasm(WASM_SIMD_NUMERICS), {})).not.toBe(digests.scalar)
  }, 120_000)

  it("refuses a forced path the CPU lacks instead of falling back", async () => {
    const missing = (["avx2", "avx512", "neon"] as const).find((p) => !paths.includes(p))
    if (missing === undefined) return
    await expect(trainedDigest(wasm(PORTABLE_NUMERICS), { GROKFLOW_KERNEL: missing })).rejects.toThrow(/GROKFLOW_KERNEL/)
  }, 60_000)
})

const openblas = loadNativeBlas()
const ownFamily = "blas" in openblas ? openblas.blas.corename() : undefined
const openblasSkip = ownFamily === undefined
  ? `OpenBLAS is absent (${"reason" in openblas ? openblas.reason : ""}; Debian: libopenblas0-pthread)`
  : ownFamily === "Haswell" ? "this machine's own OpenBLAS family is Haswell, so there is nothing to compare" : undefined
if (openblasSkip !== undefined) console.warn(`numerics test: OpenBLAS comparison skipped: ${openblasSkip}`)

describe.skipIf(openblasSkip !== undefined)(`OpenBLAS numerics (own family ${ownFamily ?? "none"})`, () => {
  it("gives different bytes with OPENBLAS_CORETYPE=Haswell than with the machine's own family", async () => {
    const own = await trainedDigest(wasm(`openblas:${ownFamily ?? ""}`), { OPENBLAS_CORETYPE: undefined })
    const haswell = await trainedDigest(wasm("openblas:Haswell"), { OPENBLAS_CORETYPE: "Haswell" })
    expect(haswell).not.toBe(own)
  }, 120_000)
})
