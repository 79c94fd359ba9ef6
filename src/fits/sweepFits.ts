/**
 * The delay-law fits of one held-norm sweep (paper A, docs/protocol.md §6.2–6.4):
 * per-(p, lr) fits with seed-bootstrap CIs, the shared-slope fit across moduli, the
 * norm vs lr levers, the norm-at-grok check, and the saturation of the highest ρ.
 * Every fit states its censoring policy: the papers' medians over grokked seeds, or
 * grokflow's censoring-aware medians (docs/protocol.md §9), so a claim compares like
 * with like.
 */
import { Schema } from "effect"
import {
  bootstrapDelayLaw,
  bootstrapMedianRatio,
  bootstrapSaturation,
  bootstrapSharedSlope,
  censoredMedian,
  compareLevers,
  fitDelayLaw,
  fitSharedSlope,
  heldNormDeviation,
  spanOf,
  withinCellBootstrap
} from "../analysis/index.ts"
import type { CensoringPolicy, DelayCell } from "../analysis/index.ts"
import type { CellSummary } from "../outputs/cellSummary.ts"
import { BootstrapEstimate, estimateOf } from "../outputs/bootstrapEstimate.ts"
import { orNull } from "./guarded.ts"
import type { SweepOutput } from "../outputs/sweepOutput.ts"

export const CensoringLabel = Schema.Literals(["infinity", "grokkedOnly"])

export const FitCell = Schema.Struct({
  rho: Schema.Finite,
  /** Median T_grok under the fit's censoring policy. */
  median: Schema.NullOr(Schema.Finite),
  /** 95% seed-bootstrap interval of the cell's median; an upper bound of null is
   * unbounded (more than 2.5% of resamples censored beyond the budget). */
  lower: Schema.NullOr(Schema.Finite),
  upper: Schema.NullOr(Schema.Finite),
  /** The same median and interval as one value, for claims (`…cells[rho=0.85].tGrok`). */
  tGrok: Schema.NullOr(BootstrapEstimate),
  /** Whether the cell entered the fit (its ρ is in the fit range and its median is identified). */
  inFit: Schema.Boolean,
  grokked: Schema.Int,
  total: Schema.Int,
  excludedReason: Schema.NullOr(Schema.String)
})

export const GroupFit = Schema.Struct({
  p: Schema.Int,
  lr: Schema.Finite,
  alpha: Schema.NullOr(BootstrapEstimate),
  intercept: Schema.NullOr(Schema.Finite),
  r2: Schema.NullOr(Schema.Finite),
  /** R² with its seed-bootstrap interval (same resamples as α's). */
  r2Interval: Schema.NullOr(BootstrapEstimate),
  n: Schema.Int,
  cells: Schema.Array(FitCell)
})
export type GroupFit = typeof GroupFit.Type

export const SweepFits = Schema.Struct({
  /** "grokkedOnly": the papers' medians over grokked seeds (grokked/total beside);
   * "infinity": grokflow's, censored seeds counted as +∞ (docs/protocol.md §9). */
  censoring: CensoringLabel,
  /** The ρ that enter the per-group and shared fits (null: every ρ of the sweep). */
  fitRhos: Schema.NullOr(Schema.Array(Schema.Finite)),
  groups: Schema.Array(GroupFit),
  /** The first (p, lr) group: the headline fit of a single-modulus, single-lr sweep. */
  primary: Schema.NullOr(GroupFit),
  /** One α across moduli with one intercept per modulus, at the first lr. */
  shared: Schema.NullOr(
    Schema.Struct({
      alpha: BootstrapEstimate,
      r2: Schema.Finite,
      r2Interval: Schema.NullOr(BootstrapEstimate),
      n: Schema.Int,
      intercepts: Schema.Record(Schema.String, Schema.Finite),
      excludedGroups: Schema.Array(Schema.Struct({ group: Schema.String, reason: Schema.String }))
    })
  ),
  /** Norm lever (max/min over ρ at the first lr) vs the per-ρ lr levers. */
  levers: Schema.NullOr(
    Schema.Struct({
      normLever: Schema.Finite,
      /** The norm lever (max/min median over ρ at the first lr) with a seed-bootstrap interval. */
      normLeverInterval: Schema.NullOr(BootstrapEstimate),
      lrLeverMin: Schema.Finite,
      lrLeverMax: Schema.Finite,
      /** The largest per-ρ lr lever (max/min median over lr in that ρ row) with a
       * seed-bootstrap interval: paper A's headline lr lever (its ρ = 1 row). */
      lrLeverMaxInterval: Schema.NullOr(BootstrapEstimate)
    })
  ),
  /** Largest |median ‖W‖ at grok − held norm| / held norm over the cells. */
  normAtGrokMaxDeviation: Schema.NullOr(Schema.Finite),
  /** Observed median at the top ρ over the extrapolation of the primary fit: the top
   * cell comes from `saturationCell` when given (paper A: the p-scan's ρ = 1.30 cell
   * against the dense 9-point fit), else it is the sweep's highest ρ against the fit
   * on its lower ρ's. */
  saturation: Schema.NullOr(
    Schema.Struct({ rhoMax: Schema.Finite, ratio: BootstrapEstimate, observed: Schema.Finite, predicted: Schema.Finite, source: Schema.String })
  )
})
export type SweepFits = typeof SweepFits.Type

