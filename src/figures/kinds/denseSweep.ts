/** (e) Dense ρ sweep with the exponential fit and its CI band (paper A §6.3). */
import { Schema } from "effect"
import { cellOutcomeFields, ExponentialFit } from "../fields.ts"
import { defineFigure, figureFields } from "../Figure.ts"
import { denseSweepSpec } from "../specs/delayLaw.ts"

/** The fitted T(ρ) with a pointwise 95% band (bootstrap over seeds, refit). */
export const FitBandPoint = Schema.Struct({ rho: Schema.Number, lower: Schema.Number, upper: Schema.Number })
export type FitBandPoint = typeof FitBandPoint.Type

export const DenseSweepFigure = Schema.Struct(figureFields("denseSweep", {
  cells: Schema.Array(Schema.Struct({ ...cellOutcomeFields, rho: Schema.Number })),
  fit: ExponentialFit,
  /** Pointwise band of the fitted curve. When absent the band is derived from
   *  `fit.alphaCi` by pivoting the line about the centroid of the fitted cells (the
   *  OLS line always passes through it), which is approximate and labelled so. */
  band: Schema.optional(Schema.Array(FitBandPoint)),
  wc: Schema.Number
}))
export type DenseSweepFigure = typeof DenseSweepFigure.Type

export default defineFigure({
  kind: "denseSweep",
  schema: DenseSweepFigure,
  title: "Dense ρ sweep: the exponential delay law",
  spec: denseSweepSpec
})
