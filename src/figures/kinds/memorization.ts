/** (l) Memorization control: T_mem vs T_grok across τ (paper B §6.4). */
import { Schema } from "effect"
import { defineFigure, figureFields } from "../Figure.ts"
import { memorizationSpec } from "../specs/temperature.ts"

export const MemorizationRow = Schema.Struct({
  tau: Schema.Number,
  /** Median T_mem (train accuracy ≥ 0.99) over seeds, steps. */
  tMem: Schema.Number,
  tMemLow: Schema.optional(Schema.Number),
  tMemHigh: Schema.optional(Schema.Number),
  /** Median T_grok over grokked seeds, steps. */
  tGrok: Schema.NullOr(Schema.Number),
  tGrokLow: Schema.optional(Schema.Number),
  tGrokHigh: Schema.optional(Schema.Number)
})

export const MemorizationFigure = Schema.Struct(figureFields("memorization", {
  p: Schema.Number,
  rho: Schema.Number,
  rows: Schema.Array(MemorizationRow)
}))
export type MemorizationFigure = typeof MemorizationFigure.Type

export default defineFigure({
  kind: "memorization",
  schema: MemorizationFigure,
  title: "Memorization control: T_mem vs T_grok across τ",
  spec: memorizationSpec
})