export interface FitOptions {
  readonly resamples: number
  readonly seed: number
  /** Cell medians: the papers' ("grokkedOnly") or grokflow's ("infinity", the default). */
  readonly censoring?: CensoringPolicy
  /** Only these ρ enter the per-group and shared fits (paper A's per-lr α: 0.85, 1, 1.15). */
  readonly fitRhos?: ReadonlyArray<number> | null
  /** The cell whose median is compared with the primary fit's extrapolation. */
  readonly saturationCell?: { readonly cell: CellSummary; readonly source: string } | null
}

const sameRho = (a: number, b: number): boolean => Math.abs(a - b) < 1e-9
const inRange = (options: FitOptions) => (c: CellSummary): boolean =>
  options.fitRhos === undefined || options.fitRhos === null || options.fitRhos.some((r) => sameRho(r, c.rho ?? 1))

const groupKey = (c: CellSummary) => `p=${c.p} lr=${c.lr}`

const delayCell = (c: CellSummary, group: string): DelayCell => ({
  rho: c.rho ?? 1,
  tGrok: c.seeds.map((s) => s.tGrok),
  group
})

const fitCell = (c: CellSummary, options: FitOptions, inFit: boolean) => {
  const times = c.seeds.map((s) => s.tGrok)
  const policy = options.censoring ?? "infinity"
  const median = censoredMedian(times, policy)
  // A resample whose median is not identified is slower than the budget: +∞, so the
  // upper tail is kept (and reported unbounded) rather than dropped.
  const ci = orNull(() => withinCellBootstrap([times], (t) => censoredMedian(t[0], policy) ?? Number.POSITIVE_INFINITY, options))
  const lower = ci === null || !Number.isFinite(ci.lower) ? null : ci.lower
  const upper = ci === null || !Number.isFinite(ci.upper) ? null : ci.upper
  return {
    rho: c.rho ?? 1,
    median,
    lower,
    upper,
    tGrok: median === null ? null : { estimate: median, lower, upper, undefinedResamples: ci?.failed ?? 0 },
    inFit: inFit && median !== null,
    grokked: c.grokked,
    total: c.total,
    excludedReason: median === null
      ? `${c.total - c.grokked}/${c.total} seeds censored`
      : inFit
      ? null
      : `ρ = ${c.rho} is outside the fit range`
  }
}

const groupFit = (cells: ReadonlyArray<CellSummary>, options: FitOptions): GroupFit => {
  const sorted = [...cells].sort((a, b) => (a.rho ?? 0) - (b.rho ?? 0))
  const delayCells = sorted.filter(inRange(options)).map((c) => delayCell(c, ""))
  const fit = orNull(() => fitDelayLaw(delayCells, { censoring: options.censoring }))
  const alpha = fit === null ? null : orNull(() => bootstrapDelayLaw(delayCells, options))
  const r2 = fit === null ? null : orNull(() => bootstrapDelayLaw(delayCells, { ...options, statistic: "r2" }))
  return {
    p: sorted[0].p,
    lr: sorted[0].lr,
    alpha: alpha === null ? null : estimateOf(alpha),
    intercept: fit?.intercept ?? null,
    r2: fit?.r2 ?? null,
    r2Interval: r2 === null ? null : estimateOf(r2),
    n: fit?.n ?? 0,
    cells: sorted.map((c) => fitCell(c, options, inRange(options)(c)))
  }
}

