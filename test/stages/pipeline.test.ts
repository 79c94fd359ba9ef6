/**
 * The real stages, fits, claims and cell cache, end to end on the quick profile,
 * with training replaced by a synthetic law whose answers are known.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Schema } from "effect"
import { describe, expect, it } from "vitest"
import { figureRegistry, renderFigures } from "../../src/figures/index.ts"
import { WcByOperationFigure } from "../../src/figures/kinds/wcByOperation.ts"
import { reportFigures } from "../../src/report/figures.ts"
import { buildReport, loadReportFigures } from "../../src/report/html.ts"
import type { CellSpec } from "../../src/train/CellSpec.ts"
import { makeHarness } from "./harness.ts"
import type { Harness } from "./harness.ts"
import { SYNTHETIC } from "./syntheticTrainer.ts"

/** The figures the quick profile's stages feed, as `grokflow report` gathers them. */
const figuresOf = async (h: Harness, sets: ReadonlyArray<string> = []) => {
  const { plan, outputs } = await h.verify("quick", sets)
  const { figures, problems } = reportFigures(plan, outputs, await figureRegistry())
  expect(problems).toEqual([])
  return figures
}

const figuresDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "grokflow-figures-"))

const isCell = (s: unknown): s is CellSpec => typeof s === "object" && s !== null && "intervention" in s

describe("quick profile on a synthetic trainer", () => {
  const h = makeHarness({ store: "memory" })
  // One folder for the describe: a redraw is told apart from a first draw by what is already there.
  const drawn = figuresDir()

  it("runs every stage and every quick claim passes against the known law", async () => {
    const summary = await h.run("quick")
    expect(summary.failed).toBe(0)
    expect(summary.skipped).toBe(0)
    const { rows, outputs } = await h.verify("quick")
    const failed = rows.filter((r) => r.status === "FAIL")
    expect(failed.map((r) => `${r.id}: ${r.reason}`)).toEqual([])
    expect(rows.filter((r) => r.status === "PASS").length).toBeGreaterThanOrEqual(18)
    // The measured α recovers the law the synthetic trainer was built on.
    const alpha = rows.find((r) => r.id === "A2.alpha-quick")
    expect(alpha?.measured).toBeCloseTo(SYNTHETIC.alpha, 0)
    // Every number is traceable to the entry that produced it.
    expect(alpha?.source).toMatch(/entries\/delay-law-fits\/[0-9a-f]{64}\.json$/)
  })

  it("a second run trains nothing", async () => {
    const before = h.trainer.trained.length
    const summary = await h.run("quick")
    expect(summary.ran).toBe(0)
    expect(h.trainer.trained.length).toBe(before)
  })

  it("adding one ρ to the sweep trains only the new cells (one per lr)", async () => {
    const before = h.trainer.trained.length
    const summary = await h.run("quick", ["clamp-sweep.rhos=[1.0,1.05,1.1,1.15,1.2]"])
    const trained = h.trainer.trained.slice(before).filter(isCell)
    expect(trained).toHaveLength(2)
    for (const spec of trained) {
      expect(spec.intervention.kind).toBe("clamp")
    }
    expect(new Set(trained.map((s) => s.optimizer.lr))).toEqual(new Set([0.008, 0.012]))
    // measure-wc and the paper B stages were not touched.
    const reran = summary.outcomes.filter((o) => o.status !== "hit").map((o) => o.id)
    expect(reran).not.toContain("measure-wc")
    expect(reran).not.toContain("temperature-grid")
  })

  it("draws every figure the quick profile feeds", async () => {
    const result = await renderFigures(await figuresOf(h), drawn)
    expect(result.rendered.length).toBe(result.figures.length)
    expect(new Set(result.figures.map((f) => f.kind))).toEqual(
      new Set([
        "trajectories", "wcInvariance", "clampMatrix", "denseSweep", "oneShotVsSustained", "layerNorm",
        "mediation", "collapseGrid", "memorization", "mseVsCe", "forkingArms"
      ])
    )
  })

  it("changing only τ values retrains only temperature cells and redraws only the figures they feed", async () => {
    const before = h.trainer.trained.length
    const sets = ["temperature-grid.taus=[1.0,1.3,1.5,1.7]"]
    const summary = await h.run("quick", sets)
    const trained = h.trainer.trained.slice(before).filter(isCell)
    expect(trained.length).toBe(2)
    expect(trained.every((s) => s.tau === 1.5)).toBe(true)
    const byId = new Map(summary.outcomes.map((o) => [o.id, o.status]))
    expect(byId.get("measure-wc")).toBe("hit")
    expect(byId.get("clamp-sweep")).toBe("hit")
    expect(byId.get("temperature-grid")).not.toBe("hit")
    const redraw = await renderFigures(await figuresOf(h, sets), drawn)
    expect(new Set(redraw.rendered.map((id) => id.replace(/-p\d+$/, "")))).toEqual(
      new Set(["mediation", "collapseGrid", "memorization", "mseVsCe"])
    )
  })
})

