import { describe, expect, it } from "vitest"
import * as fs from "node:fs"
import * as path from "node:path"
import { args, cli, copyFixtureStages, FIXTURE_STAGES, ROOT, sandbox } from "./helpers.ts"

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

describe("profile defaults, named optional inputs and input requirements", () => {
  const s = sandbox()
  const dag = (name: string, yaml: string, stagesDir?: string) => cli(args(s, ["dag"], s.profile(name, yaml), stagesDir))

  it("defaults fill the fields a node's stage declares; the node's own value wins", async () => {
    const r = await dag("defaults", "defaults: { value: 5 }\nstages:\n  lo: { stage: source }\n  hi: { stage: source, config: { value: 7 } }\n  double: { needs: { src: lo } }\n")
    expect(r.code).toBe(0)
    const { Effect } = await import("effect")
    const { loadProfile } = await import("../../src/engine/index.ts")
    const profile = await Effect.runPromise(loadProfile(path.join(s.dir, "defaults.yaml"), { stagesDir: FIXTURE_STAGES }))
    expect(profile.byId.get("lo")?.configJson).toEqual({ value: 5, delayMs: 0 })
    expect(profile.byId.get("hi")?.configJson).toEqual({ value: 7, delayMs: 0 })
    // double's stage has no `value` field: the default does not reach it.
    expect(profile.byId.get("double")?.configJson).toEqual({ delayMs: 0 })
  })

  it("a default no stage declares, or of the wrong type, is an error at `defaults`", async () => {
    expectUserError(await dag("typo-default", "defaults: { valeu: 5 }\nstages:\n  source: {}\n"), /typo-default\.yaml: defaults\.valeu: no stage of this profile has a config field "valeu"/, /line 1/)
    expectUserError(await dag("bad-default", "defaults: { value: x }\nstages:\n  source: {}\n"), /bad-default\.yaml: defaults\.value: expected number, got "x" \(as config of node "source"\)/)
    expectUserError(await dag("list-default", "defaults: [1]\nstages:\n  source: {}\n"), /list-default\.yaml: defaults: expected a mapping/)
  })

  it("an optional input binds only when named, even with a node named like its stage", async () => {
    const r = await dag("unnamed", "stages:\n  source: {}\n  double: {}\n  parity: {}\n  sweep: { config: { points: [1] } }\n  summary: {}\n")
    expect(r.stdout).toContain("summary <- d: double, p: parity, sweep: (absent)")
    const named = await dag("named", "stages:\n  source: {}\n  double: {}\n  parity: {}\n  other: { stage: sweep, config: { points: [1] } }\n  summary: { needs: { sweep: other } }\n")
    expect(named.stdout).toContain("summary <- d: double, p: parity, sweep: other")
  })

  it("a stage's input requirement is checked at load time, naming the file, the binding and the field", async () => {
    // mse-contrast clamps at MSE's own Wc: binding it to a CE measure-wc is a mistake.
    const yaml = "stages:\n  measure-wc: {}\n  temperature-grid: {}\n  mse-contrast:\n    needs: { ce: temperature-grid }\n"
    const r = await cli(args(s, ["dag"], s.profile("mse-ce", yaml), path.join(ROOT, "stages")))
    expectUserError(r, /mse-ce\.yaml: stages\.mse-contrast: input "wc" needs a node with loss: "mse" \(.*\), but node "measure-wc" has stages\.measure-wc\.config\.loss = "ce"/)
    const ok = await cli(args(s, ["dag"], s.profile("mse-ok", `${yaml.replace("needs: { ce: temperature-grid }", "needs: { ce: temperature-grid, wc: wc-mse }")}  wc-mse: { stage: measure-wc, config: { loss: mse } }\n`), path.join(ROOT, "stages")))
    expect(ok.code).toBe(0)
  })
})
