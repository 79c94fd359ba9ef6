/** (c) Wc vs p, log–log, with the power law Wc = prefactor · p^β (paper A §6.1, §6.4). */
import { Schema } from "effect"
import { Interval } from "../fields.ts"
import { defineFigure, figureFields } from "../Figure.ts"
import { wcScalingSpec } from "../specs/criticalNorm.ts"

export const WcScalingFigure = Schema.Struct(figureFields("wcScaling", {
  points: Schema.Array(Schema.Struct({
    p: Schema.Number,
    wc: Schema.Number,
    wcLow: Schema.optional(Schema.Number),
    wcHigh: Schema.optional(Schema.Number)
  })),
  /** OLS of ln Wc on ln p. */
  fit: Schema.Struct({
    beta: Schema.Number,
    betaCi: Schema.optional(Interval),
    prefactor: Schema.Number,
    r2: Schema.optional(Schema.Number)
  })
}))
export type WcScalingFigure = typeof WcScalingFigure.Type

export default defineFigure({
  kind: "wcScaling",
  schema: WcScalingFigure,
  title: "Critical norm Wc vs modulus p",
  spec: wcScalingSpec
})
