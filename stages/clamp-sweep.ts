/**
 * Paper A (docs/protocol.md §6.2–6.4): sustained norm clamps at ‖W‖ = ρ·Wc over moduli × ρ × lr.
 * The lr matrix, the dense sweep and the multi-modulus scan are all profiles of
 * this one stage; Wc comes from measure-wc's output, never from the config.
 */
import { Effect, Schema } from "effect"
import { defineStage } from "../src/engine/Stage.ts"
import { mlpTrain } from "../src/cells/cellKinds.ts"
import { estimateOfUnits } from "../src/planning/estimate.ts"
import { IntList, PositiveInt, PositiveList, trainingFields, withDefault } from "../src/cells/configFields.ts"
import { budgetFields, budgetFor } from "../src/cells/budgets.ts"
import { heldCell, heldUnit } from "../src/cells/heldCell.ts"
import { SweepOutput } from "../src/outputs/sweepOutput.ts"
import { wcFor } from "../src/outputs/wcOutput.ts"
import measureWc from "./measure-wc.ts"

const Config = Schema.Struct({
  ...trainingFields,
  moduli: withDefault(IntList, [59]),
  rhos: withDefault(PositiveList, [0.85, 1, 1.15]),
  lrs: withDefault(PositiveList, [1e-3]),
  /** The clamp starts after this step (paper A's MLP under CE: 500). */
  tInt: withDefault(PositiveInt, 500),
  ...budgetFields
})

export default defineStage({
  name: "clamp-sweep",
  version: 1,
  description: "Sustained norm clamps at ρ·Wc over moduli × ρ × lr",
  config: Config,
  needs: { wc: measureWc },
  output: SweepOutput,
  cells: [mlpTrain],
  estimate: (config) =>
    estimateOfUnits(
      config.moduli.flatMap((p) =>
        config.rhos.flatMap((rho) => config.lrs.map((lr) => heldUnit(config, { p, rho, lr, tInt: config.tInt, budget: budgetFor(config, p, rho) })))
      )
    ),
  run: (config, inputs, ctx) =>
    Effect.gen(function*() {
      const wc = yield* Effect.forEach(config.moduli, (p) => Effect.map(wcFor(ctx.node, inputs.wc, p), (w) => ({ p, wc: w })))
      const grid = wc.flatMap(({ p, wc }) =>
        config.rhos.flatMap((rho) =>
          config.lrs.map((lr) => ({ p, wc, rho, lr, tInt: config.tInt, budget: budgetFor(config, p, rho) }))
        )
      )
      const cells = yield* Effect.forEach(grid, (cell) => Effect.map(heldCell(ctx, config, cell), (c) => c.summary), { concurrency: "unbounded" })
      return { hold: "sustained" as const, tInt: config.tInt, wc, cells }
    })
})
