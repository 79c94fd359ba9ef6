/**
 * Words and checks that do not mislead: `status` and `show` say "never ran"
 * apart from "stale (what changed)", `status --json` carries the same, run's
 * flags are validated before anything loads (exit 2, one line, no stack), and
 * every name a user types gets a "did you mean" from one module.
 */
import * as path from "node:path"
import { Schema } from "effect"
import { describe, expect, it } from "vitest"
import { closest, didYouMean, editDistance } from "../../src/engine/index.ts"
import { dbUrlProblem } from "../../src/executor/cluster/Address.ts"
import { checkPathAgainstSchema } from "../../src/verify/schemaPath.ts"
import { args, cli, FIXTURE_PIPELINES, sandbox } from "../engine/helpers.ts"
import { makeHarness } from "../stages/harness.ts"

/** A user mistake: exit 2 and exactly one line on stderr, no stack frame. */
const usage = (r: { code: number; stderr: string }) => {
  expect(r.code).toBe(2)
  expect(r.stderr.trimEnd().split("\n"), r.stderr).toHaveLength(1)
  expect(r.stderr).not.toMatch(/\bat .*:\d+:\d+/)
  return r.stderr
}

describe("status and show: never ran, stale (what changed), --json", () => {
  const h = makeHarness({ cliEnv: true })
  const grok = (...a: ReadonlyArray<string>) => cli([...a, "--cache-dir", h.cacheDir])

  it("before any run, the node never ran (not stale), in text, JSON and show", async () => {
    const st = await grok("status", "--profile", "ops")
    expect(st.code).toBe(0)
    expect(st.stdout).toMatch(/^pipeline\/ops\.yaml: 1 nodes, 0 fresh, 0 stale, 0 pending, 1 never ran$/m)
    expect(st.stdout).toMatch(/^ {2}never ran {2}wc-vs-op$/m)
    expect(st.stdout).not.toMatch(/stale\s+wc-vs-op/)
    const json = JSON.parse((await grok("status", "--profile", "ops", "--json")).stdout) as {
      profile: string
      counts: Record<string, number>
      nodes: Array<{ id: string; state: string; reasons: Array<string> }>
    }
    expect(json.profile).toBe("ops")
    expect(json.counts).toEqual({ fresh: 0, stale: 0, pending: 0, "never ran": 1 })
    expect(json.nodes[0]).toMatchObject({ id: "wc-vs-op", state: "never ran", reasons: [] })
    const shown = await grok("show", "wc-vs-op", "--profile", "ops")
    expect(shown.code).toBe(1)
    expect(shown.stderr).toBe("grokflow: wc-vs-op: never ran; run `grokflow run --profile ops` first\n")
  })

  it("after a run, a changed config is stale with what changed; --json lists it; fresh nodes carry their entry", async () => {
    expect((await h.run("ops")).failed).toBe(0)
    const fresh = JSON.parse((await grok("status", "--profile", "ops", "--json")).stdout) as { nodes: Array<{ state: string; entry: string; key: string }> }
    expect(fresh.nodes[0]!.state).toBe("fresh")
    expect(fresh.nodes[0]!.entry).toBe(path.join(h.cacheDir, "entries", "wc-vs-op", `${fresh.nodes[0]!.key}.json`))
    const st = await grok("status", "--profile", "ops", "--set", "wc-vs-op.seeds=5")
    expect(st.stdout).toMatch(/^ {2}stale {6}wc-vs-op {2}config\.seeds changed 4 -> 5$/m)
    expect(st.stdout).toMatch(/0 fresh, 1 stale, 0 pending, 0 never ran/)
    const json = JSON.parse((await grok("status", "--profile", "ops", "--set", "wc-vs-op.seeds=5", "--json")).stdout) as {
      overrides: Array<string>
      nodes: Array<{ state: string; reasons: Array<string> }>
    }
    expect(json.overrides).toEqual(["wc-vs-op.seeds=5"])
    expect(json.nodes[0]).toMatchObject({ state: "stale", reasons: ["config.seeds changed 4 -> 5"] })
  })
})

