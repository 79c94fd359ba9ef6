/**
 * Keys follow the code, on the real stages: a copy of the repository (src/,
 * stages/, pipeline/) is run on the synthetic executor, a file is edited, and the
 * plan must say exactly which stages are stale, and why, before the next run
 * retrains exactly the cells that code reaches.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Effect } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import { explainPlan, planPipeline } from "../../src/engine/index.ts"
import { makeHarness } from "./harness.ts"

const ROOT = path.resolve(import.meta.dirname, "../..")

/** src/, stages/ and pipeline/ copied, node_modules linked: a repository to edit. */
const copyRepository = (): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "grokflow-repo-"))
  for (const d of ["src", "stages", "pipeline"]) fs.cpSync(path.join(ROOT, d), path.join(dir, d), { recursive: true })
  fs.copyFileSync(path.join(ROOT, "package.json"), path.join(dir, "package.json"))
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"))
  return dir
}

const TRAINING = ["measure-wc", "clamp-sweep", "layernorm-control", "temperature-grid", "measure-wc-mse", "mse-contrast"]
const FITS = ["delay-law-fits", "mediation-fits"]

describe("keys follow the code (real stages, copied repository)", () => {
  const repo = copyRepository()
  const { entries, trainer, layer, load, run: runProfile } = makeHarness({ root: repo, store: "memory" })
  const run = () => runProfile("smoke")
  const plan = () =>
    Effect.runPromise(
      Effect.gen(function*() {
        const p = yield* planPipeline(yield* load("smoke", []))
        const explained = yield* explainPlan(p)
        return {
          status: Object.fromEntries(p.nodes.map((n) => [n.id, n.status])),
          reasons: Object.fromEntries(explained.map((e) => [e.id, e.reasons]))
        }
      }).pipe(Effect.provide(layer))
    )
  // Keys digest compiled code, so an edit must be code to count: an unused export changes no number but is a token.
  const edit = (rel: string, text = "\nexport const editedByTest = 1\n") => fs.appendFileSync(path.join(repo, rel), text)
  const trainedDuring = async (f: () => Promise<unknown>) => {
    const before = trainer.trained.length
    await f()
    return trainer.trained.length - before
  }

  beforeAll(async () => {
    await run()
  }, 120_000)

  it("editing the figures' theme makes no stage stale", async () => {
    edit("src/figures/theme.ts")
    const { status } = await plan()
    expect(Object.values(status).every((s) => s === "fresh")).toBe(true)
  })

  it("retuning the planner (src/planning, reached only by the stages' estimates) makes no stage stale", async () => {
    edit("src/planning/tGrokModel.ts")
    edit("src/planning/estimate.ts")
    const { status } = await plan()
    expect(Object.values(status).every((s) => s === "fresh")).toBe(true)
  })

  it("restyling a figure kind (its spec, in a presentation file) makes no stage stale, measure-wc's key included", async () => {
    const keyOf = (id: string) =>
      Effect.runPromise(
        Effect.gen(function*() {
          return (yield* planPipeline(yield* load("smoke", []))).nodes.find((n) => n.id === id)?.key
        }).pipe(Effect.provide(layer))
      )
    const before = await keyOf("measure-wc")
    const file = path.join(repo, "src/figures/kinds/wcInvariance.ts")
    const styled = fs.readFileSync(file, "utf8")
    fs.writeFileSync(file, styled.replace("size: 60", "size: 90"))
    expect(fs.readFileSync(file, "utf8")).not.toBe(styled)
    const { status } = await plan()
    expect(Object.values(status).every((s) => s === "fresh")).toBe(true)
    expect(await keyOf("measure-wc")).toBe(before)
    expect(before).toBeDefined()
  })

  it("a new feed line in stages/measure-wc.ts (a new figure) reruns the stage from cached cells: no cell retrains", async () => {
    edit("stages/measure-wc.ts", "\nexport const figureFedByTest = [1]\n")
    expect((await plan()).status["measure-wc"]).toBe("stale")
    expect(await trainedDuring(run)).toBe(0)
  })

  it("editing src/analysis/ols.ts makes the fits stale and retrains no cell", async () => {
    edit("src/analysis/ols.ts")
    const { status, reasons } = await plan()
    // Stale, or pending behind an upstream that also summarizes with src/analysis:
    // either way it reruns, and says why.
    for (const id of FITS) {
      expect(status[id], id).not.toBe("fresh")
      expect(reasons[id]).toContain("code: src/analysis/ols.ts changed")
    }
    expect(await trainedDuring(run)).toBe(0)
    expect(Object.values((await plan()).status).every((s) => s === "fresh")).toBe(true)
  })

  it("editing one stage module makes that stage stale; an identical output keeps its dependents cached", async () => {
    edit("stages/temperature-grid.ts")
    const { status, reasons } = await plan()
    expect(status["temperature-grid"]).toBe("stale")
    expect(reasons["temperature-grid"]).toEqual(["code: stages/temperature-grid.ts changed"])
    expect(status["mediation-fits"]).toBe("pending")
    expect(status["measure-wc"]).toBe("fresh")
    expect(status["clamp-sweep"]).toBe("fresh")
    const summary = await run()
    const ran = summary.outcomes.filter((o) => o.status === "ran").map((o) => o.id)
    expect(ran).toEqual(["temperature-grid"])
    expect(summary.cellsTrained).toBe(0)
  })

  it("a comment-only edit to src/train/adamw.ts makes nothing stale", async () => {
    edit("src/train/adamw.ts", "\n// a comment\n/** and a doc comment */\n")
    const { status } = await plan()
    expect(Object.values(status).every((s) => s === "fresh")).toBe(true)
    expect(await trainedDuring(run)).toBe(0)
  })

  it("a code edit to src/train/adamw.ts makes every training stage stale and retrains their cells", async () => {
    const cellsBefore = (await entries({ kind: "cell", name: "train" })).length
    edit("src/train/adamw.ts")
    const { status, reasons } = await plan()
    expect(status["measure-wc"]).toBe("stale")
    for (const id of TRAINING) {
      expect(status[id], id).not.toBe("fresh")
      expect(reasons[id]).toContain("code: src/train/adamw.ts changed")
    }
    for (const id of FITS) expect(reasons[id] ?? [], id).not.toContain("code: src/train/adamw.ts changed")
    const trained = await trainedDuring(run)
    // Every cell retrains under its new key (the synthetic executor answers alike, so downstream stays cached).
    expect(trained).toBe(cellsBefore)
    expect(await entries({ kind: "cell", name: "train" })).toHaveLength(2 * cellsBefore)
    const after = await plan()
    expect(Object.values(after.status).every((s) => s === "fresh")).toBe(true)
  })
})
