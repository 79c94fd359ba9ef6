/**
 * A report built from the synthetic fixtures: every figure rendered (incrementally,
 * into a folder under test/.tmp), then assembled. Shared by the report test and the
 * browser test.
 */
import { mkdir } from "node:fs/promises"
import { join } from "node:path"
import { renderFigures } from "../../src/figures/render.ts"
import { buildReport, loadReportFigures, type ReportInput, writeReport } from "../../src/figures/report.ts"
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
