/** (j) Collapse grid: ln T vs L coloured by ρ, shape by τ (paper B §6.2). */
import { Schema } from "effect"
import { ExponentialFit, TemperatureCell } from "../fields.ts"
import { defineFigure, figureFields } from "../Figure.ts"
import { collapseGridSpec } from "../specs/mediation.ts"

export const CollapseGridFigure = Schema.Struct(figureFields("collapseGrid", {
  p: Schema.Number,
  cells: Schema.Array(TemperatureCell),
  /** ln T = intercept + slope·L (α is the slope in L), with R² on L alone. */
  fit: ExponentialFit,
  /** R² of ln T on ρ alone, and the gain from adding ρ to L. */
  r2RhoOnly: Schema.optional(Schema.Number),
  deltaR2AddingRho: Schema.optional(Schema.Number)
}))
export type CollapseGridFigure = typeof CollapseGridFigure.Type

export default defineFigure({
  kind: "collapseGrid",
  schema: CollapseGridFigure,
  title: "Collapse grid: delay is a function of L",
  spec: collapseGridSpec
})
