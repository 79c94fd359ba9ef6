import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { args, cli, copyFixtureStages, FIXTURE_STAGES, sandbox } from "./helpers.ts"
import type { Sandbox } from "./helpers.ts"

const BASIC = `description: basic
stages:
  source:
    config: { value: 3 }
  double: {}
  parity: {}
  label: {}
  summary: {}
`

const run = (s: Sandbox, profile: string, extra: ReadonlyArray<string> = [], stagesDir = FIXTURE_STAGES) =>
  cli([...args(s, ["run"], profile, stagesDir), ...extra], { GROKFLOW_FIXTURE_COUNTER: s.counter })

const status = (s: Sandbox, profile: string, extra: ReadonlyArray<string> = [], stagesDir = FIXTURE_STAGES) =>
  cli([...args(s, ["status", "--explain"], profile, stagesDir), ...extra], { GROKFLOW_FIXTURE_COUNTER: s.counter })

describe("grokflow run (fixture stages, in process)", () => {
  it("a second run of an unchanged profile executes nothing and reuses every stage", async () => {
    const s = sandbox()
    const p = s.profile("basic", BASIC)
    const first = await run(s, p)
    expect(first.code).toBe(0)
    expect(first.stdout).toContain("ran 5, reused 0")
    const second = await run(s, p)
    expect(second.code).toBe(0)
    expect(second.stdout).toContain("ran 0, reused 5")
    for (const node of ["source", "double", "parity", "label", "summary"]) {
      expect(second.stderr).toContain(`[grokflow] hit ${node} (`)
    }
    expect(s.counts()).toEqual({ source: 1, double: 1, parity: 1, label: 1, summary: 1 })
    const st = await status(s, p)
    expect(st.stdout).toContain("5 fresh, 0 stale, 0 pending")
  })

  it("--set reruns that stage and the dependents whose inputs changed; an unchanged output stops the cascade", async () => {
    const s = sandbox()
    const p = s.profile("basic", BASIC)
    expect((await run(s, p)).code).toBe(0)
    const before = await status(s, p, ["--set", "source.value=5"])
    expect(before.stdout).toContain("source: config.value changed 3 -> 5")
    const second = await run(s, p, ["--set", "source.value=5"])
    expect(second.code).toBe(0)
    // source changed; double (6 -> 10) and parity (odd -> odd) rerun on new inputs;
    // label reads only parity, whose bytes did not change: reused (early cutoff);
    // summary reads double: reruns.
    expect(s.counts()).toEqual({ source: 2, double: 2, parity: 2, label: 1, summary: 2 })
    expect(second.stderr).toContain("[grokflow] hit label (")
    expect(second.stdout).toContain("ran 4, reused 1")
    // Writing a default explicitly changes no key.
    const explicit = await run(s, p, ["--set", "source.value=5", "--set", "source.delayMs=0"])
    expect(explicit.stdout).toContain("ran 0, reused 5")
  })

  it("status --explain names config fields, and code when a stage's source changes", async () => {
    const s = sandbox()
    const stages = copyFixtureStages(s.dir)
    const p = s.profile("basic", BASIC)
    expect((await run(s, p, [], stages)).code).toBe(0)
    // A code edit: keys digest compiled code, so a comment alone would change nothing.
    fs.appendFileSync(path.join(stages, "parity.ts"), "\nexport const edited = 1\n")
    const st = await status(s, p, [], stages)
    expect(st.code).toBe(0)
    expect(st.stdout).toMatch(/stale\s+parity/)
    expect(st.stdout).toMatch(/parity: code: .*parity\.ts changed/)
    expect(st.stdout).toMatch(/fresh\s+source/)
    expect(st.stdout).toMatch(/fresh\s+double/)
    expect(st.stdout).toMatch(/pending\s+label/)
    const again = await run(s, p, [], stages)
    expect(again.code).toBe(0)
    // parity reran; its output is unchanged, so label and summary are reused.
    expect(s.counts()).toEqual({ source: 1, double: 1, parity: 2, label: 1, summary: 1 })
  })

  it("ctx.cell memoizes: adding one point to a sweep computes one cell", async () => {
    const s = sandbox()
    const p = s.profile("sweep", `stages:
  sweep:
    config: { points: [1, 2, 3] }
`)
    const first = await run(s, p)
    expect(first.stdout).toContain("cells: 3 trained, 0 reused")
    const second = await run(s, p, ["--set", "sweep.points=[1,2,3,4]"])
    expect(second.code).toBe(0)
    expect(second.stdout).toContain("cells: 1 trained, 3 reused")
    expect(s.counts()).toEqual({ sweep: 2, "cell x=1": 1, "cell x=2": 1, "cell x=3": 1, "cell x=4": 1 })
    // Checkpoint dirs of committed cells are gone.
    expect(fs.existsSync(path.join(s.cache, "checkpoints")) ? fs.readdirSync(path.join(s.cache, "checkpoints")) : []).toEqual([])
  })

  it("a corrupt blob is caught by cache verify and recomputed by run", async () => {
    const s = sandbox()
    const p = s.profile("basic", BASIC)
    expect((await run(s, p)).code).toBe(0)
    const entries = path.join(s.cache, "entries", "double")
    const manifest = JSON.parse(fs.readFileSync(path.join(entries, fs.readdirSync(entries)[0]), "utf8")) as { output: { digest: string } }
    const digest = manifest.output.digest
    fs.writeFileSync(path.join(s.cache, "objects", digest.slice(0, 2), digest), '{"value":7}')
    const verify = await cli(["cache", "verify", "--cache-dir", s.cache])
    expect(verify.code).toBe(1)
    expect(verify.stdout).toContain(digest.slice(0, 12))
    const again = await run(s, p)
    expect(again.code).toBe(0)
    expect(again.stderr).toMatch(/cache: entry double\/\w+ blob \w+ corrupt, recomputing/)
    expect(s.counts().double).toBe(2)
    expect(s.counts().summary).toBe(1) // recomputed bytes are identical: nothing downstream reruns
    const clean = await cli(["cache", "verify", "--cache-dir", s.cache])
    expect(clean.code).toBe(0)
    expect(clean.stdout).toContain("all intact")
  })

  it("a stage failure is reported, its dependents skipped, exit 1; the rest is committed", async () => {
    const s = sandbox()
    const p = s.profile("fail", `stages:
  source: {}
  double: {}
  parity: {}
  summary:
    config: { fail: true }
  label: {}
`)
    const r = await run(s, p)
    expect(r.code).toBe(1)
    expect(r.stderr).toContain("[grokflow] failed summary")
    expect(r.stderr).toContain("summary fixture told to fail")
    expect(r.stdout).toContain("failed 1")
    const again = await run(s, p)
    expect(again.stdout).toContain("reused 4")
  })

  it("--only runs the named nodes and what they need", async () => {
    const s = sandbox()
    const p = s.profile("basic", BASIC)
    const r = await run(s, p, ["--only", "double"])
    expect(r.code).toBe(0)
    expect(s.counts()).toEqual({ source: 1, double: 1 })
    const bad = await run(s, p, ["--only", "ghost"])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('--only ghost: no node "ghost"')
  })

  it("optional needs are undefined unless the profile names their node", async () => {
    const s = sandbox()
    const without = s.profile("without", BASIC)
    const sweepNode = "  sweep:\n    config: { points: [2, 5] }\n"
    // A node running the needed stage is not enough: the binding must be named.
    const unnamed = s.profile("unnamed", `${BASIC}${sweepNode}`)
    const withSweep = s.profile("with", `${BASIC.replace("  summary: {}\n", "  summary: { needs: { sweep: sweep } }\n")}${sweepNode}`)
    expect((await run(s, without)).code).toBe(0)
    expect((await run(s, unnamed)).code).toBe(0)
    expect((await run(s, withSweep)).code).toBe(0)
    const { Effect } = await import("effect")
    const { engineLayer, loadProfile, planPipeline, readNodeOutput } = await import("../../src/engine/index.ts")
    const { resolveEnv } = await import("../../src/executor/local.ts")
    const texts = await Effect.runPromise(
      Effect.gen(function*() {
        const out: Array<string> = []
        for (const file of [without, unnamed, withSweep]) {
          const plan = yield* planPipeline(yield* loadProfile(file, { stagesDir: FIXTURE_STAGES }))
          const node = yield* readNodeOutput(plan.byId.get("summary")!)
          expect(fs.existsSync(node.manifestPath)).toBe(true)
          out.push((node.output as { text: string }).text)
        }
        return out
      }).pipe(Effect.provide(engineLayer({ cacheDir: s.cache, resolveEnv })))
    )
    expect(texts).toEqual(["double=6 even=false sweep=-1", "double=6 even=false sweep=-1", "double=6 even=false sweep=2"])
  })

  it("cache gc keeps what the named profiles reach and sweeps the rest", async () => {
    const s = sandbox()
    const keep = s.profile("keep", `stages:\n  source:\n    config: { value: 1 }\n  double: {}\n`)
    const drop = s.profile("drop", `stages:\n  source:\n    config: { value: 2 }\n  parity: {}\n`)
    expect((await run(s, keep)).code).toBe(0)
    expect((await run(s, drop)).code).toBe(0)
    const gcArgs = ["cache", "gc", "--cache-dir", s.cache, "--stages-dir", FIXTURE_STAGES, "--profile", keep]
    const dry = await cli([...gcArgs, "--dry-run"])
    expect(dry.code).toBe(0)
    expect(dry.stdout).toMatch(/would remove entries\/parity\//)
    expect(dry.stdout).not.toMatch(/would remove entries\/double\//)
    expect(fs.readdirSync(path.join(s.cache, "entries", "parity"))).toHaveLength(1)
    const real = await cli(gcArgs)
    expect(real.code).toBe(0)
    expect(fs.readdirSync(path.join(s.cache, "entries", "parity"))).toHaveLength(0)
    expect((await cli(["cache", "verify", "--cache-dir", s.cache])).code).toBe(0)
    const again = await run(s, keep)
    expect(again.stdout).toContain("ran 0, reused 2")
  })

  it("dag renders text, mermaid and dot; dry-run prints the plan with estimates", async () => {
    const s = sandbox()
    const p = s.profile("basic", `${BASIC}  sweep:\n    config: { points: [1, 2] }\n`)
    const text = await cli(args(s, ["dag"], p))
    expect(text.stdout).toContain("summary <- d: double, p: parity, sweep")
    const mermaid = await cli([...args(s, ["dag"], p), "--format", "mermaid"])
    expect(mermaid.stdout).toContain("flowchart LR")
    const dot = await cli([...args(s, ["dag"], p), "--format", "dot"])
    expect(dot.stdout).toContain("digraph")
    const dry = await cli([...args(s, ["run"], p), "--dry-run"], { GROKFLOW_FIXTURE_COUNTER: s.counter })
    expect(dry.code).toBe(0)
    expect(dry.stdout).toMatch(/sweep\s+run\s+one cell per point/)
    expect(dry.stdout).toContain("at most 2 cells")
    expect(s.counts()).toEqual({})
  })
})
