/**
 * Tests that need real processes: SIGKILL mid-stage, SIGINT, two concurrent runs
 * on one store, and the user-error path of the real binary.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { args, cli, sandbox, spawnCli, waitFor } from "./helpers.ts"

describe("grokflow as a process", () => {
  it("a run killed with SIGKILL mid-stage is followed by a run that reuses what finished; cache verify is clean", async () => {
    const s = sandbox()
    const p = s.profile("slow", `stages:
  source: { config: { value: 2 } }
  double: { config: { delayMs: 60000 } }
  parity: {}
`)
    const env = { GROKFLOW_FIXTURE_COUNTER: s.counter }
    const first = spawnCli(args(s, ["run"], p), env)
    // Kill once double is mid-run and parity's manifest is committed (not just its temp file).
    const parityEntries = path.join(s.cache, "entries", "parity")
    await waitFor(() =>
      (s.counts().double ?? 0) >= 1 && fs.existsSync(parityEntries) && fs.readdirSync(parityEntries).some((f) => f.endsWith(".json"))
    )
    first.child.kill("SIGKILL")
    const killed = await first.done
    expect(killed.signal).toBe("SIGKILL")
    // The killed run left double's lock behind; the next run finds its holder dead.
    expect(fs.readdirSync(path.join(s.cache, "locks")).length).toBeGreaterThan(0)
    const second = await cli([...args(s, ["run"], p), "--set", "double.delayMs=0"], env)
    expect(second.code).toBe(0)
    expect(second.stderr).toContain("[grokflow] hit source (")
    expect(second.stderr).toContain("[grokflow] hit parity (")
    expect(s.counts()).toEqual({ source: 1, parity: 1, double: 2 })
    const verify = await cli(["cache", "verify", "--cache-dir", s.cache])
    expect(verify.code).toBe(0)
    expect(verify.stdout).toContain("all intact")
  })

  it("two concurrent runs both exit 0 and each unit of work happens once", async () => {
    const s = sandbox()
    const p = s.profile("shared", `stages:
  source: { config: { value: 4, delayMs: 400 } }
  double: { config: { delayMs: 200 } }
  parity: {}
  label: {}
  sweep: { config: { points: [1, 2, 3], cellDelayMs: 300 } }
  summary: {}
`)
    const env = { GROKFLOW_FIXTURE_COUNTER: s.counter }
    const a = spawnCli(args(s, ["run"], p), env)
    const b = spawnCli(args(s, ["run"], p), env)
    const [ra, rb] = await Promise.all([a.done, b.done])
    expect({ a: ra.code, b: rb.code, errA: ra.code ? ra.stderr : "", errB: rb.code ? rb.stderr : "" }).toEqual({ a: 0, b: 0, errA: "", errB: "" })
    expect(s.counts()).toEqual({ source: 1, double: 1, parity: 1, label: 1, sweep: 1, summary: 1, "cell x=1": 1, "cell x=2": 1, "cell x=3": 1 })
    expect(fs.readdirSync(path.join(s.cache, "locks"))).toEqual([])
  })

  it("SIGINT stops cleanly: exit 130, locks released, the next run resumes", async () => {
    const s = sandbox()
    const p = s.profile("int", `stages:
  source: {}
  double: { config: { delayMs: 60000 } }
`)
    const env = { GROKFLOW_FIXTURE_COUNTER: s.counter }
    const first = spawnCli(args(s, ["run"], p), env)
    await waitFor(() => (s.counts().double ?? 0) >= 1)
    first.child.kill("SIGINT")
    const r = await first.done
    expect(r.code).toBe(130)
    expect(fs.readdirSync(path.join(s.cache, "locks"))).toEqual([])
    const second = await cli([...args(s, ["run"], p), "--set", "double.delayMs=0"], env)
    expect(second.code).toBe(0)
    expect(second.stderr).toContain("[grokflow] hit source (")
  })

  it("the real binary reports a bad profile with exit 2 and no stack trace", async () => {
    const s = sandbox()
    const p = s.profile("bad", "stages:\n  source:\n    config: { value: nope }\n")
    const r = await spawnCli(args(s, ["run"], p)).done
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/bad\.yaml: stages\.source\.config\.value: expected number, got "nope"/)
    expect(r.stderr).not.toMatch(/^\s+at /m)
  })
})
