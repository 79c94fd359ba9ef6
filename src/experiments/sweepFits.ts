/**
 * The delay-law fits of one held-norm sweep (paper A §6.2–6.4): per-(p, lr) fits
 * with seed-bootstrap CIs, the shared-slope fit across moduli, the norm vs lr
 * levers, the norm-at-grok check, and the saturation of the highest ρ.
 */
import { Schema } from "effect"
import {
  bootstrapDelayLaw,
  bootstrapSharedSlope,
  censoredMedian,
  compareLevers,
  fitDelayLaw,
  fitSharedSlope,
  heldNormDeviation,
  saturationRatio,
  withinCellBootstrap
} from "../analysis/index.ts"
import type { DelayCell } from "../analysis/index.ts"
import type { CellSummary } from "./cellSummary.ts"
import { Interval, intervalOf } from "./interval.ts"
import { orNull } from "./guarded.ts"
import type { SweepOutput } from "./sweepOutput.ts"

export const FitCell = Schema.Struct({
  rho: Schema.Finite,
  median: Schema.NullOr(Schema.Finite),
  /** 95% bootstrap interval of the cell's median (seed resampling). */
  lower: Schema.NullOr(Schema.Finite),
  upper: Schema.NullOr(Schema.Finite),
  grokked: Schema.Int,
  total: Schema.Int,
  excludedReason: Schema.NullOr(Schema.String)
})

export const GroupFit = Schema.Struct({
  p: Schema.Int,
  lr: Schema.Finite,
  alpha: Schema.NullOr(Interval),
  intercept: Schema.NullOr(Schema.Finite),
  r2: Schema.NullOr(Schema.Finite),
  n: Schema.Int,
  cells: Schema.Array(FitCell)
})
export type GroupFit = typeof GroupFit.Type

export const SweepFits = Schema.Struct({
  groups: Schema.Array(GroupFit),
  /** The first (p, lr) group: the headline fit of a single-modulus, single-lr sweep. */
  primary: Schema.NullOr(GroupFit),
  /** One α across moduli with one intercept per modulus, at the first lr. */
  shared: Schema.NullOr(
    Schema.Struct({
      alpha: Interval,
      r2: Schema.Finite,
      n: Schema.Int,
      intercepts: Schema.Record(Schema.String, Schema.Finite),
      excludedGroups: Schema.Array(Schema.Struct({ group: Schema.String, reason: Schema.String }))
    })
  ),
  /** Norm lever (max/min over ρ at the first lr) vs the per-ρ lr levers. */
  levers: Schema.NullOr(
    Schema.Struct({ normLever: Schema.Finite, lrLeverMin: Schema.Finite, lrLeverMax: Schema.Finite })
  ),
  /** Largest |median ‖W‖ at grok − held norm| / held norm over the cells. */
  normAtGrokMaxDeviation: Schema.NullOr(Schema.Finite),
  /** Observed median at the highest ρ over the extrapolation of the fit on the lower ρ's. */
  saturation: Schema.NullOr(Schema.Struct({ rhoMax: Schema.Finite, ratio: Schema.Finite }))
})
export type SweepFits = typeof SweepFits.Type

export interface FitOptions {
  readonly resamples: number
  readonly seed: number
}

const groupKey = (c: CellSummary) => `p=${c.p} lr=${c.lr}`

const delayCell = (c: CellSummary, group: string): DelayCell => ({
  rho: c.rho ?? 1,
  tGrok: c.seeds.map((s) => s.tGrok),
  group
})

const fitCell = (c: CellSummary, options: FitOptions) => {
  const times = c.seeds.map((s) => s.tGrok)
  const ci = orNull(() => withinCellBootstrap([times], (t) => censoredMedian(t[0]), options))
  return {
    rho: c.rho ?? 1,
    median: c.medianTGrok,
    lower: ci === null || !Number.isFinite(ci.lower) ? null : ci.lower,
    upper: ci === null || !Number.isFinite(ci.upper) ? null : ci.upper,
    grokked: c.grokked,
    total: c.total,
    excludedReason: c.medianTGrok === null ? `${c.total - c.grokked}/${c.total} seeds censored` : null
  }
}

const groupFit = (cells: ReadonlyArray<CellSummary>, options: FitOptions): GroupFit => {
  const sorted = [...cells].sort((a, b) => (a.rho ?? 0) - (b.rho ?? 0))
  const delayCells = sorted.map((c) => delayCell(c, ""))
  const fit = orNull(() => fitDelayLaw(delayCells))
  const alpha = fit === null ? null : orNull(() => bootstrapDelayLaw(delayCells, options))
  return {
    p: sorted[0].p,
    lr: sorted[0].lr,
    alpha: alpha === null ? null : intervalOf(alpha),
    intercept: fit?.intercept ?? null,
    r2: fit?.r2 ?? null,
    n: fit?.n ?? 0,
    cells: sorted.map((c) => fitCell(c, options))
  }
}

export const fitSweep = (sweep: SweepOutput, options: FitOptions): SweepFits => {
  const keys = [...new Set(sweep.cells.map(groupKey))]
  const groups = keys.map((k) => groupFit(sweep.cells.filter((c) => groupKey(c) === k), options))
  const lr0 = sweep.cells[0]?.lr
  const atLr0 = sweep.cells.filter((c) => c.lr === lr0)
  const moduli = new Set(atLr0.map((c) => c.p))
  const sharedCells = atLr0.map((c) => delayCell(c, `p=${c.p}`))
  const sharedFit = moduli.size < 2 ? null : orNull(() => fitSharedSlope(sharedCells))
  const sharedAlpha = sharedFit === null ? null : orNull(() => bootstrapSharedSlope(sharedCells, options))
  const p0 = sweep.cells[0]?.p
  const leverCells = sweep.cells.flatMap((c) =>
    c.p === p0 && c.medianTGrok !== null ? [{ rho: c.rho ?? 1, lr: c.lr, median: c.medianTGrok }] : []
  )
  const levers = new Set(leverCells.map((c) => c.lr)).size < 2 ? null : orNull(() => compareLevers(leverCells, lr0))
  const deviations = sweep.cells.flatMap((c) =>
    c.medianNormAtGrok === null || c.targetNorm === null ? [] : [heldNormDeviation(c.medianNormAtGrok, c.targetNorm)]
  )
  const primaryCells = groups[0]?.cells ?? []
  const saturation = primaryCells.length < 4
    ? null
    : orNull(() => saturationRatio(sweep.cells.filter((c) => groupKey(c) === keys[0]).map((c) => delayCell(c, ""))))
  return {
    groups,
    primary: groups[0] ?? null,
    shared: sharedFit === null || sharedAlpha === null
      ? null
      : {
        alpha: intervalOf(sharedAlpha),
        r2: sharedFit.r2,
        n: sharedFit.n,
        intercepts: { ...sharedFit.intercepts },
        excludedGroups: [...sharedFit.excludedGroups]
      },
    levers: levers === null
      ? null
      : { normLever: levers.normLever.ratio, lrLeverMin: levers.lrLeverMin, lrLeverMax: levers.lrLeverMax },
    normAtGrokMaxDeviation: deviations.length === 0 ? null : Math.max(...deviations),
    saturation: saturation === null ? null : { rhoMax: saturation.rhoMax, ratio: saturation.ratio }
  }
}
