/**
 * Paper B's statistics over the temperature grid, per modulus: how much of the
 * norm-up delay is recovered by matching the effective logit scale L with τ
 * (paired seed bootstrap), whether ln T collapses on L rather than on ρ, and how
 * much of the τ effect lands on memorization.
 */
import { Effect, Schema } from "effect"
import { bootstrapRecovery, collapseRegressions, memorizationShare } from "../src/analysis/index.ts"
import { defineStage } from "../src/engine/Stage.ts"
import type { CellSummary } from "../src/experiments/cellSummary.ts"
import { PositiveInt, PositiveNumber, withDefault } from "../src/experiments/configFields.ts"
import { orNull } from "../src/experiments/guarded.ts"
import { Interval, intervalOf } from "../src/experiments/interval.ts"
import temperatureGrid from "./temperature-grid.ts"

const Config = Schema.Struct({
  baselineRho: withDefault(PositiveNumber, 1),
  /** The norm-up ρ whose τ sweep recovers the delay; default: the grid's largest ρ. */
  raisedRho: Schema.optional(PositiveNumber),
  bootstrapResamples: withDefault(PositiveInt, 4000),
  bootstrapSeed: withDefault(Schema.Int, 20260618)
})

const PerModulus = Schema.Struct({
  p: Schema.Int,
  t0: Schema.NullOr(Schema.Finite),
  t1: Schema.NullOr(Schema.Finite),
  l0: Schema.NullOr(Schema.Finite),
  /** T1 / T0: the norm-up delay factor under CE at τ = 1. */
  normUp: Schema.NullOr(Schema.Finite),
  recovery: Schema.NullOr(
    Schema.Struct({ value: Interval, t2: Schema.Finite, extrapolated: Schema.Boolean })
  ),
  /** The τ sweep at the raised ρ, ordered by τ: (τ, L, median T_grok, median T_mem). */
  sweep: Schema.Array(
    Schema.Struct({
      tau: Schema.Finite,
      logitScale: Schema.NullOr(Schema.Finite),
      tGrok: Schema.NullOr(Schema.Finite),
      tMem: Schema.NullOr(Schema.Finite)
    })
  ),
  collapse: Schema.NullOr(
    Schema.Struct({ r2L: Schema.Finite, r2Rho: Schema.Finite, r2LRho: Schema.Finite, deltaR2: Schema.Finite, n: Schema.Int })
  ),
  memorization: Schema.NullOr(
    Schema.Struct({ tMemFold: Schema.Finite, tGrokFold: Schema.Finite, gapShare: Schema.Finite, memShare: Schema.Finite })
  )
})

const perSeedL = (c: CellSummary): ReadonlyArray<number> =>
  c.logitScaleBySeed.map((l) => l ?? c.logitScale ?? Number.NaN)

export default defineStage({
  name: "mediation-fits",
  version: 1,
  description: "Logit-scale mediation: recovery fraction, collapse regressions, memorization share",
  config: Config,
  needs: { grid: temperatureGrid },
  output: Schema.Struct({ moduli: Schema.Array(PerModulus) }),
  run: (config, inputs) =>
    Effect.sync(() => {
      const cells = inputs.grid.cells.map((c) => c.cell)
      const moduli = [...new Set(cells.map((c) => c.p))]
      return {
        moduli: moduli.map((p) => {
          const mine = cells.filter((c) => c.p === p)
          const raisedRho = config.raisedRho ?? Math.max(...mine.map((c) => c.rho ?? 0))
          const at = (rho: number, tau: number) => mine.find((c) => c.rho === rho && c.tau === tau)
          const baseline = at(config.baselineRho, 1)
          const raised = at(raisedRho, 1)
          const sweepCells = mine.filter((c) => c.rho === raisedRho).sort((a, b) => a.tau - b.tau)
          const t0 = baseline?.medianTGrok ?? null
          const t1 = raised?.medianTGrok ?? null
          const recovery = baseline === undefined || raised === undefined
            ? null
            : orNull(() =>
              bootstrapRecovery(
                {
                  baseline: { tGrok: baseline.seeds.map((s) => s.tGrok), logitScale: perSeedL(baseline) },
                  raised: { tGrok: raised.seeds.map((s) => s.tGrok), logitScale: perSeedL(raised) },
                  sweep: sweepCells.map((c) => ({ tGrok: c.seeds.map((s) => s.tGrok), logitScale: perSeedL(c) }))
                },
                { seed: config.bootstrapSeed, resamples: config.bootstrapResamples }
              )
            )
          const complete = mine.flatMap((c) =>
            c.medianTGrok === null || c.logitScale === null ? [] : [{ logitScale: c.logitScale, rho: c.rho ?? 1, tGrok: c.medianTGrok }]
          )
          const collapse = complete.length < 4 ? null : orNull(() => collapseRegressions(complete))
          const memCells = sweepCells.flatMap((c) =>
            c.medianTGrok === null || c.medianTMem === null ? [] : [{ tau: c.tau, tMem: c.medianTMem, tGrok: c.medianTGrok }]
          )
          const memorization = memCells.length < 2 ? null : orNull(() => memorizationShare(memCells))
          return {
            p,
            t0,
            t1,
            l0: baseline?.logitScale ?? null,
            normUp: t0 === null || t1 === null ? null : t1 / t0,
            recovery: recovery === null || !Number.isFinite(recovery.estimate.recovery)
              ? null
              : { value: intervalOf(recovery.interval), t2: recovery.estimate.t2, extrapolated: recovery.estimate.extrapolated },
            sweep: sweepCells.map((c) => ({ tau: c.tau, logitScale: c.logitScale, tGrok: c.medianTGrok, tMem: c.medianTMem })),
            collapse: collapse === null
              ? null
              : { r2L: collapse.r2L, r2Rho: collapse.r2Rho, r2LRho: collapse.r2LRho, deltaR2: collapse.deltaR2, n: collapse.n },
            memorization: memorization === null
              ? null
              : {
                tMemFold: memorization.tMemFold,
                tGrokFold: memorization.tGrokFold,
                gapShare: memorization.gapShare,
                memShare: memorization.memShare
              }
          }
        })
      }
    })
})
