/** The output of a held-norm sweep over (modulus × ρ × lr), read by the fits. */
import { Schema } from "effect"
import { CellSummary } from "./cellSummary.ts"

export const SweepOutput = Schema.Struct({
  hold: Schema.Literals(["sustained", "one-shot"]),
  tInt: Schema.Int,
  /** The Wc each modulus was held against (from measure-wc). */
  wc: Schema.Array(Schema.Struct({ p: Schema.Int, wc: Schema.Finite })),
  cells: Schema.Array(CellSummary)
})
export type SweepOutput = typeof SweepOutput.Type
