/** (m) Softmax-collapse audit: float32 vs higher precision (paper B §6.5). */
import { Schema } from "effect"
import { cellOutcomeFields } from "../fields.ts"
import { defineFigure, figureFields } from "../Figure.ts"
import { softmaxAuditSpec } from "../specs/temperature.ts"

export const SoftmaxAuditFigure = Schema.Struct(figureFields("softmaxAudit", {
  p: Schema.Number,
  cells: Schema.Array(Schema.Struct({
    ...cellOutcomeFields,
    rho: Schema.Number,
    /** The arm's working precision, e.g. "float32" or "float64". */
    arm: Schema.String,
    /** Fraction of training points whose correct-class probability is exactly 1.0. */
    scRate: Schema.Number
  })),
  /** Budget (steps) at which censored cells are drawn. */
  budget: Schema.Number
}))
export type SoftmaxAuditFigure = typeof SoftmaxAuditFigure.Type

export default defineFigure({
  kind: "softmaxAudit",
  schema: SoftmaxAuditFigure,
  title: "Softmax-collapse audit: float32 vs higher precision",
  spec: softmaxAuditSpec
})
