/**
 * Paper A §6.5: is it the norm *held* that sets the delay, or only where the norm
 * is put once? A one-shot rescale to ρ·Wc at tInt against the sustained hold over
 * the same ρ grid (the sustained cells are shared with clamp-sweep's cache).
 */
import { Effect, Schema } from "effect"
import { defineStage } from "../src/engine/Stage.ts"
import { trainCell } from "../src/experiments/cellKinds.ts"
import { estimateOf } from "../src/experiments/estimate.ts"
import { PositiveInt, PositiveList, PositiveNumber, trainingFields, withDefault } from "../src/experiments/configFields.ts"
import { heldCell } from "../src/experiments/heldCell.ts"
import { SweepOutput } from "../src/experiments/sweepOutput.ts"
import { wcFor } from "../src/experiments/wcOutput.ts"
import measureWc from "./measure-wc.ts"

const Config = Schema.Struct({
  ...trainingFields,
  p: withDefault(PositiveInt, 59),
  lr: withDefault(PositiveNumber, 1e-3),
  rhos: withDefault(PositiveList, [0.85, 1, 1.15]),
  tInt: withDefault(PositiveInt, 500)
})

export const ProjectionOutput = Schema.Struct({ oneShot: SweepOutput, sustained: SweepOutput })

export default defineStage({
  name: "projection-control",
  version: 1,
  description: "One-shot rescale at tInt vs the sustained hold, over the same ρ",
  config: Config,
  needs: { wc: measureWc },
  output: ProjectionOutput,
  cells: [trainCell],
  estimate: (config) => estimateOf(2 * config.rhos.length, config.seeds, config.budget),
  run: (config, inputs, ctx) =>
    Effect.gen(function*() {
      const wc = yield* wcFor(ctx.node, inputs.wc, config.p)
      const sweep = (hold: "sustained" | "one-shot") =>
        Effect.map(
          Effect.forEach(
            config.rhos,
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
