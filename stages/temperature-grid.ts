/**
 * Paper B §6.1–6.2, §6.4: cross-entropy at a held norm over ρ × τ. A fixed output
 * temperature τ divides the logits, so it moves the effective logit scale L
 * without moving ‖W‖: the lever that separates "norm" from "logit scale".
 */
import { Effect, Schema } from "effect"
import { defineStage } from "../src/engine/Stage.ts"
import { trainCell } from "../src/experiments/cellKinds.ts"
import { CellSummary, meanTrajectory } from "../src/experiments/cellSummary.ts"
import { IntList, PositiveInt, PositiveList, PositiveNumber, trainingFields, withDefault } from "../src/experiments/configFields.ts"
import { estimateOf } from "../src/experiments/estimate.ts"
import { heldCell } from "../src/experiments/heldCell.ts"
import { subsample } from "../src/experiments/subsample.ts"
import { wcFor } from "../src/experiments/wcOutput.ts"
import measureWc from "./measure-wc.ts"

const Config = Schema.Struct({
  ...trainingFields,
  moduli: withDefault(IntList, [59]),
  rhos: withDefault(PositiveList, [1, 1.15]),
  taus: withDefault(PositiveList, [1, 1.15, 1.3, 1.5, 1.7]),
  lr: withDefault(PositiveNumber, 1e-3),
  tInt: withDefault(PositiveInt, 500),
  trajectoryPoints: withDefault(PositiveInt, 80)
})

export const TemperatureCell = Schema.Struct({
  cell: CellSummary,
  /** Mean over seeds of L at each logged step (subsampled). */
  logitScaleTrajectory: Schema.Struct({ steps: Schema.Array(Schema.Int), values: Schema.Array(Schema.Finite) })
})

export const TemperatureGridOutput = Schema.Struct({
  wc: Schema.Array(Schema.Struct({ p: Schema.Int, wc: Schema.Finite })),
  loss: Schema.Literals(["ce", "mse"]),
  cells: Schema.Array(TemperatureCell)
})
export type TemperatureGridOutput = typeof TemperatureGridOutput.Type

export default defineStage({
  name: "temperature-grid",
  version: 1,
  description: "Cross-entropy at held norm over ρ × τ: delay, T_mem and effective logit scale L",
  config: Config,
  needs: { wc: measureWc },
  output: TemperatureGridOutput,
  cells: [trainCell],
  estimate: (config) =>
    estimateOf(config.moduli.length * config.rhos.length * config.taus.length, config.seeds, config.budget),
  run: (config, inputs, ctx) =>
    Effect.gen(function*() {
      const wc = yield* Effect.forEach(config.moduli, (p) => Effect.map(wcFor(ctx.node, inputs.wc, p), (w) => ({ p, wc: w })))
      const grid = wc.flatMap(({ p, wc }) =>
        config.rhos.flatMap((rho) => config.taus.map((tau) => ({ p, wc, rho, tau, lr: config.lr, tInt: config.tInt })))
      )
      const cells = yield* Effect.forEach(
        grid,
        (at) =>
          Effect.map(heldCell(ctx, config, at), ({ summary, result }) => {
            const mean = meanTrajectory(result, (t) => t.logitScale)
            const keep = subsample(mean.steps.length, config.trajectoryPoints)
            return {
              cell: summary,
              logitScaleTrajectory: { steps: keep.map((i) => mean.steps[i]), values: keep.map((i) => mean.values[i]) }
            }
          }),
        { concurrency: "unbounded" }
      )
      return { wc, loss: "ce" as const, cells }
    })
})
