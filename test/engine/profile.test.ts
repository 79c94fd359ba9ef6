import { describe, expect, it } from "vitest"
import * as fs from "node:fs"
import * as path from "node:path"
import { args, cli, copyFixtureStages, sandbox } from "./helpers.ts"

const expectUserError = (r: { code: number; stderr: string; stdout: string }, ...parts: ReadonlyArray<string | RegExp>) => {
  expect(r.code).toBe(2)
  for (const part of parts) expect(r.stderr).toMatch(part)
  // No stack trace for a user's mistake.
  expect(r.stderr).not.toMatch(/^\s+at /m)
}

describe("profile validation", () => {
  const s = sandbox()
  const bad = (name: string, yaml: string, extra: ReadonlyArray<string> = []) =>
    cli([...args(s, ["dag"], s.profile(name, yaml)), ...extra])

  it("unknown stage: exit 2 naming file and field", async () => {
    const r = await bad("unknown", "stages:\n  source: {}\n  nope: {}\n")
    expectUserError(r, /unknown\.yaml: stages\.nope: unknown stage "nope"/, /known stages: .*source/, /line 3/)
  })

  it("unknown stage named by `stage:`", async () => {
    const r = await bad("unknown2", "stages:\n  x:\n    stage: nope\n")
    expectUserError(r, /unknown2\.yaml: stages\.x\.stage: unknown stage "nope"/)
  })

  it("wrong type: names the field path and what was expected", async () => {
    const r = await bad("wrongtype", "stages:\n  sweep:\n    config:\n      points: [1, 2, \"x\"]\n")
    expectUserError(r, /wrongtype\.yaml: stages\.sweep\.config\.points\[2\]: expected number, got "x"/, /line 4/)
  })

  it("unknown config field (a typo) is an error", async () => {
    const r = await bad("typo", "stages:\n  source:\n    config: { valeu: 3 }\n")
    expectUserError(r, /typo\.yaml: stages\.source\.config\.valeu: unknown config field/)
  })

  it("cycle: prints the cycle", async () => {
    const r = await bad("cycle", "stages:\n  a:\n    stage: link\n    needs: { prev: b }\n  b:\n    stage: link\n    needs: { prev: a }\n")
    expectUserError(r, /cycle\.yaml: stages\.a: cycle in needs: a → b → a/)
  })

  it("missing needs target", async () => {
    const r = await bad("missing", "stages:\n  double: {}\n")
    expectUserError(r, /missing\.yaml: stages\.double: input "src" needs a node running stage "source"/)
    const r2 = await bad("missing2", "stages:\n  source: {}\n  double:\n    needs: { src: elsewhere }\n")
    expectUserError(r2, /missing2\.yaml: stages\.double\.needs\.src: no node "elsewhere"/)
  })

  it("a need bound to a node running a different stage", async () => {
    const r = await bad("wrongbind", "stages:\n  source: {}\n  parity: {}\n  double:\n    needs: { src: parity }\n")
    expectUserError(r, /wrongbind\.yaml: stages\.double\.needs\.src: input "src" needs stage "source", but node "parity" runs stage "parity"/)
  })

  it("one stage under several node ids, rebinding needs", async () => {
    const r = await bad("multi", "stages:\n  lo: { stage: source, config: { value: 1 } }\n  hi: { stage: source, config: { value: 2 } }\n  double: { needs: { src: hi } }\n")
    expect(r.code).toBe(0)
    expect(r.stdout).toContain("double <- src: hi")
  })

  it("--set errors name the flag", async () => {
    const p = s.profile("ok", "stages:\n  sweep:\n    config: { points: [1] }\n")
    const r = await cli([...args(s, ["dag"], p), "--set", "sweep.points=[1,x]"])
    expectUserError(r, /--set sweep\.points: stages\.sweep\.config\.points\[1\]: expected number, got "x"/)
    const r2 = await cli([...args(s, ["dag"], p), "--set", "ghost.points=1"])
    expectUserError(r2, /--set ghost\.points: no node "ghost"/)
  })

  it("invalid YAML and a missing profile", async () => {
    expectUserError(await bad("yaml", "stages:\n  source: {\n"), /yaml\.yaml: invalid YAML/)
    expectUserError(await cli(args(s, ["dag"], "no-such-profile")), /pipeline\/no-such-profile\.yaml: no such profile/)
  })

  it("a stage module that fails to load blocks only the profiles that use it", async () => {
    const stages = copyFixtureStages(s.dir)
    fs.writeFileSync(path.join(stages, "broken.ts"), "throw new Error('half-written stage')\n")
    const ok = await cli(args(s, ["dag"], s.profile("fine", "stages:\n  source: {}\n"), stages))
    expect(ok.code).toBe(0)
    expect(ok.stderr).toMatch(/broken\.ts skipped \(not used by this profile\): cannot load stage module: half-written stage/)
    const bad = await cli(args(s, ["dag"], s.profile("usesbroken", "stages:\n  broken: {}\n"), stages))
    expectUserError(bad, /usesbroken\.yaml: stages\.broken: stage "broken" did not load: .*broken\.ts: cannot load stage module: half-written stage/)
  })
})
