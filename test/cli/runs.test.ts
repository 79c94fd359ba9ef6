/**
 * `grokflow runs`: the runs recorded in refs, side by side — when, overrides,
 * the config values that differ, and the claims' values after each run.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { cli } from "../engine/helpers.ts"
import { makeHarness } from "../stages/harness.ts"

interface RunsJson {
  profiles: Array<{
    profile: string
    runs: Array<{
      run: string
      at: string
      overrides: Array<string>
      nodes: Record<string, string>
      params: Record<string, unknown>
      wallSeconds: number | null
      claims: Array<{ id: string; measured: number | null; status: string }>
    }>
  }>
}

describe("grokflow runs", () => {
  const h = makeHarness({ cliEnv: true })
  const runs = (...args: ReadonlyArray<string>) => cli(["runs", ...args, "--cache-dir", h.cacheDir])
  const SET = "mediation-fits.recoveryLogitScale=fixed"

  it("before any run says so", async () => {
    const r = await runs()
    expect(r.code).toBe(0)
    expect(r.stdout).toBe("no recorded runs in this store (run `grokflow run` first)\n")
  })

  it("--json lists each run with its overrides, the params that differ and the claims after it", async () => {
    expect((await h.run("smoke")).failed).toBe(0)
    expect((await h.run("smoke", [SET])).failed).toBe(0)
    const r = await runs("--profile", "smoke", "--json")
    expect(r.code).toBe(0)
    const json = JSON.parse(r.stdout) as RunsJson
    expect(json.profiles.map((p) => p.profile)).toEqual(["smoke"])
    const [last, first] = json.profiles[0]!.runs
    expect(json.profiles[0]!.runs).toHaveLength(2)
    expect(last!.at > first!.at).toBe(true)
    expect(last!.overrides).toEqual([SET])
    expect(first!.overrides).toEqual([])
    // Only the overridden value differs between the two runs.
    expect(last!.params).toEqual({ "mediation-fits.recoveryLogitScale": "fixed" })
    expect(first!.params).toEqual({ "mediation-fits.recoveryLogitScale": "resampled" })
    expect(Object.keys(last!.nodes)).toHaveLength(8)
    // Each run's wall time, from its run record (the record's start is the run id).
    for (const run of [last!, first!]) expect(run.wallSeconds).toBeGreaterThan(0)
    // The claims smoke tests, measured after each run (the synthetic law passes them).
    expect(last!.claims.length).toBeGreaterThan(5)
    expect(last!.claims.map((c) => c.id)).toEqual(first!.claims.map((c) => c.id))
    expect(last!.claims.every((c) => c.status !== "NOT RUN")).toBe(true)
  })

  it("the text table puts runs side by side; --claim picks claims, with a did-you-mean for a typo", async () => {
    const r = await runs("--claim", "A2.alpha-quick")
    expect(r.code).toBe(0)
    const lines = r.stdout.split("\n")
    expect(lines[0]).toBe("smoke:")
    expect(lines[1]).toMatch(/^\s+last run\s+run -1$/)
    expect(r.stdout).toMatch(new RegExp(`^overrides\\s+--set ${SET.replace(/[.]/g, "\\.")}\\s+—$`, "m"))
    expect(r.stdout).toMatch(/^mediation-fits\.recoveryLogitScale\s+fixed\s+resampled$/m)
    expect(r.stdout).toMatch(/^wall time\s+\d+\.\ds\s+\d+\.\ds$/m)
    expect(r.stdout).toMatch(/^A2\.alpha-quick\s+\S+ PASS\s+\S+ PASS$/m)
    // A profile the store has refs of but whose file is gone is skipped, with a warning.
    fs.mkdirSync(path.join(h.cacheDir, "refs", "gone"), { recursive: true })
    fs.writeFileSync(path.join(h.cacheDir, "refs", "gone", "x.json"), JSON.stringify({ key: "0".repeat(64), stage: "x", at: new Date().toISOString() }))
    const skipped = await runs()
    expect(skipped.code).toBe(0)
    expect(skipped.stderr).toMatch(/warning: runs of gone skipped: pipeline\/gone\.yaml: no such profile/)
    expect(skipped.stdout).toMatch(/^smoke:$/m)
    const typo = await runs("--claim", "A2.alpha-quik")
    expect(typo.code).toBe(2)
    expect(typo.stderr).toMatch(/--claim A2\.alpha-quik: no such claim in pipeline\/claims \(did you mean "A2\.alpha-quick"\?\)/)
  })
})
