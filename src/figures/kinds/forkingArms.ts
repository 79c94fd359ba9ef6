/** (n) Forking arms: delay after the fork per seed and arm (paper B §6.6). */
import { Schema } from "effect"
import { Interval } from "../fields.ts"
import { defineFigure, figureFields } from "../Figure.ts"
import { forkingArmsSpec } from "../specs/forking.ts"

export const ForkArm = Schema.Literals(["lowered", "same", "raised", "free"])
export type ForkArm = typeof ForkArm.Type

export const ForkingArmsFigure = Schema.Struct(figureFields("forkingArms", {
  p: Schema.Number,
  rho: Schema.Number,
  /** `delay`: steps from the fork to T_grok; null when the arm did not grok in budget. */
  delays: Schema.Array(Schema.Struct({ seed: Schema.Number, arm: ForkArm, delay: Schema.NullOr(Schema.Number) })),
  /** Median raised/same delay ratio with its bootstrap CI. */
  ratio: Schema.Struct({ value: Schema.Number, ci: Schema.optional(Interval) }),
  /** Seeds with lowered < same < raised, out of all seeds. */
  orderedSeeds: Schema.optional(Schema.Struct({ ordered: Schema.Number, total: Schema.Number }))
}))
export type ForkingArmsFigure = typeof ForkingArmsFigure.Type

export default defineFigure({
  kind: "forkingArms",
  schema: ForkingArmsFigure,
  title: "Forking arms: delay after the fork per seed",
  spec: forkingArmsSpec
})
