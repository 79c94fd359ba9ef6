/**
 * The figures of whatever ran: each figure is typed data (src/figures/data.ts) with
 * a caption stating the measured result. Drawing happens in `grokflow report`,
 * keyed per figure by its Vega-Lite spec and data, so a change upstream redraws
 * only the figures it feeds. A figure whose stage is not in the profile is skipped.
 */
import { Effect, Schema } from "effect"
import { defineStage, optionalNeed } from "../src/engine/Stage.ts"
import type { FigureInput } from "../src/figures/index.ts"
import { controlFigures, sweepFigures, wcFigures, wcScalingFigure } from "../src/experiments/figures/paperA.ts"
import { auditFigure, forkFigure, mediationFigures, mseFigure } from "../src/experiments/figures/paperB.ts"
import delayLawFits from "./delay-law-fits.ts"
import forkingArms from "./forking-arms.ts"
import measureWc from "./measure-wc.ts"
import mediationFits from "./mediation-fits.ts"
import mseContrast from "./mse-contrast.ts"
import softmaxCollapseAudit from "./softmax-collapse-audit.ts"
import temperatureGrid from "./temperature-grid.ts"

/** Figures are stored as the plain records the figure builders read. */
export const StoredFigure = Schema.Record(Schema.String, Schema.Unknown)

export default defineStage({
  name: "plots",
  version: 1,
  description: "Figure data for every stage that ran (drawn incrementally by `grokflow report`)",
  config: Schema.Struct({}),
  needs: {
    wc: optionalNeed(measureWc),
    fits: optionalNeed(delayLawFits),
    fitsDense: optionalNeed(delayLawFits),
    fitsModuli: optionalNeed(delayLawFits),
    grid: optionalNeed(temperatureGrid),
    mediation: optionalNeed(mediationFits),
    mse: optionalNeed(mseContrast),
    audit: optionalNeed(softmaxCollapseAudit),
    fork: optionalNeed(forkingArms)
  },
  output: Schema.Struct({ figures: Schema.Array(StoredFigure) }),
  run: (_config, inputs) =>
    Effect.sync(() => {
      const { wc, fits, grid, mediation } = inputs
      const wcByP = new Map(wc?.reference.flatMap((r) => (r.wc === null ? [] : [[r.p, r.wc] as const])) ?? [])
      // An optional input left to its default binds to the same node as `fits`;
      // drawing it twice would only repeat the figure.
      const distinct = (other: typeof fits) =>
        other !== undefined && fits !== undefined && JSON.stringify(other) !== JSON.stringify(fits) ? other : undefined
      const dense = distinct(inputs.fitsDense)
      const moduli = distinct(inputs.fitsModuli)
      const figures: Array<FigureInput> = [
        ...(wc === undefined ? [] : wcFigures(wc, "wc")),
        ...(wc === undefined || fits === undefined ? [] : wcScalingFigure(wc, fits, ["wc", "fits"])),
        ...(fits === undefined ? [] : [...sweepFigures(fits.sweep, wcByP, "", "fits"), ...controlFigures(fits, "fits")]),
        ...(dense === undefined ? [] : sweepFigures(dense.sweep, wcByP, "-dense", "fitsDense")),
        ...(moduli === undefined ? [] : sweepFigures(moduli.sweep, wcByP, "-moduli", "fitsModuli")),
        ...(grid === undefined || mediation === undefined ? [] : mediationFigures(grid, mediation, ["grid", "mediation"])),
        ...(inputs.mse === undefined ? [] : mseFigure(inputs.mse, "mse")),
        ...(inputs.audit === undefined ? [] : auditFigure(inputs.audit, "audit")),
        ...(inputs.fork === undefined ? [] : forkFigure(inputs.fork, "fork"))
      ]
      return { figures: figures.map((f) => ({ ...f })) }
    })
})
