/**
 * `run --force NODE…` and `--force-all`: the named nodes and everything
 * downstream of them recompute (their cells retrain), every other node is a hit,
 * and each replaced entry is a whole file (atomic rename) with the same bytes,
 * training being deterministic.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { args, cli, FIXTURE_PIPELINES, sandbox } from "../engine/helpers.ts"
import type { Sandbox } from "../engine/helpers.ts"

const SWEEP = path.join(FIXTURE_PIPELINES, "sweep.yaml")

const run = (s: Sandbox, extra: ReadonlyArray<string> = []) =>
  cli([...args(s, ["run"], SWEEP), "--no-lock", ...extra], { GROKFLOW_FIXTURE_COUNTER: s.counter })

/** How often each unit ran since `before` (counts from the fixture counter). */
const since = (s: Sandbox, before: Record<string, number>) =>
  Object.fromEntries(Object.entries(s.counts()).map(([k, v]) => [k, v - (before[k] ?? 0)]).filter(([, v]) => (v as number) > 0))

const entryFiles = (s: Sandbox) => {
  const out: Record<string, string> = {}
  const dir = path.join(s.cache, "entries")
  for (const sub of fs.readdirSync(dir)) for (const f of fs.readdirSync(path.join(dir, sub))) out[`${sub}/${f}`] = fs.readFileSync(path.join(dir, sub, f), "utf8")
  return out
}

describe("grokflow run --force", () => {
  it("--force double reruns double and summary (its dependant); source, parity and sweep are hits", async () => {
    const s = sandbox()
    expect((await run(s)).code).toBe(0)
    const before = s.counts()
    const forced = await run(s, ["--force", "double"])
    expect(forced.code).toBe(0)
    expect(forced.stdout).toContain("ran 2, reused 3")
    expect(since(s, before)).toEqual({ double: 1, summary: 1 })
    // Nothing upstream reran, and the forced entries were replaced in place (same keys).
    expect(Object.keys(entryFiles(s)).filter((f) => f.includes(".tmp"))).toEqual([])
  })

  it("--force sweep retrains its cells and replaces their entries atomically, with the same output digests", async () => {
    const s = sandbox()
    expect((await run(s)).code).toBe(0)
    const digests = (files: Record<string, string>) =>
      Object.fromEntries(Object.entries(files).map(([f, text]) => [f, (JSON.parse(text) as { output: { digest: string } }).output.digest]))
    const first = digests(entryFiles(s))
    const before = s.counts()
    const forced = await run(s, ["--force", "sweep"])
    expect(forced.code).toBe(0)
    expect(forced.stdout).toMatch(/ran 2, reused 3; cells: 3 trained, 0 reused/)
    expect(since(s, before)).toEqual({ sweep: 1, "cell x=1": 1, "cell x=2": 1, "cell x=3": 1, summary: 1 })
    expect(digests(entryFiles(s))).toEqual(first)
    // The next plain run reuses everything again.
    const again = await run(s)
    expect(again.stdout).toContain("ran 0, reused 5")
  })

  it("--force-all reruns every node; --force a,b takes a list; a typo gets a did-you-mean (exit 2)", async () => {
    const s = sandbox()
    expect((await run(s)).code).toBe(0)
    const before = s.counts()
    expect((await run(s, ["--force-all"])).stdout).toMatch(/ran 5, reused 0; cells: 3 trained/)
    expect(since(s, before)).toEqual({ source: 1, double: 1, parity: 1, summary: 1, sweep: 1, "cell x=1": 1, "cell x=2": 1, "cell x=3": 1 })
    expect((await run(s, ["--force", "parity,double"])).stdout).toContain("ran 3, reused 2")
    const typo = await run(s, ["--force", "doubel"])
    expect(typo.code).toBe(2)
    expect(typo.stderr).toMatch(/^grokflow: --force doubel: no node "doubel" in .*sweep\.yaml \(did you mean "double"\?\)/)
    const both = await run(s, ["--force", "double", "--force-all"])
    expect(both.code).toBe(2)
    const outside = await run(s, ["--force", "sweep", "--only", "double"])
    expect(outside.code).toBe(2)
    expect(outside.stderr).toMatch(/--force sweep: not among the nodes --only double runs/)
  })

  it("--dry-run with --force names what would be forced", async () => {
    const s = sandbox()
    const dry = await run(s, ["--force", "source", "--dry-run"])
    expect(dry.code).toBe(0)
    expect(dry.stdout).toMatch(/forced \(rerun with their cells even where stored\): source, double, parity, summary$/m)
  })
})
