/**
 * A report built from the synthetic fixtures: every figure rendered (incrementally,
 * into a folder under test/.tmp), then assembled. Shared by the report test and the
 * browser test.
 */
import { mkdir } from "node:fs/promises"
import { join } from "node:path"
import { figureRegistry } from "../../src/figures/registry.ts"
import { Effect } from "effect"
import { readRunRecords } from "../../src/engine/RunRecord.ts"
import { fileStore } from "../../src/engine/Store.ts"
import { reportInputOf } from "../../src/report/fromVerify.ts"
import { reportFigures } from "../../src/report/figures.ts"
import { makeHarness } from "../stages/harness.ts"
import { renderFigures } from "../../src/figures/render.ts"
import { buildReport, loadReportFigures, writeReport } from "../../src/report/html.ts"
import type { ReportInput } from "../../src/report/ReportInput.ts"
import { syntheticFigures, syntheticProvenance, syntheticVerifyRows, syntheticWeakSpots } from "./fixtures.ts"

export const TMP_DIR = join(import.meta.dirname, "..", ".tmp")

export const syntheticReportInput = async (figureDir: string): Promise<ReportInput> => {
  const rendered = await renderFigures(syntheticFigures(), figureDir)
  return {
    title: "grokflow report — synthetic data",
    verifyRows: syntheticVerifyRows(),
    figures: await loadReportFigures(rendered.figures),
    provenance: syntheticProvenance(),
    weakSpots: syntheticWeakSpots(),
    notes: ["Synthetic fixtures: the numbers are shaped like the papers' but were not measured."]
  }
}

/** Writes the report to `<dir>/report.html` and returns its path and HTML. */
export const writeSyntheticReport = async (dir: string): Promise<{ path: string; html: string }> => {
  await mkdir(dir, { recursive: true })
  const input = await syntheticReportInput(join(dir, "figures"))
  const path = await writeReport(join(dir, "report.html"), input)
  return { path, html: buildReport(input) }
}

/**
 * The report `grokflow report --profile quick` writes, from a quick run on the
 * synthetic trainer: the real claims (long descriptions, paper values in words),
 * the real figures, the run's record. What the width and first-screen checks of
 * the browser test look at; `runSeconds` is the run's wall time measured here,
 * around the pipeline.
 */
export const writeQuickReport = async (dir: string): Promise<{ path: string; rows: number; runSeconds: number }> => {
  const h = makeHarness()
  const { seconds: runSeconds } = await h.runTimed("quick")
  const { plan, outputs, rows, claims } = await h.verify("quick")
  const registry = await figureRegistry()
  const rendered = await renderFigures(reportFigures(plan, outputs, registry).figures, join(dir, "figures"), registry)
  const input = reportInputOf({
    title: "grokflow — quick: Papers A and B, reduced (synthetic trainer)",
    plan,
    outputs,
    rows,
    claims,
    runs: await Effect.runPromise(readRunRecords(fileStore(h.cacheDir), "quick")),
    figures: await loadReportFigures(rendered.figures),
    notes: ["Synthetic trainer: the numbers follow a known law, not training."]
  })
  const path = await writeReport(join(dir, "report.html"), input)
  return { path, rows: input.verifyRows.filter((r) => r.testedBy === undefined).length, runSeconds }
}
