/** (k) MSE vs CE under temperature (paper B §6.3). */
import { Schema } from "effect"
import { TemperatureCell } from "../fields.ts"
import { defineFigure, figureFields } from "../Figure.ts"
import { mseVsCeSpec } from "../specs/temperature.ts"

export const LossCell = Schema.Struct({ ...TemperatureCell.fields, loss: Schema.Literals(["CE", "MSE"]) })
export type LossCell = typeof LossCell.Type

export const MseVsCeFigure = Schema.Struct(figureFields("mseVsCe", {
  p: Schema.Number,
  cells: Schema.Array(LossCell),
  /** T1/T0 (norm-up effect) per loss, for the subtitle. */
  normUpEffect: Schema.optional(Schema.Struct({ CE: Schema.optional(Schema.Number), MSE: Schema.optional(Schema.Number) }))
}))
export type MseVsCeFigure = typeof MseVsCeFigure.Type

export default defineFigure({
  kind: "mseVsCe",
  schema: MseVsCeFigure,
  title: "MSE vs cross-entropy under temperature",
  spec: mseVsCeSpec
})
