/**
 * Training on Effect Cluster over a real, throwaway PostgreSQL (issue #11,
 * acceptance 1 and 2): two runner processes and a coordinator running a small
 * real profile. One runner is killed with SIGKILL while it trains; later, in a
 * second database, the coordinator is killed and restarted. Both runs must end
 * with exactly the cells a local run stores, bit for bit, and train no stored
 * unit again.
 *
 * Needs PostgreSQL's server binaries (Debian: `apt-get install postgresql`);
 * where they are absent the suite is skipped with that message.
 */
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { Postgres, Proc } from "./harness.ts"
import { doneKeys, freePort, grokflow, postgresBin, ROOT, startedKeys, startPostgres, stopAll, storedEntries, trainCells, waitFor } from "./harness.ts"

const bin = postgresBin()
if (bin === undefined) {
  console.warn("test/cluster skipped: no PostgreSQL server binaries under /usr/lib/postgresql; install them with `apt-get install postgresql`")
}

/**
 * Three real cells of a few seconds each: a runner must be killed mid-cell and its
 * progress must reach the coordinator's log. The paper's width trains 1000 steps in
 * about a second on a fast core, too soon for either, so the MLP is widened.
 */
const PROFILE = [
  "description: three small real cells for the cluster fault tests",
  "stages:",
  "  measure-wc:",
  "    config: { moduli: [31], trainFractions: [0.6], lrs: [0.006, 0.005, 0.004], seeds: 1, budget: 1000, d: 256, hidden: 1024 }",
  ""
].join("\n")
const CELLS = 3

const RUN_TIMEOUT = 240_000

// Every process started here inherits it: progress lines each second instead of
// each 30 s, so the short cells show the runners' progress in the coordinator's log.
process.env.GROKFLOW_PROGRESS_SECONDS = "1"

