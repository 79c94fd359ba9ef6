/**
 * What stages keep of a trained cell: per-seed outcomes (censoring explicit) and
 * the cell statistics of docs/protocol.md §4. Full trajectories stay in the cell's own
 * store entry; stages keep only what their fits and figures read.
 */
import { Schema } from "effect"
import { censoredMedian, mean, median } from "../analysis/index.ts"
import type { CellResult, SeedResult, Trajectory } from "../train/CellSpec.ts"

export const SeedOutcome = Schema.Struct({
  seed: Schema.Int,
  /** null: right-censored at the budget. */
  tGrok: Schema.NullOr(Schema.Int),
  tMem: Schema.NullOr(Schema.Int),
  normAtGrok: Schema.NullOr(Schema.Finite)
})
export type SeedOutcome = typeof SeedOutcome.Type

export const CellSummary = Schema.Struct({
  label: Schema.String,
  p: Schema.Int,
  lr: Schema.Finite,
  rho: Schema.NullOr(Schema.Finite),
  tau: Schema.Finite,
  /** The held norm ρ·Wc (null under free training). */
  targetNorm: Schema.NullOr(Schema.Finite),
  budget: Schema.Int,
  seeds: Schema.Array(SeedOutcome),
  grokked: Schema.Int,
  total: Schema.Int,
  /** Median T_grok with censored seeds counted as > budget; null when half or more are censored. */
  medianTGrok: Schema.NullOr(Schema.Finite),
  medianTMem: Schema.NullOr(Schema.Finite),
  medianNormAtGrok: Schema.NullOr(Schema.Finite),
  /** Effective logit scale L (mean over seeds) at the logged step nearest the median T_grok. */
  logitScale: Schema.NullOr(Schema.Finite),
  /** Per-seed L at that step (what paired bootstraps resample). */
  logitScaleBySeed: Schema.Array(Schema.NullOr(Schema.Finite)),
  /** Softmax-collapse rate (mean over seeds) at that same step, and its maximum over the run. */
  scRateAtGrok: Schema.NullOr(Schema.Finite),
  /** grokflow's worst case: the largest SC rate of any seed at any logged step. */
  scRateMax: Schema.Finite,
  /** Paper B's SC rate: the mean over seeds of each seed's largest SC rate over the run. */
  scRateSeedMaxMean: Schema.Finite,
  /** Each seed's largest SC rate (what an interval of the paper's statistic resamples). */
  scRateMaxBySeed: Schema.Array(Schema.Finite),
  backend: Schema.String
})
export type CellSummary = typeof CellSummary.Type

export interface CellCoordinates {
  readonly label: string
  readonly p: number
  readonly lr: number
  readonly rho: number | null
  readonly tau: number
  readonly targetNorm: number | null
  readonly budget: number
}

/** Index of the logged step nearest `step` (ties to the earlier step). */
export const nearestIndex = (steps: ReadonlyArray<number>, step: number): number => {
  let best = 0
  for (let i = 1; i < steps.length; i++) {
    if (Math.abs(steps[i] - step) < Math.abs(steps[best] - step)) best = i
  }
  return best
}

const valueNear = (trajectory: Trajectory, series: ReadonlyArray<number>, step: number): number | null =>
  trajectory.steps.length === 0 ? null : series[nearestIndex(trajectory.steps, step)]

const meanOrNull = (xs: ReadonlyArray<number | null>): number | null => {
  const finite = xs.filter((x): x is number => x !== null && Number.isFinite(x))
  return finite.length === 0 ? null : mean(finite)
}

/** Mean of per-seed maxima (0 for a cell without seeds, which has no collapse to report). */
export const seedMaxMean = (perSeedMax: ReadonlyArray<number>): number =>
  perSeedMax.length === 0 ? 0 : mean(perSeedMax)

export const outcomeOf = (seed: SeedResult): SeedOutcome => ({
  seed: seed.seed,
  tGrok: seed.tGrok,
  tMem: seed.tMem,
  normAtGrok: seed.normAtGrok
})

export const summarizeCell = (at: CellCoordinates, result: CellResult): CellSummary => {
  const seeds = result.seeds.map(outcomeOf)
  const medianTGrok = censoredMedian(seeds.map((s) => s.tGrok))
  const readAt = medianTGrok ?? at.budget
  const logitScaleBySeed = result.seeds.map((s) => valueNear(s.trajectory, s.trajectory.logitScale, readAt))
  const scRateMaxBySeed = result.seeds.map((s) => Math.max(0, ...s.trajectory.scRate))
  const grokNorms = seeds.flatMap((s) => (s.normAtGrok === null ? [] : [s.normAtGrok]))
  return {
    ...at,
    seeds,
    grokked: seeds.filter((s) => s.tGrok !== null).length,
    total: seeds.length,
    medianTGrok,
    medianTMem: censoredMedian(seeds.map((s) => s.tMem)),
    medianNormAtGrok: grokNorms.length === 0 ? null : median(grokNorms),
    logitScale: meanOrNull(logitScaleBySeed),
    logitScaleBySeed,
    scRateAtGrok: meanOrNull(result.seeds.map((s) => valueNear(s.trajectory, s.trajectory.scRate, readAt))),
    scRateMax: Math.max(0, ...result.seeds.flatMap((s) => s.trajectory.scRate)),
    scRateSeedMaxMean: seedMaxMean(scRateMaxBySeed),
    scRateMaxBySeed,
    backend: result.backend
  }
}

/** Mean over seeds of a trajectory series at each logged step (seeds that stopped early drop out). */
export const meanTrajectory = (
  result: CellResult,
  pick: (t: Trajectory) => ReadonlyArray<number>
): { readonly steps: ReadonlyArray<number>; readonly values: ReadonlyArray<number> } => {
  const byStep = new Map<number, Array<number>>()
  for (const seed of result.seeds) {
    const series = pick(seed.trajectory)
    seed.trajectory.steps.forEach((step, i) => {
      const bucket = byStep.get(step) ?? []
      bucket.push(series[i])
      byStep.set(step, bucket)
    })
  }
  const steps = [...byStep.keys()].sort((a, b) => a - b)
  return { steps, values: steps.map((s) => mean(byStep.get(s) ?? [])) }
}
