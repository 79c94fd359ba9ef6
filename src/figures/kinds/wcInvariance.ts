/** (b) Wc vs train fraction and vs lr (paper A §6.1). */
import { Schema } from "effect"
import { defineFigure, figureFields } from "../Figure.ts"
import { wcInvarianceSpec } from "../specs/criticalNorm.ts"

export const WcByTrainFraction = Schema.Struct({
  trainFraction: Schema.Number,
  wc: Schema.Number,
  wcLow: Schema.optional(Schema.Number),
  wcHigh: Schema.optional(Schema.Number)
})

export const WcByLr = Schema.Struct({
  lr: Schema.Number,
  wc: Schema.Number,
  wcLow: Schema.optional(Schema.Number),
  wcHigh: Schema.optional(Schema.Number),
  /** Median T_grok at this lr: shown as a label, to make "Wc flat while T_grok moves
   *  ≈ 7×" visible in one panel. */
  medianTGrok: Schema.optional(Schema.Number)
})

export const WcInvarianceFigure = Schema.Struct(figureFields("wcInvariance", {
  /** Rows at one p (paper: 59), λ = 1, lr 1e-3. */
  byTrainFraction: Schema.Array(WcByTrainFraction),
  /** Rows at one p and λ (paper: λ = 3). */
  byLr: Schema.Array(WcByLr),
  /** The weight decay of the lr panel, for its title. */
  lrPanelWeightDecay: Schema.optional(Schema.Number)
}))
export type WcInvarianceFigure = typeof WcInvarianceFigure.Type

export default defineFigure({
  kind: "wcInvariance",
  schema: WcInvarianceFigure,
  title: "Critical norm Wc vs train fraction and learning rate",
  spec: wcInvarianceSpec
})
