/**
 * `grokflow diff` on the synthetic trainer: after a `--set` run, the claims that
 * moved are printed side by side, and the cells the change added are listed.
 */
import { describe, expect, it } from "vitest"
import { cli } from "../engine/helpers.ts"
import { makeHarness } from "../stages/harness.ts"

describe("grokflow diff", () => {
  const h = makeHarness({ cliEnv: true })
  const diff = (...args: ReadonlyArray<string>) => cli(["diff", ...args, "--cache-dir", h.cacheDir])

  it("says there is nothing to compare before the first run", async () => {
    const r = await diff("--profile", "quick")
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/quick has not run yet/)
  })

  it("after an unchanged rerun, nothing moved", async () => {
    expect((await h.run("quick")).failed).toBe(0)
    expect((await h.run("quick")).ran).toBe(0)
    const r = await diff("--profile", "quick")
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/claims: no value or status changed/)
    expect(r.stdout).toMatch(/cells: none added, removed or changed/)
  })

  it("after --set clamp-sweep.rhos=[...], shows the changed claims' values side by side and the new cells", async () => {
    const sets = ["clamp-sweep.rhos=[1.0,1.05,1.1,1.15,1.2]"]
    expect((await h.run("quick", sets)).failed).toBe(0)
    const { rows: before } = await h.verify("quick")
    const { rows: after } = await h.verify("quick", sets)
    const r = await diff("--profile", "quick")
    expect(r.code).toBe(0)
    const lines = r.stdout.split("\n")
    expect(lines[0]).toMatch(/^quick: last run \(.*\) vs the run before \(.*\)$/)
    expect(lines[2]).toMatch(/^claim\s+before\s+after\s+status$/)
    // Every claim whose number moved is printed with its old and new value, and no other.
    const fmt = (x: number | null) => (x === null ? null : Math.abs(x) >= 1000 ? x.toFixed(0) : Number(x.toPrecision(3)).toString())
    const moved = after.filter((a) => {
      const b = before.find((x) => x.id === a.id)
      return b !== undefined && (b.measured !== a.measured || b.status !== a.status || b.lower !== a.lower)
    })
    expect(moved.map((m) => m.id)).toContain("A2.alpha-quick")
    for (const m of moved) {
      const b = before.find((x) => x.id === m.id)!
      const line = lines.find((l) => l.startsWith(`${m.id} `))
      expect(line, m.id).toBeDefined()
      expect(line).toContain(fmt(b.measured) ?? b.status)
      expect(line).toContain(fmt(m.measured) ?? m.status)
    }
    const printed = lines.filter((l) => /^[AB]\d/.test(l)).length
    expect(printed).toBe(moved.length)
    // The two new clamp cells (ρ = 1.2 at each lr) appear as added.
    const added = lines.filter((l) => /\badded$/.test(l))
    expect(added).toHaveLength(2)
    for (const l of added) expect(l).toMatch(/^clamp-sweep\s+.*1\.2.*\s+—\s+T_grok \d+ \(4\/4 grokked\)\s+added$/)
  })

  it("--against another profile compares their current outputs", async () => {
    expect((await h.run("smoke")).failed).toBe(0)
    const r = await diff("--profile", "quick", "--against", "smoke", "--set", "clamp-sweep.rhos=[1.0,1.05,1.1,1.15,1.2]")
    expect(r.code).toBe(0)
    expect(r.stdout.split("\n")[0]).toBe("profile quick vs profile smoke")
    expect(r.stdout).toMatch(/^A2\.alpha-quick\s+/m)
    // smoke runs 3 seeds where quick runs 4: every shared cell label differs in value.
    expect(r.stdout).toMatch(/\(3\/3 grokked\)/)
  })
})

describe("grokflow diff: every node's output, and sides that never ran", () => {
  const h = makeHarness({ cliEnv: true })
  const diff = (...args: ReadonlyArray<string>) => cli(["diff", ...args, "--cache-dir", h.cacheDir])

  it("after one run, the run before never ran; against a profile that never ran, says so", async () => {
    expect((await h.run("smoke")).failed).toBe(0)
    const once = await diff("--profile", "smoke")
    expect(once.code).toBe(0)
    expect(once.stdout).toMatch(/^smoke: last run \(.*\); the run before: never ran, so nothing to compare yet$/m)
    const against = await diff("--profile", "smoke", "--against", "ops")
    expect(against.stdout).toBe("profile ops: never ran (nothing stored), so nothing to compare\n")
    expect(against.stdout).not.toMatch(/unchanged/)
  })

  it("a changed stage output is listed with the fields that differ, though no cell changed", async () => {
    const sets = ["mediation-fits.recoveryLogitScale=fixed"]
    expect((await h.run("smoke", sets)).failed).toBe(0)
    const r = await diff("--profile", "smoke")
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^node\s+output\s+fields that differ$/m)
    expect(r.stdout).toMatch(/^mediation-fits\s+changed\s+\S/m)
    expect(r.stdout).not.toMatch(/^measure-wc\s+changed/m)
    expect(r.stdout).toMatch(/\(\d+ node outputs unchanged\)/)
    // Claims smoke does not test are not counted as unchanged.
    expect(r.stdout).toMatch(/\(\d+ claims unchanged; \d+ not measured on either side\)/)
    expect(r.stdout).toMatch(/cells: none added, removed or changed/)
  })
})
