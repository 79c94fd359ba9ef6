/**
 * Paper B (docs/protocol.md §6, B6): forking arms. Free training to the first evaluation at or after
 * `forkAtLeast` at which every seed has memorized; the full parameter + optimizer
 * state is saved there, and four arms continue from that identical state: free,
 * clamp at the current norm N0 ("same"), at ρ·N0 ("raised"), at N0/ρ ("lowered").
 * Delays count from the fork, so the comparison is within-seed and exact.
 */
import { Effect, Schema } from "effect"
import { delaysFromFork, orderingCount, raisedSameRatio } from "../src/analysis/index.ts"
import { defineStage } from "../src/engine/Stage.ts"
import { forkKind, mlpFork } from "../src/cells/cellKinds.ts"
import { StageFailure } from "../src/engine/StageFailure.ts"
import { cellLabel, cellSpec } from "../src/cells/cellSpecs.ts"
import { PositiveInt, PositiveNumber, trainingFields, withDefault } from "../src/cells/configFields.ts"
import { estimateOfUnits } from "../src/planning/estimate.ts"
import { orNull } from "../src/fits/guarded.ts"
import { BootstrapEstimate, estimateOf } from "../src/outputs/bootstrapEstimate.ts"
import { forkCached } from "../src/cells/trainCached.ts"
import type { ForkSpec } from "../src/train/CellSpec.ts"
import { feed } from "../src/figures/Figure.ts"
import forkingArms from "../src/figures/kinds/forkingArms.ts"
import { ciOf, ciText, fmt } from "./_figures/common.ts"

const Config = Schema.Struct({
  ...trainingFields,
  p: withDefault(PositiveInt, 59),
  lr: withDefault(PositiveNumber, 1e-3),
  rho: withDefault(PositiveNumber, 1.15),
  forkAtLeast: withDefault(PositiveInt, 800),
  bootstrapResamples: withDefault(PositiveInt, 4000),
  bootstrapSeed: withDefault(Schema.Int, 20260618)
})

const ArmNames = ["free", "same", "raised", "lowered"] as const

/** The one fork this stage trains (and `--dry-run` plans). */
const forkOf = (config: typeof Config.Type): { readonly spec: ForkSpec; readonly label: string } => ({
  spec: {
    base: cellSpec(config, { p: config.p, lr: config.lr, intervention: { kind: "none" } }),
    forkAtLeast: config.forkAtLeast,
    arms: [
      { name: "free", kind: "free" },
      { name: "same", kind: "clamp", factor: 1 },
      { name: "raised", kind: "clamp", factor: config.rho },
      { name: "lowered", kind: "clamp", factor: 1 / config.rho }
    ]
  },
  label: cellLabel({ fork: "arms", p: config.p, lr: config.lr, rho: config.rho })
})

const Output = Schema.Struct({
  p: Schema.Int,
  rho: Schema.Finite,
  forkStep: Schema.Int,
  normAtFork: Schema.Array(Schema.Finite),
  /** Per arm, per seed: T_grok − fork step (null: censored at the budget). */
  delays: Schema.Record(Schema.String, Schema.Array(Schema.NullOr(Schema.Int))),
  /** null when no seed grokked in both the same and the raised arm within the budget. */
  raisedOverSame: Schema.NullOr(BootstrapEstimate),
  seedsUsed: Schema.Int,
  monotone: Schema.Int,
  total: Schema.Int,
  monotoneFraction: Schema.Finite,
  backend: Schema.String
})
type ForkingArms = typeof Output.Type

// The figures this stage feeds (drawn by `grokflow report` from the stored output).
/** (n) Each seed's delay after the fork, per arm. */
const forkingArmsFigure = (fork: ForkingArms) => {
  if (fork.raisedOverSame === null) return null
  const ci = ciOf(fork.raisedOverSame)
  const arms = ["lowered", "same", "raised", "free"] as const
  return {
    p: fork.p,
    rho: fork.rho,
    caption: `From one saved state at step ${fork.forkStep}: raised/same delay ratio ${fmt(fork.raisedOverSame.estimate)}${
      ciText(fork.raisedOverSame)
    }; ${fork.monotone}/${fork.total} seeds order lowered < same < raised`,
    delays: arms.flatMap((arm) => (fork.delays[arm] ?? []).map((delay, seed) => ({ seed, arm, delay }))),
    ratio: { value: fork.raisedOverSame.estimate, ...(ci === undefined ? {} : { ci }) },
    orderedSeeds: { ordered: fork.monotone, total: fork.total }
  }
}

export default defineStage({
  name: "forking-arms",
  version: 1,
  description: "Four arms from one saved state: free, same, raised and lowered norm",
  config: Config,
  needs: {},
  output: Output,
  figures: [feed(forkingArms, forkingArmsFigure)],
  cells: [mlpFork],
  estimate: (config) => {
    const fork = forkOf(config)
    return estimateOfUnits([{ label: fork.label, kind: forkKind.name, payload: fork.spec, rho: null, hold: "free" }])
  },
  run: (config, _inputs, ctx) =>
    Effect.gen(function*() {
      const fork = forkOf(config)
      const result = yield* forkCached(ctx, fork.spec, fork.label)
      const forkStep = result.forkStep
      if (forkStep === null) {
        return yield* new StageFailure({
          stage: ctx.node,
          message: `not every seed memorized within ${config.budget} steps, so there is no fork; raise the budget`
        })
      }
      const delays = Object.fromEntries(
        ArmNames.map((arm) => [arm, delaysFromFork(result.arms[arm]?.seeds.map((s) => s.tGrok) ?? [], forkStep)])
      )
      const ratio = orNull(() =>
        raisedSameRatio(delays.same, delays.raised, { seed: config.bootstrapSeed, resamples: config.bootstrapResamples })
      )
      const order = orderingCount({ lowered: delays.lowered, same: delays.same, raised: delays.raised })
      return {
        p: config.p,
        rho: config.rho,
        forkStep,
        normAtFork: result.normAtFork,
        delays,
        raisedOverSame: ratio === null ? null : estimateOf(ratio.interval),
        seedsUsed: ratio?.seedsUsed ?? 0,
        monotone: order.monotone,
        total: order.total,
        monotoneFraction: order.total === 0 ? 0 : order.monotone / order.total,
        backend: result.backend
      }
    })
})
