/**
 * Issue #18, acceptance 1 (cluster part): runners whose portable GEMM runs on
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
 * Six small real cells (a scalar-path runner trains one in seconds). Which runner
 * a unit goes to follows its key's shard, so two runners up at once may split six
 * units any way, all on one included; the test therefore gives each path its own
 * cluster in turn (its own database, one runner): the scalar path trains the first
 * three, then the widest path the other three while the first three are hits from
 * the same coordinator store.
 */
const LRS = [0.007, 0.006, 0.005, 0.0045, 0.004, 0.0035]
const profileOf = (lrs: ReadonlyArray<number>) =>
  [
    `description: ${lrs.length} small real cells for the mixed-kernel cluster test`,
    "stages:",
    "  measure-wc:",
    `    config: { moduli: [31], trainFractions: [0.6], lrs: [${lrs.join(", ")}], seeds: 1, budget: 150 }`,
    ""
  ].join("\n")
const CELLS = LRS.length
const RUN_TIMEOUT = 240_000

describe.skipIf(skip !== undefined)("a cluster of runners on different kernel paths", () => {
  let pg: Postgres | undefined
  let dir = ""

  const finished = async (p: Proc, what: string) => {
    const code = await Promise.race([p.exited, new Promise<"timeout">((r) => setTimeout(() => r("timeout"), RUN_TIMEOUT))])
    expect(code, `${what}:\n${p.output()}`).toBe(0)
  }

  const writeProfile = (name: string, lrs: ReadonlyArray<number>) => {
    const file = path.join(dir, `${name}.yaml`)
    fs.writeFileSync(file, profileOf(lrs))
    return file
  }

  beforeAll(async () => {
    pg = await startPostgres(bin as string)
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "grokflow-numerics-"))
  }, 120_000)

  afterAll(async () => {
    await stopAll()
    pg?.stop()
    if (dir !== "") fs.rmSync(dir, { recursive: true, force: true })
  })

  it("serves every unit without a refusal, with the bytes of a local run", async () => {
    const all = writeProfile("all", LRS)
    const reference = paths.length > 2 ? paths[paths.length - 2] : "scalar"
    const local = grokflow(["run", "--profile", all, "--no-lock", "--cache-dir", path.join(dir, "local"), "--jobs", "2"], { GROKFLOW_KERNEL: reference })
    await finished(local, `local reference run (${reference})`)
    const want = storedEntries(path.join(dir, "local"))
    expect(trainCells(want)).toHaveLength(CELLS)

    const cacheDir = path.join(dir, "cluster")
    const phases = [
      { kernel: "scalar", profile: writeProfile("first", LRS.slice(0, 3)) },
      { kernel: widest ?? "scalar", profile: all }
    ]
    const trained: Array<Array<string>> = []
    for (const [i, phase] of phases.entries()) {
      pg?.createDatabase(`mixed${i}`)
      const db = (pg as Postgres).url(`mixed${i}`)
      const runner = grokflow(["runner", "--db", db, "--listen", `127.0.0.1:${await freePort()}`, "--workers", "1", "--work-dir", path.join(dir, phase.kernel)], { GROKFLOW_KERNEL: phase.kernel })
      await waitFor("a runner to be ready", 90_000, () => (runner.output().includes("] ready:") ? true : undefined), runner.output)
      const run = grokflow(["run", "--profile", phase.profile, "--no-lock", "--cache-dir", cacheDir, "--executor", "cluster", "--db", db])
      await finished(run, `coordinator, ${phase.kernel} runner`)
      expect(runner.output()).not.toMatch(/differs from the coordinator's|failed [0-9a-f]{12}/)
      trained.push(startedKeys(runner.output()))
      runner.kill()
      await runner.exited
    }
    // Each path trained its three, and no unit twice.
    expect(trained.map((k) => k.length), "units per runner (scalar, widest)").toEqual([3, 3])
    expect(new Set(trained.flat()).size).toBe(CELLS)
    const stored = storedEntries(cacheDir)
    expect(Object.fromEntries(Object.keys(want).map((k) => [k, stored[k]]))).toEqual(want)
  }, 420_000)
})
