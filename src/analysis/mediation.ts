/**
 * Temperature mediation (paper B, docs/protocol.md §6 B1): how much of the delay added by raising the
 * norm (T0 → T1) is removed by bringing the effective logit scale L back to its
 * baseline value with τ. T2 is the delay read off the τ sweep (sorted by L, linear
 * in T) at L = L0; recovery = (T1 − T2)/(T1 − T0). CI by a paired seed bootstrap.
 */
import { type BootstrapInterval, type BootstrapOptions, pairedBootstrap } from "./bootstrap.ts"
import { type CensoringPolicy, censoredMedian, type SeedTime } from "./censoring.ts"
import { pick } from "./rng.ts"
import { mean } from "./stats.ts"

/** One τ-sweep cell reduced to its effective logit scale L and its median delay T. */
export interface SweepPoint {
  readonly logitScale: number
  readonly t: number
}

/**
 * What to do when L0 lies outside the swept L range: "extrapolate" (default) linearly
 * from the two nearest points; "clamp" to the nearest end (numpy.interp, which the
 * papers' released code uses). Either way the result is flagged.
 */
export type OutsideRange = "extrapolate" | "clamp"

/** T at a target L with the two sweep points used and whether L lay outside the sweep. */
export interface Interpolation {
  readonly value: number
  readonly extrapolated: boolean
  /** Which side of the swept range L0 fell on, or null when inside. */
  readonly side: "below" | "above" | null
  readonly lower: SweepPoint
  readonly upper: SweepPoint
}

/** Linear interpolation of T over the sweep sorted by L at logitScale = l0 (equal L's are merged by averaging T). */
export const interpolateAtLogitScale = (
  sweep: ReadonlyArray<SweepPoint>,
  l0: number,
  outside: OutsideRange = "extrapolate"
): Interpolation => {
  for (const p of sweep) {
    if (!Number.isFinite(p.logitScale) || !Number.isFinite(p.t)) throw new RangeError("interpolateAtLogitScale: non-finite sweep point")
  }
  if (!Number.isFinite(l0)) throw new RangeError(`interpolateAtLogitScale: non-finite L0 ${l0}`)
  const byL = new Map<number, number[]>()
  for (const p of sweep) byL.set(p.logitScale, [...(byL.get(p.logitScale) ?? []), p.t])
  const pts: SweepPoint[] = [...byL.entries()]
    .map(([logitScale, ts]) => ({ logitScale, t: mean(ts) }))
    .sort((a, b) => a.logitScale - b.logitScale)
  if (pts.length < 2) throw new RangeError("interpolateAtLogitScale: need at least two distinct L in the sweep")
  const line = (a: SweepPoint, b: SweepPoint): number =>
    a.t + ((l0 - a.logitScale) * (b.t - a.t)) / (b.logitScale - a.logitScale)
  const first = pts[0] as SweepPoint
  const second = pts[1] as SweepPoint
  const last = pts[pts.length - 1] as SweepPoint
  const beforeLast = pts[pts.length - 2] as SweepPoint
  if (l0 < first.logitScale) {
    const value = outside === "clamp" ? first.t : line(first, second)
    return { value, extrapolated: true, side: "below", lower: first, upper: second }
  }
  if (l0 > last.logitScale) {
    const value = outside === "clamp" ? last.t : line(beforeLast, last)
    return { value, extrapolated: true, side: "above", lower: beforeLast, upper: last }
  }
  for (let i = 0; i < pts.length - 1; i++) {
    const a = pts[i] as SweepPoint
    const b = pts[i + 1] as SweepPoint
    if (l0 === a.logitScale) return { value: a.t, extrapolated: false, side: null, lower: a, upper: b }
    if (l0 <= b.logitScale) return { value: line(a, b), extrapolated: false, side: null, lower: a, upper: b }
  }
  return { value: last.t, extrapolated: false, side: null, lower: beforeLast, upper: last }
}

/** Inputs of the recovery fraction once cells are reduced to medians and mean L. */
export interface RecoveryInput {
  /** Baseline delay (ρ = 1, τ = 1). */
  readonly t0: number
  /** Raised-norm delay (ρ > 1, τ = 1). */
  readonly t1: number
  /** Baseline effective logit scale L0. */
  readonly l0: number
  /** The τ sweep at the raised norm (normally including its τ = 1 cell). */
  readonly sweep: ReadonlyArray<SweepPoint>
}

