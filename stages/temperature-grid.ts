/**
 * Paper B (docs/protocol.md §6, B1–B2, B4): cross-entropy at a held norm over ρ × τ,
 * plus the mediation τ sweep at one raised ρ (paper B: the grid is ρ {1, 1.05, 1.1,
 * 1.15} × τ {1, 1.3, 1.7}, the sweep ρ 1.15 × τ {1, 1.15, 1.3, 1.5, 1.7}). A fixed output
 * temperature τ divides the logits, so it moves the effective logit scale L
 * without moving ‖W‖: the lever that separates "norm" from "logit scale".
 */
import { Effect, Schema } from "effect"
import { defineStage } from "../src/engine/Stage.ts"
import { mlpTrain } from "../src/cells/cellKinds.ts"
import { CellSummary, meanTrajectory } from "../src/outputs/cellSummary.ts"
import { IntList, PositiveInt, PositiveList, PositiveNumber, trainingFields, withDefault } from "../src/cells/configFields.ts"
import { estimateOfUnits } from "../src/planning/estimate.ts"
import { budgetFields, budgetFor } from "../src/cells/budgets.ts"
import { heldCell, heldUnit } from "../src/cells/heldCell.ts"
import { subsample } from "../src/outputs/subsample.ts"
import { wcFor } from "../src/outputs/wcOutput.ts"
import measureWc from "./measure-wc.ts"

const Config = Schema.Struct({
  ...trainingFields,
  moduli: withDefault(IntList, [59]),
  rhos: withDefault(PositiveList, [1, 1.15]),
  taus: withDefault(PositiveList, [1, 1.15, 1.3, 1.5, 1.7]),
  lr: withDefault(PositiveNumber, 1e-3),
  tInt: withDefault(PositiveInt, 500),
  /** Extra τ cells at `sweepRho` (the mediation sweep); empty: the grid alone. */
  sweepTaus: withDefault(Schema.Array(PositiveNumber), []),
  sweepRho: Schema.optional(PositiveNumber),
  trajectoryPoints: withDefault(PositiveInt, 80),
  ...budgetFields
})

interface GridConfig {
  readonly moduli: ReadonlyArray<number>
  readonly rhos: ReadonlyArray<number>
  readonly taus: ReadonlyArray<number>
  readonly sweepTaus: ReadonlyArray<number>
  readonly sweepRho?: number | undefined
}

/** The (ρ, τ) cells of one modulus: the grid, then the sweep's τ the grid lacks. */
export const gridCells = (config: GridConfig): ReadonlyArray<{ readonly rho: number; readonly tau: number }> => {
  const grid = config.rhos.flatMap((rho) => config.taus.map((tau) => ({ rho, tau })))
  const sweepRho = config.sweepRho ?? Math.max(...config.rhos)
  const extra = config.sweepTaus
    .filter((tau) => !grid.some((c) => c.rho === sweepRho && c.tau === tau))
    .map((tau) => ({ rho: sweepRho, tau }))
  return [...grid, ...extra]
}

/** One (ρ, τ) cell as the grid stores it (figures draw their own TemperatureGridCell from it). */
export const TemperatureGridCell = Schema.Struct({
  cell: CellSummary,
  /** Mean over seeds of L at each logged step (subsampled). */
  logitScaleTrajectory: Schema.Struct({ steps: Schema.Array(Schema.Int), values: Schema.Array(Schema.Finite) })
})

export const TemperatureGridOutput = Schema.Struct({
  wc: Schema.Array(Schema.Struct({ p: Schema.Int, wc: Schema.Finite })),
  loss: Schema.Literals(["ce", "mse"]),
  cells: Schema.Array(TemperatureGridCell)
})
export type TemperatureGridOutput = typeof TemperatureGridOutput.Type

export default defineStage({
  name: "temperature-grid",
  version: 1,
  description: "Cross-entropy at held norm over ρ × τ: delay, T_mem and effective logit scale L",
  config: Config,
  needs: { wc: measureWc },
  output: TemperatureGridOutput,
  cells: [mlpTrain],
  estimate: (config) =>
    estimateOfUnits(
      config.moduli.flatMap((p) =>
        gridCells(config).map(({ rho, tau }) => heldUnit(config, { p, rho, tau, lr: config.lr, tInt: config.tInt, budget: budgetFor(config, p, rho) }))
      )
    ),
  run: (config, inputs, ctx) =>
    Effect.gen(function*() {
      const wc = yield* Effect.forEach(config.moduli, (p) => Effect.map(wcFor(ctx.node, inputs.wc, p), (w) => ({ p, wc: w })))
      const grid = wc.flatMap(({ p, wc }) =>
        gridCells(config).map(({ rho, tau }) => ({ p, wc, rho, tau, lr: config.lr, tInt: config.tInt, budget: budgetFor(config, p, rho) }))
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