describe.skipIf(bin === undefined)("grokflow on a cluster of runners over PostgreSQL", () => {
  let pg: Postgres | undefined
  let dir = ""
  let profile = ""
  let reference: Record<string, string> = {}

  const runners = async (database: string): Promise<[Proc, Proc]> => {
    const db = (pg as Postgres).url(database)
    const start = async (name: string) =>
      grokflow(["runner", "--db", db, "--listen", `127.0.0.1:${await freePort()}`, "--workers", "1", "--work-dir", path.join(dir, name)])
    const pair: [Proc, Proc] = [await start(`${database}-r1`), await start(`${database}-r2`)]
    for (const r of pair) await waitFor("a runner to be ready", 90_000, () => (r.output().includes("] ready:") ? true : undefined), r.output)
    return pair
  }

  const coordinator = (database: string, cacheDir: string, extra: ReadonlyArray<string> = []) =>
    grokflow(["run", "--profile", profile, "--cache-dir", cacheDir, "--executor", "cluster", "--db", (pg as Postgres).url(database), ...extra])

  const finished = async (p: Proc, what: string) => {
    const code = await Promise.race([p.exited, new Promise<"timeout">((r) => setTimeout(() => r("timeout"), RUN_TIMEOUT))])
    expect(code, `${what}:\n${p.output()}`).toBe(0)
  }

  const cacheVerifies = (cacheDir: string) => {
    const done = spawnSync(process.execPath, [path.join(ROOT, "bin/grokflow.js"), "cache", "verify", "--cache-dir", cacheDir], { cwd: ROOT, encoding: "utf8", timeout: 60_000 })
    expect(done.status, done.stdout + done.stderr).toBe(0)
  }

  beforeAll(async () => {
    pg = await startPostgres(bin as string)
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "grokflow-cluster-"))
    profile = path.join(dir, "tiny.yaml")
    fs.writeFileSync(profile, PROFILE)
    // The reference: the same profile on this machine's own worker pool.
    const local = grokflow(["run", "--profile", profile, "--cache-dir", path.join(dir, "local"), "--jobs", "2"])
    await finished(local, "local reference run")
    reference = storedEntries(path.join(dir, "local"))
    expect(trainCells(reference)).toHaveLength(CELLS)
  }, 300_000)

  afterAll(async () => {
    await stopAll()
    pg?.stop()
    if (dir !== "") fs.rmSync(dir, { recursive: true, force: true })
  })

  it("finishes every unit when a runner is killed mid-cell, with the local run's exact outputs", async () => {
    pg?.createDatabase("runnerkill")
    const pair = await runners("runnerkill")
    const cacheDir = path.join(dir, "runnerkill")
    const run = coordinator("runnerkill", cacheDir)
    // The first runner to start training is the one that dies.
    const victim = await waitFor("a runner to start a unit", 120_000, () => pair.find((r) => startedKeys(r.output()).length > 0), run.output)
    const survivor = pair[0] === victim ? pair[1] : pair[0]
    const lost = startedKeys(victim.output())[0]
    victim.kill()
    await finished(run, "coordinator after a runner was killed")

    expect(storedEntries(cacheDir)).toEqual(reference)
    // The killed runner's unit was redelivered and trained on the survivor, once.
    const survived = startedKeys(survivor.output())
    expect(survived).toContain(lost)
    expect(new Set(survived).size).toBe(survived.length)
    expect(run.output()).toMatch(new RegExp(`cells: ${CELLS} trained, 0 reused`))
    // The coordinator trains nothing itself: its progress lines are the runners'
    // reports, forwarded through the database. A fast unit may end before its ETA
    // is known; the ETA's form is test/train-runtime/cli.test.ts's to check.
    expect(run.output()).toMatch(/\[grokflow\] progress measure-wc .+: step \d+\/1000 \(\d+%\), [01]\/1 seeds grokked, eta (≤ \d+s|not yet known), running \d+s/)
    expect(survivor.output()).toMatch(/ progress [0-9a-f]{12} .+: step \d+\/1000 /)
    cacheVerifies(cacheDir)
  }, 420_000)

  it("resumes after the coordinator is killed, finishing no unit twice", async () => {
    pg?.createDatabase("coordkill")
    const pair = await runners("coordkill")
    const cacheDir = path.join(dir, "coordkill")
    const first = coordinator("coordkill", cacheDir)
    await waitFor("the first cell in the store", 180_000, () => (trainCells(storedEntries(cacheDir)).length > 0 ? true : undefined), first.output)
    first.kill()
    await first.exited
    const stored = trainCells(storedEntries(cacheDir)).length

    const second = coordinator("coordkill", cacheDir)
    await finished(second, "restarted coordinator")
    expect(storedEntries(cacheDir)).toEqual(reference)
    // Stored cells are store hits; the rest come back from the cluster (a stored
    // reply, or the unit still training) — none is trained a second time.
    const summary = /cells: (\d+) trained, (\d+) reused/.exec(second.output())
    expect(summary, second.output()).not.toBeNull()
    expect(Number(summary?.[2])).toBeGreaterThanOrEqual(stored)
    // Counted by completions: while the two runners divide the shards at startup, a
    // unit can reach the runner that is about to lose its shard, start there and be
    // cut short as the other takes it over (seen in CI: a start with no "done", the
    // same key started 0.3 s later on the other runner and finished there). That is
    // the at-least-once delivery the protocol allows (Protocol.ts); a retraining
    // caused by the coordinator coming back would finish a unit twice.
    const finishedUnits = pair.flatMap((r) => doneKeys(r.output()))
    // On a failure, both runners' logs: which unit ran again, where and when.
    const logs = () => pair.map((r, i) => `runner ${i + 1}:\n${r.output()}`).join("\n")
    expect(finishedUnits, logs()).toHaveLength(CELLS)
    expect(new Set(finishedUnits).size, logs()).toBe(CELLS)
    expect(pair.flatMap((r) => startedKeys(r.output())).length, logs()).toBeGreaterThanOrEqual(CELLS)
    cacheVerifies(cacheDir)
  }, 420_000)

  it("answers a unit it cannot compute with a failure, once, and a later run asks again", async () => {
    pg?.createDatabase("refusal")
    const db = (pg as Postgres).url("refusal")
    // A runner on another backend than the coordinator keys every unit differently.
    const runner = grokflow(["runner", "--db", db, "--listen", `127.0.0.1:${await freePort()}`, "--workers", "1", "--backend", "cpu", "--work-dir", path.join(dir, "refusal-r")])
    await waitFor("the runner to be ready", 90_000, () => (runner.output().includes("] ready:") ? true : undefined), runner.output)
    const failedLines = () => [...runner.output().matchAll(/\] \S+ failed ([0-9a-f]{12}) /g)].map((m) => m[1])
    const cacheDir = path.join(dir, "refusal")

    const first = coordinator("refusal", cacheDir, ["--backend", "wasm"])
    const code = await Promise.race([first.exited, new Promise<"timeout">((r) => setTimeout(() => r("timeout"), 120_000))])
    expect(code, first.output()).toBe(1)
    expect(first.output()).toMatch(/differs from the coordinator's/)
    // Every unit is answered (units are not cancelled when a sibling fails), and none twice.
    const answered = await waitFor("every unit to be answered", 60_000, () => (failedLines().length >= CELLS ? failedLines() : undefined), runner.output)
    await new Promise((r) => setTimeout(r, 3_000))
    expect(failedLines()).toHaveLength(CELLS)
    expect(new Set(answered).size).toBe(CELLS)
    expect(trainCells(storedEntries(cacheDir))).toHaveLength(0)

    // The answered failure is not a verdict for ever: the next run asks the runner again.
    const second = coordinator("refusal", cacheDir, ["--backend", "wasm"])
    await Promise.race([second.exited, new Promise((r) => setTimeout(r, 120_000))])
    await waitFor("a unit to be tried again", 30_000, () => (failedLines().length > CELLS ? true : undefined), runner.output)
  }, 300_000)
})