/** The recovery fraction with its ingredients. */
export interface Recovery {
  /** (T1 − T2)/(T1 − T0): 1 = the L match removes the whole norm effect, 0 = none of it. NaN when T1 = T0. */
  readonly recovery: number
  readonly t0: number
  readonly t1: number
  readonly t2: number
  readonly l0: number
  /** True when L0 lay outside the swept L range (T2 extrapolated or clamped). */
  readonly extrapolated: boolean
  readonly side: "below" | "above" | null
}

/** Options of the recovery computations. */
export interface RecoveryOptions {
  readonly outside?: OutsideRange
  /** Censoring policy of the per-cell medians of T (default "infinity"). */
  readonly censoring?: CensoringPolicy
}

/** Recovery fraction (T1 − T2)/(T1 − T0) from cell-level numbers. */
export const recoveryFraction = (input: RecoveryInput, options: RecoveryOptions = {}): Recovery => {
  const i = interpolateAtLogitScale(input.sweep, input.l0, options.outside ?? "extrapolate")
  const denom = input.t1 - input.t0
  return {
    recovery: denom !== 0 ? (input.t1 - i.value) / denom : Number.NaN,
    t0: input.t0,
    t1: input.t1,
    t2: i.value,
    l0: input.l0,
    extrapolated: i.extrapolated,
    side: i.side
  }
}

/** One mediation cell at seed level: per-seed T (null = censored) and per-seed L, or one cell-level L held fixed. */
export interface MediationSeedCell {
  readonly tGrok: ReadonlyArray<SeedTime>
  readonly logitScale: ReadonlyArray<number> | number
}

/** The cells of a mediation experiment, seeds matched by index across all cells. */
export interface MediationCells {
  readonly baseline: MediationSeedCell
  readonly raised: MediationSeedCell
  readonly sweep: ReadonlyArray<MediationSeedCell>
}

/** Number of seeds shared by all cells; throws if the cells disagree (the bootstrap pairs seeds by index). */
const seedCount = (cells: MediationCells): number => {
  const all = [cells.baseline, cells.raised, ...cells.sweep]
  const n = cells.baseline.tGrok.length
  for (const c of all) {
    if (c.tGrok.length !== n || (typeof c.logitScale !== "number" && c.logitScale.length !== n)) {
      throw new RangeError("mediation: every cell needs the same number of seeds (paired by index)")
    }
  }
  return n
}

/** Recovery on a resample of seed indices, or null when a cell median is not identified. */
const recoveryAt = (cells: MediationCells, idx: ReadonlyArray<number>, options: RecoveryOptions): Recovery | null => {
  const policy = options.censoring ?? "infinity"
  const reduce = (c: MediationSeedCell): SweepPoint | null => {
    const t = censoredMedian(pick(c.tGrok, idx), policy)
    const logitScale = typeof c.logitScale === "number" ? c.logitScale : mean(pick(c.logitScale, idx))
    return t === null || !Number.isFinite(logitScale) ? null : { logitScale, t }
  }
  const base = reduce(cells.baseline)
  const raised = reduce(cells.raised)
  const sweep = cells.sweep.map(reduce)
  if (base === null || raised === null || sweep.some((p) => p === null)) return null
  return recoveryFraction({ t0: base.t, t1: raised.t, l0: base.logitScale, sweep: sweep as SweepPoint[] }, options)
}

/** Recovery from seed-level cells: per-cell median T and mean L; throws if a cell median is not identified. */
export const recoveryFromSeeds = (cells: MediationCells, options: RecoveryOptions = {}): Recovery => {
  const n = seedCount(cells)
  const r = recoveryAt(
    cells,
    Array.from({ length: n }, (_, i) => i),
    options
  )
  if (r === null) throw new RangeError("recoveryFromSeeds: a cell's median delay is not identified (too many censored seeds)")
  return r
}

/**
 * Recovery with a paired seed-bootstrap CI (4000 resamples by default): seeds are
 * redrawn jointly across all cells, then per-cell median T and mean L are recomputed.
 * The papers' code holds L fixed at its cell value; pass a number as logitScale to do the same.
 */
export const bootstrapRecovery = (
  cells: MediationCells,
  options: BootstrapOptions & RecoveryOptions
): { readonly estimate: Recovery; readonly interval: BootstrapInterval; readonly extrapolatedResamples: number } => {
  const estimate = recoveryFromSeeds(cells, options)
  let extrapolatedResamples = 0
  const interval = pairedBootstrap(
    seedCount(cells),
    (idx) => {
      const r = recoveryAt(cells, idx, options)
      if (r !== null && r.extrapolated) extrapolatedResamples++
      return r === null ? null : r.recovery
    },
    options
  )
  // The statistic also ran once on the identity resample for the point estimate.
  if (estimate.extrapolated) extrapolatedResamples--
  return { estimate, interval, extrapolatedResamples }
}
