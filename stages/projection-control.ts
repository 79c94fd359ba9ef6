/**
 * Paper A (docs/protocol.md §6.5): is it the norm *held* that sets the delay, or only
 * where the norm is put once? A one-shot rescale to ρ·Wc at tInt against the
 * sustained hold (the sustained cells are shared with clamp-sweep's cache). The
 * paper's one-shot grid spans ρ ∈ [0.70, 1.30] and its sustained one [0.90, 1.15]:
 * `oneShotRhos` and `rhos` set them apart (both default to `rhos`).
 */
import { Effect, Schema } from "effect"
import { defineStage } from "../src/engine/Stage.ts"
import { mlpTrain } from "../src/cells/cellKinds.ts"
import { estimateOfUnits } from "../src/planning/estimate.ts"
import { PositiveInt, PositiveList, PositiveNumber, trainingFields, withDefault } from "../src/cells/configFields.ts"
import { heldCell, heldUnit } from "../src/cells/heldCell.ts"
import { SweepOutput } from "../src/outputs/sweepOutput.ts"
import { wcFor } from "../src/outputs/wcOutput.ts"
import measureWc from "./measure-wc.ts"

const Config = Schema.Struct({
  ...trainingFields,
  p: withDefault(PositiveInt, 59),
  lr: withDefault(PositiveNumber, 1e-3),
  rhos: withDefault(PositiveList, [0.85, 1, 1.15]),
  /** The one-shot grid; empty: the sustained grid `rhos`. */
  oneShotRhos: withDefault(Schema.Array(PositiveNumber), []),
  tInt: withDefault(PositiveInt, 500)
})

const oneShotGrid = (config: { readonly rhos: ReadonlyArray<number>; readonly oneShotRhos: ReadonlyArray<number> }) =>
  config.oneShotRhos.length === 0 ? config.rhos : config.oneShotRhos

export const ProjectionOutput = Schema.Struct({ oneShot: SweepOutput, sustained: SweepOutput })

export default defineStage({
  name: "projection-control",
  version: 1,
  description: "One-shot rescale at tInt vs the sustained hold, over the same ρ",
  config: Config,
  needs: { wc: measureWc },
  output: ProjectionOutput,
  cells: [mlpTrain],
  estimate: (config) =>
    estimateOfUnits(
      (["one-shot", "sustained"] as const).flatMap((hold) =>
        (hold === "one-shot" ? oneShotGrid(config) : config.rhos).map((rho) => heldUnit(config, { p: config.p, lr: config.lr, rho, tInt: config.tInt, hold }))
      )
    ),
  run: (config, inputs, ctx) =>
    Effect.gen(function*() {
      const wc = yield* wcFor(ctx.node, inputs.wc, config.p)
      const sweep = (hold: "sustained" | "one-shot") =>
        Effect.map(
          Effect.forEach(
            hold === "one-shot" ? oneShotGrid(config) : config.rhos,
            (rho) =>
              Effect.map(
                heldCell(ctx, config, { p: config.p, lr: config.lr, rho, wc, tInt: config.tInt, hold }),
                (c) => c.summary
              ),
            { concurrency: "unbounded" }
          ),
          (cells) => ({ hold, tInt: config.tInt, wc: [{ p: config.p, wc }], cells })
        )
      const [oneShot, sustained] = yield* Effect.all([sweep("one-shot"), sweep("sustained")], { concurrency: 2 })
      return { oneShot, sustained }
    })
})
