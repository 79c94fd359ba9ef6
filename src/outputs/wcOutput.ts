/**
 * The shape of measure-wc's output that downstream stages read, and the lookup
 * of a modulus's critical norm from it (Wc is measured, never typed in).
 */
import { Effect, Schema } from "effect"
import { StageFailure } from "../engine/StageFailure.ts"
import { CellSummary } from "./cellSummary.ts"

export const WcConfig = Schema.Struct({
  p: Schema.Int,
  trainFraction: Schema.Finite,
  lr: Schema.Finite,
  cell: CellSummary,
  /** Median over grokked seeds of ‖W‖ at T_grok (measure-wc's wcAt: at each seed's own
   * T_grok, or at the step the last seed grokked, `wcStep`). */
  wc: Schema.NullOr(Schema.Finite),
  /** The step every seed's norm was read at under wcAt last-grok; null at own T_grok. */
  wcStep: Schema.NullOr(Schema.Int),
  cvAcrossSeeds: Schema.NullOr(Schema.Finite),
  /** Wc read at the extra test-accuracy thresholds, keyed by String(threshold). */
  wcAtThreshold: Schema.Record(Schema.String, Schema.NullOr(Schema.Finite)),
  /** Largest relative move of Wc across the thresholds. */
  thresholdShift: Schema.NullOr(Schema.Finite)
})
export type WcConfig = typeof WcConfig.Type

export const SeedTrajectory = Schema.Struct({
  seed: Schema.Int,
  steps: Schema.Array(Schema.Int),
  norm: Schema.Array(Schema.Finite),
  trainAcc: Schema.Array(Schema.Finite),
  testAcc: Schema.Array(Schema.Finite)
})

export const WcOutput = Schema.Struct({
  loss: Schema.Literals(["ce", "mse"]),
  weightDecay: Schema.Finite,
  configs: Schema.Array(WcConfig),
  /** Wc per modulus at the reference train fraction and lr (the first of each list). */
  reference: Schema.Array(Schema.Struct({ p: Schema.Int, wc: Schema.NullOr(Schema.Finite), lr: Schema.Finite, trainFraction: Schema.Finite })),
  cvAcrossFractions: Schema.NullOr(Schema.Finite),
  cvAcrossLrs: Schema.NullOr(Schema.Finite),
  thresholdShiftMax: Schema.NullOr(Schema.Finite),
  /** Free-training trajectories of the first modulus's reference cell (subsampled). */
  trajectories: Schema.Array(SeedTrajectory)
})
export type WcOutput = typeof WcOutput.Type

export const wcFor = (stage: string, wc: WcOutput, p: number): Effect.Effect<number, StageFailure> => {
  const hit = wc.reference.find((r) => r.p === p)
  if (hit === undefined) {
    return Effect.fail(new StageFailure({ stage, message: `no Wc measured for p=${p}: add ${p} to measure-wc's moduli` }))
  }
  if (hit.wc === null) {
    return Effect.fail(
      new StageFailure({ stage, message: `Wc for p=${p} is undefined: no free-training seed grokked within measure-wc's budget` })
    )
  }
  return Effect.succeed(hit.wc)
}