describe("run's flags are validated before anything runs", () => {
  const s = sandbox()
  const run = (...extra: ReadonlyArray<string>) => cli([...args(s, ["run"], path.join(FIXTURE_PIPELINES, "basic.yaml")), ...extra])

  it("--jobs must be at least 1, on a real run and a dry run", async () => {
    expect(usage(await run("--jobs", "0"))).toBe("grokflow: --jobs 0: expected at least 1\n")
    expect(usage(await run("--jobs", "-2", "--dry-run"))).toBe("grokflow: --jobs -2: expected at least 1\n")
  })

  it("--runners only with --dry-run, and at least 1", async () => {
    expect(usage(await run("--runners", "3"))).toMatch(/^grokflow: --runners 3: only with --dry-run/)
    expect(usage(await run("--runners", "0", "--dry-run"))).toBe("grokflow: --runners 0: expected at least 1\n")
    expect((await run("--runners", "2", "--dry-run")).code).toBe(0)
  })

  it("a malformed --db URL is named with its host before connecting; --db needs --executor cluster", async () => {
    const bad = usage(await run("--executor", "cluster", "--db", "postgres://grok:secret@dbhost:99999/grokflow"))
    expect(bad).toMatch(/^grokflow: --db postgres:\/\/grok:\*\*\*@dbhost:99999\/grokflow: port 99999 is out of range \(host "dbhost"\)/)
    expect(bad).not.toContain("secret")
    expect(usage(await run("--executor", "cluster", "--db", "dbhost:5432"))).toMatch(/scheme "dbhost" is not postgres/)
    expect(usage(await run("--executor", "cluster", "--db", "http://dbhost/g"))).toMatch(/scheme "http" \(host "dbhost"\) is not postgres/)
    expect(usage(await run("--executor", "cluster", "--db", "postgres:///grokflow"))).toMatch(/--db postgres:\/\/\/grokflow: no host/)
    expect(dbUrlProblem("postgres:///grokflow?host=/var/run/postgresql")).toBeUndefined()
    expect(dbUrlProblem("postgresql://grok@[::1]:5432/grokflow")).toBeUndefined()
    expect(usage(await run("--executor", "cluster"))).toMatch(/--executor cluster needs --db URL/)
    expect(usage(await run("--db", "postgres://g@dbhost/g"))).toMatch(/--db: only with --executor cluster/)
  })
})

describe("did you mean", () => {
  it("edit distance counts insertions, deletions, substitutions and swaps", () => {
    expect(editDistance("clamp-sweep", "clamp-sweep")).toBe(0)
    expect(editDistance("clamp-swep", "clamp-sweep")).toBe(1)
    expect(editDistance("cmalp-sweep", "clamp-sweep")).toBe(2)
    expect(editDistance("qiuck", "quick")).toBe(1)
    expect(editDistance("", "abc")).toBe(3)
    expect(closest("quik", ["quick", "smoke", "paper"])).toBe("quick")
    expect(closest("delay", ["delay-law-fits", "measure-wc"])).toBe("delay-law-fits")
    expect(closest("zzz", ["quick", "smoke"])).toBeUndefined()
    expect(didYouMean("rhoss", ["rhos", "lrs"])).toBe(' (did you mean "rhos"?)')
  })

  it("unknown profiles, commands, nodes and fields in --set, and stages get a suggestion", async () => {
    expect(usage(await cli(["stauts"]))).toMatch(/unknown subcommand "stauts" for "grokflow" \(did you mean "status"\?\)/)
    expect(usage(await cli(["status", "--profile", "quik"]))).toMatch(/no such profile \(did you mean "quick"\?\)/)
    expect(usage(await cli(["status", "--profile", "quick", "--set", "clamp-swep.rhos=[1]"]))).toMatch(/no node "clamp-swep" in pipeline\/quick\.yaml \(did you mean "clamp-sweep"\?\)/)
    expect(usage(await cli(["status", "--profile", "quick", "--set", "clamp-sweep.rhoss=[1]"]))).toMatch(/unknown config field \(did you mean "rhos"\?\)/)
    expect(usage(await cli(["run", "--profile", "quick", "--only", "measure-w", "--dry-run"]))).toMatch(/--only measure-w: no node "measure-w" .*\(did you mean "measure-wc"\?\)/)
    const s = sandbox()
    const typo = s.profile("typo", "description: typo\nstages:\n  souce:\n    config: { value: 1 }\n")
    expect(usage(await cli(args(s, ["status"], typo)))).toMatch(/unknown stage "souce" \(did you mean "source"\?\)/)
  })

  it("a claim's misspelt output field gets a suggestion", () => {
    const Out = Schema.Struct({ sweep: Schema.Struct({ alpha: Schema.Finite, cells: Schema.Array(Schema.Finite) }) })
    expect(checkPathAgainstSchema(Out.ast, "sweep.alhpa")).toBe('.alhpa does not exist in sweep (did you mean "alpha"?)')
  })
})
