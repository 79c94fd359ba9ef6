/**
 * The figures of whatever ran: each figure is typed data of one figure kind
 * (src/figures/kinds/) with a caption stating the measured result. Drawing happens
 * in `grokflow report`, keyed per figure by its Vega-Lite spec and data, so a
 * change upstream redraws only the figures it feeds. An input the profile does not
 * bind (`needs:` of the plots node) draws nothing.
 */
import { Effect, Schema } from "effect"
import { defineStage, optionalNeed } from "../src/engine/Stage.ts"
import { type AnyFigure, storedFigures } from "../src/figures/Figure.ts"
import clampMatrix from "../src/figures/kinds/clampMatrix.ts"
import collapseGrid from "../src/figures/kinds/collapseGrid.ts"
import denseSweep from "../src/figures/kinds/denseSweep.ts"
import forkingArms from "../src/figures/kinds/forkingArms.ts"
import layerNorm from "../src/figures/kinds/layerNorm.ts"
import mediation from "../src/figures/kinds/mediation.ts"
import memorization from "../src/figures/kinds/memorization.ts"
import mseVsCe from "../src/figures/kinds/mseVsCe.ts"
import multiPCollapse from "../src/figures/kinds/multiPCollapse.ts"
import oneShotVsSustained from "../src/figures/kinds/oneShotVsSustained.ts"
import softmaxAudit from "../src/figures/kinds/softmaxAudit.ts"
import trajectories from "../src/figures/kinds/trajectories.ts"
import wcInvariance from "../src/figures/kinds/wcInvariance.ts"
import wcScaling from "../src/figures/kinds/wcScaling.ts"
import { controlFigures, sweepFigures, wcFigures, wcScalingFigure } from "./_figures/paperA.ts"
import { auditFigure, forkFigure, mediationFigures, mseFigure } from "./_figures/paperB.ts"
import delayLawFits from "./delay-law-fits.ts"
import forkingArmsStage from "./forking-arms.ts"
import measureWc from "./measure-wc.ts"
import mediationFits from "./mediation-fits.ts"
import mseContrast from "./mse-contrast.ts"
import softmaxCollapseAudit from "./softmax-collapse-audit.ts"
import temperatureGrid from "./temperature-grid.ts"

/** The kinds this stage draws; its output stores figures of these kinds only. */
const drawn = storedFigures([
  trajectories, wcInvariance, wcScaling, clampMatrix, denseSweep, multiPCollapse, oneShotVsSustained, layerNorm,
  mediation, collapseGrid, mseVsCe, memorization, softmaxAudit, forkingArms
])

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
    fork: optionalNeed(forkingArmsStage)
  },
  output: Schema.Struct({ figures: Schema.Array(drawn.schema) }),
  figures: [drawn.feed((output: { readonly figures: ReadonlyArray<AnyFigure> }) => output.figures)],
  run: (_config, inputs) =>
    Effect.sync(() => {
      const { wc, fits, grid, mediation } = inputs
      const wcByP = new Map(wc?.reference.flatMap((r) => (r.wc === null ? [] : [[r.p, r.wc] as const])) ?? [])
      const dense = inputs.fitsDense
      const moduli = inputs.fitsModuli
      const figures: Array<AnyFigure> = [
        ...(wc === undefined ? [] : wcFigures(wc, "wc")),
        ...(wc === undefined || fits === undefined ? [] : wcScalingFigure(wc, fits, ["wc", "fits"])),
        ...(fits === undefined ? [] : [...(fits.sweep === null ? [] : sweepFigures(fits.sweep, wcByP, "", "fits")), ...controlFigures(fits, "fits")]),
        ...(dense?.sweep == null ? [] : sweepFigures(dense.sweep, wcByP, "-dense", "fitsDense")),
        ...(moduli?.sweep == null ? [] : sweepFigures(moduli.sweep, wcByP, "-moduli", "fitsModuli")),
        ...(grid === undefined || mediation === undefined ? [] : mediationFigures(grid, mediation, ["grid", "mediation"])),
        ...(inputs.mse === undefined ? [] : mseFigure(inputs.mse, "mse")),
        ...(inputs.audit === undefined ? [] : auditFigure(inputs.audit, "audit")),
        ...(inputs.fork === undefined ? [] : forkFigure(inputs.fork, "fork"))
      ]
      return { figures }
    })
})
