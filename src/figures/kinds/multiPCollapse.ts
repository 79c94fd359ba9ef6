/** (f) Multi-p collapse with one shared α (paper A §6.4). */
import { Schema } from "effect"
import { cellOutcomeFields, Interval } from "../fields.ts"
import { defineFigure, figureFields } from "../Figure.ts"
import { multiPCollapseSpec } from "../specs/delayLaw.ts"

export const MultiPCollapseFigure = Schema.Struct(figureFields("multiPCollapse", {
  cells: Schema.Array(Schema.Struct({ ...cellOutcomeFields, p: Schema.Number, rho: Schema.Number })),
  fit: Schema.Struct({
    alpha: Schema.Number,
    alphaCi: Schema.optional(Interval),
    r2: Schema.Number,
    /** One intercept per p: ln T = intercept_p + α·ρ. */
    intercepts: Schema.Array(Schema.Struct({ p: Schema.Number, intercept: Schema.Number }))
  }),
  /** Moduli left out of the fit, with why (paper: p = 31, ρ = 0.85 never groks). */
  excluded: Schema.optional(Schema.Array(Schema.Struct({ p: Schema.Number, reason: Schema.String })))
}))
export type MultiPCollapseFigure = typeof MultiPCollapseFigure.Type

export default defineFigure({
  kind: "multiPCollapse",
  schema: MultiPCollapseFigure,
  title: "Across moduli: one shared α",
  spec: multiPCollapseSpec
})