export const fitSweep = (sweep: SweepOutput, options: FitOptions): SweepFits => {
  const keys = [...new Set(sweep.cells.map(groupKey))]
  const groups = keys.map((k) => groupFit(sweep.cells.filter((c) => groupKey(c) === k), options))
  const lr0 = sweep.cells[0]?.lr
  const atLr0 = sweep.cells.filter((c) => c.lr === lr0)
  const moduli = new Set(atLr0.map((c) => c.p))
  const sharedCells = atLr0.filter(inRange(options)).map((c) => delayCell(c, `p=${c.p}`))
  const sharedFit = moduli.size < 2 ? null : orNull(() => fitSharedSlope(sharedCells, { censoring: options.censoring }))
  const sharedAlpha = sharedFit === null ? null : orNull(() => bootstrapSharedSlope(sharedCells, options))
  const sharedR2 = sharedFit === null ? null : orNull(() => bootstrapSharedSlope(sharedCells, { ...options, statistic: "r2" }))
  const p0 = sweep.cells[0]?.p
  const leverCells = sweep.cells.flatMap((c) => {
    const median = censoredMedian(c.seeds.map((s) => s.tGrok), options.censoring ?? "infinity")
    return c.p === p0 && median !== null ? [{ rho: c.rho ?? 1, lr: c.lr, median }] : []
  })
  const levers = new Set(leverCells.map((c) => c.lr)).size < 2 ? null : orNull(() => compareLevers(leverCells, lr0))
  const deviations = sweep.cells.flatMap((c) =>
    c.medianNormAtGrok === null || c.targetNorm === null ? [] : [heldNormDeviation(c.medianNormAtGrok, c.targetNorm)]
  )
  const saturation = saturationOf(sweep.cells.filter((c) => groupKey(c) === keys[0]), options)
  return {
    censoring: options.censoring ?? "infinity",
    fitRhos: options.fitRhos === undefined || options.fitRhos === null ? null : [...options.fitRhos],
    groups,
    primary: groups[0] ?? null,
    shared: sharedFit === null || sharedAlpha === null
      ? null
      : {
        alpha: estimateOf(sharedAlpha),
        r2: sharedFit.r2,
        r2Interval: sharedR2 === null ? null : estimateOf(sharedR2),
        n: sharedFit.n,
        intercepts: { ...sharedFit.intercepts },
        excludedGroups: [...sharedFit.excludedGroups]
      },
    levers: levers === null
      ? null
      : {
        normLever: levers.normLever.ratio,
        normLeverInterval: rowSpanInterval(sweep.cells.filter((c) => c.p === p0 && c.lr === lr0), options),
        lrLeverMin: levers.lrLeverMin,
        lrLeverMax: levers.lrLeverMax,
        lrLeverMaxInterval: (() => {
          const top = levers.lrLevers.find((r) => r.ratio === levers.lrLeverMax)
          return top === undefined
            ? null
            : rowSpanInterval(sweep.cells.filter((c) => c.p === p0 && (c.rho ?? 1) === top.rho), options)
        })()
      },
    normAtGrokMaxDeviation: deviations.length === 0 ? null : Math.max(...deviations),
    saturation
  }
}

/** max/min median over a row of cells (one lr's ρ row, or one ρ's lr row), resampling seeds within every cell. */
const rowSpanInterval = (row: ReadonlyArray<CellSummary>, options: FitOptions) => {
  const ci = orNull(() =>
    bootstrapMedianRatio(row.map((c) => c.seeds.map((s) => s.tGrok)), spanOf, { ...options, censoring: options.censoring })
  )
  return ci === null || !Number.isFinite(ci.estimate) ? null : estimateOf(ci)
}

/** The saturation ratio with its seed-bootstrap interval (see SweepFits.saturation). */
const saturationOf = (primary: ReadonlyArray<CellSummary>, options: FitOptions): SweepFits["saturation"] => {
  const external = options.saturationCell ?? null
  const rhoMax = Math.max(...primary.map((c) => c.rho ?? 1))
  const top = external?.cell ?? primary.find((c) => (c.rho ?? 1) === rhoMax)
  if (top === undefined) return null
  const topRho = top.rho ?? 1
  const fitCells = primary.filter((c) => (c.rho ?? 1) < topRho).map((c) => delayCell(c, ""))
  // Three points below the top at least: two would fit any pair of medians exactly.
  if (new Set(fitCells.map((c) => c.rho)).size < 3) return null
  const ci = orNull(() =>
    bootstrapSaturation(fitCells, delayCell(top, ""), { seed: options.seed, resamples: options.resamples, censoring: options.censoring })
  )
  if (ci === null) return null
  const observed = censoredMedian(top.seeds.map((s) => s.tGrok), options.censoring ?? "infinity")
  if (observed === null) return null
  return {
    rhoMax: topRho,
    ratio: estimateOf(ci),
    observed,
    predicted: observed / ci.estimate,
    source: external?.source ?? "this sweep's highest ρ"
  }
}
