/**
 * Issue #18, acceptance 1 (cluster part): two runners whose portable GEMM runs on
 * different kernel paths (GROKFLOW_KERNEL) key every unit as the coordinator does —
 * the numerics name is the same on both, "f32-fma-kseq-v1" — so every unit is served
 * without a refusal, and the stored cells are byte for byte those of a local run on a
 * third path.
 *
 * Needs PostgreSQL's server binaries and a CPU with AVX2+FMA (the runners use the
 * scalar and the widest vector path; the local reference the other vector path
 * where there is one). Skipped, saying why, otherwise.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { Postgres, Proc } from "./harness.ts"
import { freePort, grokflow, postgresBin, startedKeys, startPostgres, stopAll, storedEntries, trainCells, waitFor } from "./harness.ts"
import { loadPortableGemm } from "../../src/train/simd/portableGemm.ts"

const bin = postgresBin()
const portable = loadPortableGemm()
const paths = "gemm" in portable ? portable.gemm.kernels() : []
const widest = paths.at(-1)
const skip = bin === undefined
  ? "no PostgreSQL server binaries under /usr/lib/postgresql (apt-get install postgresql)"
  : !("gemm" in portable) ? `the portable GEMM does not build here: ${portable.reason}`
  : paths.length < 2 ? "this CPU has only the scalar path" : undefined
if (skip !== undefined) console.warn(`test/cluster/numerics skipped: ${skip}`)

/**
 * Six small real cells (a scalar-path runner trains one in seconds): units go to
 * runners by the shard of their key, so with six both runners get some but for a
 * 1-in-32 chance, which the test then reports as such.
 */
const PROFILE = [
  "description: six small real cells for the mixed-kernel cluster test",
  "stages:",
  "  measure-wc:",
  "    config: { moduli: [31], trainFractions: [0.6], lrs: [0.007, 0.006, 0.005, 0.0045, 0.004, 0.0035], seeds: 1, budget: 150 }",
  ""
].join("\n")
const CELLS = 6
const RUN_TIMEOUT = 240_000

describe.skipIf(skip !== undefined)("a cluster of runners on different kernel paths", () => {
  let pg: Postgres | undefined
  let dir = ""
  let profile = ""

  const finished = async (p: Proc, what: string) => {
    const code = await Promise.race([p.exited, new Promise<"timeout">((r) => setTimeout(() => r("timeout"), RUN_TIMEOUT))])
    expect(code, `${what}:\n${p.output()}`).toBe(0)
  }

  beforeAll(async () => {
    pg = await startPostgres(bin as string)
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "grokflow-numerics-"))
    profile = path.join(dir, "tiny.yaml")
    fs.writeFileSync(profile, PROFILE)
  }, 120_000)

  afterAll(async () => {
    await stopAll()
    pg?.stop()
    if (dir !== "") fs.rmSync(dir, { recursive: true, force: true })
  })

  it("serves every unit without a refusal, with the bytes of a local run", async () => {
    const reference = paths.length > 2 ? paths[paths.length - 2] : "scalar"
    const local = grokflow(["run", "--profile", profile, "--cache-dir", path.join(dir, "local"), "--jobs", "2"], { GROKFLOW_KERNEL: reference })
    await finished(local, `local reference run (${reference})`)
    const want = storedEntries(path.join(dir, "local"))
    expect(trainCells(want)).toHaveLength(CELLS)

    pg?.createDatabase("mixed")
    const db = (pg as Postgres).url("mixed")
    const runners: Array<Proc> = []
    for (const kernel of ["scalar", widest ?? "scalar"]) {
      runners.push(grokflow(["runner", "--db", db, "--listen", `127.0.0.1:${await freePort()}`, "--workers", "1", "--work-dir", path.join(dir, kernel)], { GROKFLOW_KERNEL: kernel }))
    }
    for (const r of runners) await waitFor("a runner to be ready", 90_000, () => (r.output().includes("] ready:") ? true : undefined), r.output)
    // Let the shards spread over both runners (assignments refresh every second).
    await new Promise((r) => setTimeout(r, 5_000))
    const cacheDir = path.join(dir, "cluster")
    const run = grokflow(["run", "--profile", profile, "--cache-dir", cacheDir, "--executor", "cluster", "--db", db])
    await finished(run, "coordinator")

    for (const r of runners) expect(r.output()).not.toMatch(/differs from the coordinator's|failed [0-9a-f]{12}/)
    const trained = runners.map((r) => startedKeys(r.output()))
    // Both paths trained (units follow their keys' shards; see PROFILE).
    for (const keys of trained) expect(keys.length, `units per runner: ${trained.map((k) => k.length).join(", ")}`).toBeGreaterThan(0)
    expect(trained.flat()).toHaveLength(CELLS)
    expect(storedEntries(cacheDir)).toEqual(want)
  }, 420_000)
})
