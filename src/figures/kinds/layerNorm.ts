/** (h) LayerNorm control (paper A §6.6): the delay law with and without normalization. */
import { Schema } from "effect"
import { cellOutcomeFields, exponentialFitFields } from "../fields.ts"
import { defineFigure, figureFields } from "../Figure.ts"
import { layerNormSpec } from "../specs/controls.ts"

export const LayerNormFigure = Schema.Struct(figureFields("layerNorm", {
  /** `variant`: e.g. "attention, pre-LN", "attention, no LN", "MLP + final LN". */
  cells: Schema.Array(Schema.Struct({ ...cellOutcomeFields, rho: Schema.Number, variant: Schema.String })),
  /** Per-variant exponential fits (a variant with no law is omitted). */
  fits: Schema.optional(Schema.Array(Schema.Struct({ ...exponentialFitFields, variant: Schema.String })))
}))
export type LayerNormFigure = typeof LayerNormFigure.Type

export default defineFigure({
  kind: "layerNorm",
  schema: LayerNormFigure,
  title: "LayerNorm control: with vs without normalization",
  spec: layerNormSpec
})