describe("a stage added as one file (stages/wc-vs-op.ts, pipeline/ops.yaml)", () => {
  it("trains one free cell per operation and caches them", async () => {
    const h = makeHarness({ store: "memory" })
    const summary = await h.run("ops")
    expect(summary.failed).toBe(0)
    const ops = h.trainer.trained.filter(isCell).map((s) => s.task.op)
    expect(ops.sort()).toEqual(["add", "div", "mul", "sub"])
    await h.run("ops", ["wc-vs-op.ops=[add,sub,mul,div]"])
    expect(h.trainer.trained).toHaveLength(4)
  })
})

describe("a figure added as one module (src/figures/kinds/wcByOperation.ts) and one line in stages/wc-vs-op.ts", () => {
  it("reaches the report: decoded with its kind's Schema, drawn, and cited to wc-vs-op's entry", async () => {
    const h = makeHarness({ store: "memory" })
    expect((await h.run("ops")).failed).toBe(0)
    const { plan, outputs } = await h.verify("ops")
    const registry = await figureRegistry()
    const { figures, problems } = reportFigures(plan, outputs, registry)
    expect(problems).toEqual([])
    expect(figures.map((f) => f.kind)).toEqual(["wcByOperation"])
    const rows = (outputs.get("wc-vs-op")?.output as ReadonlyArray<{ op: string }>).map((r) => r.op)
    expect(Schema.decodeUnknownSync(WcByOperationFigure)(figures[0]).rows.map((r) => r.op)).toEqual(rows)
    expect(figures[0]?.source).toEqual([expect.stringMatching(/entries\/wc-vs-op\/[0-9a-f]{64}\.json$/)])

    const rendered = await renderFigures(figures, figuresDir(), registry)
    const html = buildReport({
      title: "ops",
      verifyRows: [],
      figures: await loadReportFigures(rendered.figures),
      provenance: { profile: "ops", backend: "synthetic", versions: {}, entries: [], computeSeconds: 0 },
      weakSpots: []
    })
    expect(html).toContain('data-figure="wcByOperation"')
    expect(html).toContain("Critical norm Wc per operation")
    for (const op of ["add", "sub", "mul", "div"]) expect(html).toMatch(new RegExp(`>${op}</text>`))
  })

  it("a figure that does not match its kind's Schema is left out with the field named", async () => {
    const registry = await figureRegistry()
    const bad = registry.decode({ kind: "wcByOperation", caption: "x", rows: [{ op: "add", wc: "big", medianTGrok: null, grokked: 1 }] })
    expect(bad._tag === "Failure" ? bad.failure : "").toMatch(/figure "wcByOperation" \(wcByOperation\): rows\[0\]\.wc: expected/)
    const unknown = registry.decode({ kind: "nope", caption: "x" })
    expect(unknown._tag === "Failure" ? unknown.failure : "").toMatch(/unknown figure kind.*src\/figures\/kinds\/nope\.ts/)
  })
})
