/** (g) One-shot rescale vs sustained clamp (paper A §6.5). */
import { Schema } from "effect"
import { cellOutcomeFields } from "../fields.ts"
import { defineFigure, figureFields } from "../Figure.ts"
import { oneShotVsSustainedSpec } from "../specs/controls.ts"

export const OneShotVsSustainedFigure = Schema.Struct(figureFields("oneShotVsSustained", {
  cells: Schema.Array(Schema.Struct({ ...cellOutcomeFields, rho: Schema.Number, arm: Schema.Literals(["one-shot", "sustained"]) })),
  /** Max/min median T_grok over each arm's ρ range, for the subtitle. */
  foldChange: Schema.optional(Schema.Struct({ oneShot: Schema.Number, sustained: Schema.Number }))
}))
export type OneShotVsSustainedFigure = typeof OneShotVsSustainedFigure.Type

export default defineFigure({
  kind: "oneShotVsSustained",
  schema: OneShotVsSustainedFigure,
  title: "One-shot rescale vs sustained clamp",
  spec: oneShotVsSustainedSpec
})
