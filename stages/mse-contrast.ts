/**
 * Paper B (docs/protocol.md §6, B3): the same τ sweep under MSE against one-hot targets. MSE pins the
 * logits near the targets, so τ cannot move L much, and the norm-up delay should
 * shrink accordingly. Wc is MSE's own free-control Wc (bind `wc` to a measure-wc
 * node run with loss: mse); CE's numbers come from the temperature grid.
 */
import { Effect, Schema } from "effect"
import { pairedMedianStatistic } from "../src/analysis/index.ts"
import { defineStage, optionalNeed } from "../src/engine/Stage.ts"
import { mlpTrain } from "../src/cells/cellKinds.ts"
import { orNull } from "../src/fits/guarded.ts"
import { BootstrapEstimate, estimateOf } from "../src/outputs/bootstrapEstimate.ts"
import { CellSummary } from "../src/outputs/cellSummary.ts"
import { PositiveInt, PositiveList, PositiveNumber, trainingFields, withDefault } from "../src/cells/configFields.ts"
import { estimateOfUnits } from "../src/planning/estimate.ts"
import { heldCell, heldUnit } from "../src/cells/heldCell.ts"
import { StageFailure } from "../src/engine/StageFailure.ts"
import { wcFor } from "../src/outputs/wcOutput.ts"
import measureWc from "./measure-wc.ts"
import temperatureGrid from "./temperature-grid.ts"
import type { TemperatureGridOutput } from "./temperature-grid.ts"
import { feed } from "../src/figures/Figure.ts"
import mseVsCe from "../src/figures/kinds/mseVsCe.ts"
import { fmt, temperatureCell } from "./_figures/common.ts"

const Config = Schema.Struct({
  ...trainingFields,
  p: withDefault(PositiveInt, 59),
  lr: withDefault(PositiveNumber, 1e-3),
  raisedRho: withDefault(PositiveNumber, 1.15),
  taus: withDefault(PositiveList, [1, 1.3, 1.7]),
  /** MSE's clamp starts early (paper B: 50). */
  tInt: withDefault(PositiveInt, 50)
})

const Contrast = Schema.Struct({
  /** T(ρ=raised, τ=1) / T(ρ=1, τ=1). */
  normUp: Schema.NullOr(Schema.Finite),
  /** The same over medians of grokked seeds, with a paired seed-bootstrap interval. */
  normUpInterval: Schema.NullOr(BootstrapEstimate),
  /** max/min of L across τ at the raised ρ. */
  logitScaleRatio: Schema.NullOr(Schema.Finite),
  logitScaleRange: Schema.NullOr(Schema.Tuple([Schema.Finite, Schema.Finite]))
})
type Contrast = typeof Contrast.Type

const contrastOf = (cells: ReadonlyArray<CellSummary>, raisedRho: number): Contrast => {
  const at = (rho: number, tau: number) => cells.find((c) => c.rho === rho && c.tau === tau)
  const base = at(1, 1)?.medianTGrok ?? null
  const raised = at(raisedRho, 1)?.medianTGrok ?? null
  const ls = cells.filter((c) => c.rho === raisedRho).flatMap((c) => (c.logitScale === null ? [] : [c.logitScale]))
  const range = ls.length < 2 ? null : ([Math.min(...ls), Math.max(...ls)] as const)
  const baseCell = at(1, 1)
  const raisedCell = at(raisedRho, 1)
  const ci = baseCell === undefined || raisedCell === undefined
    ? null
    : orNull(() =>
      pairedMedianStatistic(
        [baseCell.seeds.map((s) => s.tGrok), raisedCell.seeds.map((s) => s.tGrok)],
        ([a, b]) => b / a,
        { seed: 20260618, resamples: 4000, censoring: "grokkedOnly" }
      )
    )
  return {
    normUp: base === null || raised === null ? null : raised / base,
    normUpInterval: ci === null || !Number.isFinite(ci.estimate) ? null : estimateOf(ci),
    logitScaleRatio: range === null ? null : range[1] / range[0],
    logitScaleRange: range
  }
}

