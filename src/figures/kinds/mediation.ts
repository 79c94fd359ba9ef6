/** (i) Paper B mediation: delay vs effective logit scale L across τ (paper B §6.1). */
import { Schema } from "effect"
import { Interval, TemperatureCell } from "../fields.ts"
import { defineFigure, figureFields } from "../Figure.ts"
import { mediationSpec } from "../specs/mediation.ts"

export const MediationFigure = Schema.Struct(figureFields("mediation", {
  p: Schema.Number,
  /** The τ sweep at the raised norm. */
  sweep: Schema.Array(TemperatureCell),
  /** (ρ = 1, τ = 1): its L is L0. */
  baseline: TemperatureCell,
  /** (ρ raised, τ = 1): T1. */
  normUp: TemperatureCell,
  /** T2: the sweep's delay interpolated at L = L0 (the "L0 rule"). */
  t2: Schema.optional(Schema.Number),
  /** Recovery (T1 − T2)/(T1 − T0), with its paired-bootstrap CI. */
  recovery: Schema.optional(Schema.Struct({ value: Schema.Number, ci: Schema.optional(Interval) }))
}))
export type MediationFigure = typeof MediationFigure.Type

export default defineFigure({
  kind: "mediation",
  schema: MediationFigure,
  title: "Logit-scale mediation: delay vs L across τ",
  spec: mediationSpec
})
