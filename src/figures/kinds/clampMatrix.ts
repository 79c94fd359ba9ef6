/** (d) The clamp matrix: median T_grok vs ρ per lr (paper A §6.2). */
import { Schema } from "effect"
import { cellOutcomeFields } from "../fields.ts"
import { defineFigure, figureFields } from "../Figure.ts"
import { clampMatrixSpec } from "../specs/delayLaw.ts"

export const ClampMatrixFigure = Schema.Struct(figureFields("clampMatrix", {
  cells: Schema.Array(Schema.Struct({
    ...cellOutcomeFields,
    /** ρ = ‖W‖ / Wc held by the clamp from t_int on. */
    rho: Schema.Number,
    lr: Schema.Number
  })),
  wc: Schema.Number,
  /** Training budget (steps): censored cells are drawn at this line. */
  budget: Schema.optional(Schema.Number)
}))
export type ClampMatrixFigure = typeof ClampMatrixFigure.Type

export default defineFigure({
  kind: "clampMatrix",
  schema: ClampMatrixFigure,
  title: "Clamp matrix: median T_grok vs ρ per learning rate",
  spec: clampMatrixSpec
})