const ceCells = (grid: TemperatureGridOutput, p: number) => grid.cells.map((c) => c.cell).filter((c) => c.p === p)

const Output = Schema.Struct({
  p: Schema.Int,
  wcMse: Schema.Finite,
  raisedRho: Schema.Finite,
  mse: Schema.Struct({ cells: Schema.Array(CellSummary), contrast: Contrast }),
  ce: Schema.Struct({ cells: Schema.Array(CellSummary), contrast: Contrast })
})
type MseContrast = typeof Output.Type

// The figures this stage feeds (drawn by `grokflow report` from the stored output).
/** (k) L and T_grok against τ under MSE and under CE. */
const mseVsCeFigure = (out: MseContrast) => {
  const cells = [
    ...out.ce.cells.map((c) => ({ c, loss: "CE" as const })),
    ...out.mse.cells.map((c) => ({ c, loss: "MSE" as const }))
  ].flatMap(({ c, loss }) => {
    const t = temperatureCell(c)
    return t === null ? [] : [{ ...t, loss }]
  })
  const { ce, mse } = { ce: out.ce.contrast, mse: out.mse.contrast }
  return {
    p: out.p,
    caption: `Across τ, L moves ${fmt(mse.logitScaleRatio ?? Number.NaN)}× under MSE vs ${fmt(ce.logitScaleRatio ?? Number.NaN)}× under CE; norm-up delay ${
      fmt(mse.normUp ?? Number.NaN)
    }× (MSE) vs ${fmt(ce.normUp ?? Number.NaN)}× (CE)`,
    cells,
    normUpEffect: {
      ...(ce.normUp === null ? {} : { CE: ce.normUp }),
      ...(mse.normUp === null ? {} : { MSE: mse.normUp })
    }
  }
}

export default defineStage({
  name: "mse-contrast",
  version: 2,
  description: "The τ sweep under MSE: L barely moves, and neither does the delay",
  config: Config,
  // CE's side of the contrast is optional: a profile measuring only MSE (faithful-b3)
  // trains no CE grid, and its CE contrast is then empty.
  needs: { wc: measureWc, ce: optionalNeed(temperatureGrid) },
  requires: { wc: { config: { loss: "mse" }, because: "the contrast clamps at MSE's own Wc" } },
  output: Output,
  figures: [feed(mseVsCe, mseVsCeFigure)],
  cells: [mlpTrain],
  estimate: (config) =>
    estimateOfUnits(
      [{ rho: 1, tau: 1 }, ...config.taus.map((tau) => ({ rho: config.raisedRho, tau }))].map(({ rho, tau }) =>
        heldUnit(config, { p: config.p, lr: config.lr, rho, tau, tInt: config.tInt, loss: "mse" })
      )
    ),
  run: (config, inputs, ctx) =>
    Effect.gen(function*() {
      if (inputs.wc.loss !== "mse") {
        return yield* new StageFailure({
          stage: ctx.node,
          message: `needs.wc must be a measure-wc node run with loss: mse (got loss: ${inputs.wc.loss})`
        })
      }
      const wcMse = yield* wcFor(ctx.node, inputs.wc, config.p)
      const arms = [{ rho: 1, tau: 1 }, ...config.taus.map((tau) => ({ rho: config.raisedRho, tau }))]
      const cells = yield* Effect.forEach(
        arms,
        ({ rho, tau }) =>
          Effect.map(
            heldCell(ctx, config, { p: config.p, lr: config.lr, rho, tau, wc: wcMse, tInt: config.tInt, loss: "mse" }),
            (c) => c.summary
          ),
        { concurrency: "unbounded" }
      )
      const ce = inputs.ce === undefined ? [] : ceCells(inputs.ce, config.p)
      const ceRaised = ce.length === 0 ? config.raisedRho : Math.max(...ce.map((c) => c.rho ?? 0))
      return {
        p: config.p,
        wcMse,
        raisedRho: config.raisedRho,
        mse: { cells, contrast: contrastOf(cells, config.raisedRho) },
        ce: { cells: ce, contrast: contrastOf(ce, ceRaised) }
      }
    })
})
