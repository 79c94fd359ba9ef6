/** (a) Free-training trajectories (paper A §6.1): ‖W‖ and accuracy vs step. */
import { Schema } from "effect"
import { defineFigure, figureFields } from "../Figure.ts"
import { trajectoriesSpec } from "../specs/trajectories.ts"

export const TrajectoryPoint = Schema.Struct({
  step: Schema.Number,
  /** ‖W‖ = sqrt(‖E‖² + ‖W1‖² + ‖W2‖²), biases excluded. */
  weightNorm: Schema.Number,
  trainAcc: Schema.Number,
  testAcc: Schema.Number
})
export type TrajectoryPoint = typeof TrajectoryPoint.Type

export const TrajectoryRun = Schema.Struct({
  /** Legend label, e.g. "seed 3" or "p = 59". */
  label: Schema.String,
  points: Schema.Array(TrajectoryPoint),
  /** First evaluated step with train accuracy ≥ 0.99; null if never. */
  tMem: Schema.NullOr(Schema.Number),
  /** First evaluated step with test accuracy ≥ 0.90; null if never (censored). */
  tGrok: Schema.NullOr(Schema.Number)
})
export type TrajectoryRun = typeof TrajectoryRun.Type

export const TrajectoriesFigure = Schema.Struct(figureFields("trajectories", {
  runs: Schema.Array(TrajectoryRun),
  /** The critical norm: median ‖W‖ at T_grok over the runs. */
  wc: Schema.Number
}))
export type TrajectoriesFigure = typeof TrajectoriesFigure.Type

export default defineFigure({
  kind: "trajectories",
  schema: TrajectoriesFigure,
  title: "Free training: ‖W‖ and accuracy vs step",
  spec: trajectoriesSpec
})
