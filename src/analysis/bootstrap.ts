/**
 * Bootstrap confidence intervals, percentile method, deterministic given a seed:
 * a within-cell seed bootstrap (paper A: resample seeds inside each cell, recompute
 * medians, refit; 3000 resamples) and a paired bootstrap (paper B: resample seed
 * indices jointly across arms/cells; 4000 resamples).
 */
import { censoredMedian, type SeedTime } from "./censoring.ts"
import {
  type DelayCell,
  type DelayLawOptions,
  fitDelayLaw,
  type MedianPoint,
  saturationAgainstFit,
  fitDelayLawMedians,
  fitSharedSlope,
  fitSharedSlopeMedians,
  type SharedSlopeOptions,
  sharedSlopeCellsInFit,
  summarizeCells
} from "./delayLaw.ts"
import { createRng, pick, resampleIndices } from "./rng.ts"
import { quantileSorted } from "./stats.ts"

/** Options of every bootstrap. */
export interface BootstrapOptions {
  /** PRNG seed: the same seed gives the same interval. */
  readonly seed: number
  /** Number of resamples (default: 3000 within-cell, 4000 paired, as in the papers). */
  readonly resamples?: number
  /** Central coverage of the interval (default 0.95). */
  readonly level?: number
}

/** A point estimate with its percentile bootstrap interval. */
export interface BootstrapInterval {
  readonly estimate: number
  readonly lower: number
  readonly upper: number
  readonly level: number
  /** Resamples requested. */
  readonly resamples: number
  /** Resamples whose statistic was undefined (NaN/null: no direction is known); left out of the interval. */
  readonly failed: number
}

/**
 * Percentile interval [q_(1−level)/2, q_(1+level)/2] of the samples (linear
 * interpolation). ±∞ samples are kept in their place: a resample whose median is
 * censored beyond the budget is a known-large value, and dropping it would truncate
 * that tail of the interval (docs/protocol.md §9). A bound that lands on ±∞ is
 * returned as such (unbounded); only NaN samples are left out.
 */
export const percentileInterval = (samples: ReadonlyArray<number>, level = 0.95): [number, number] => {
  if (!(level > 0 && level < 1)) throw new RangeError(`percentileInterval: level must be in (0, 1), got ${level}`)
  const sorted = samples.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b)
  const tail = (1 - level) / 2
  return [quantileSorted(sorted, tail), quantileSorted(sorted, 1 - tail)]
}

/** Runs a statistic over resamples and wraps the percentile interval; null/NaN results count as failed. */
const collect = (
  estimate: number,
  resamples: number,
  level: number,
  draw: () => number | null
): BootstrapInterval => {
  if (!Number.isInteger(resamples) || resamples < 1) throw new RangeError(`bootstrap: resamples must be a positive integer`)
  const samples: number[] = []
  let failed = 0
  for (let b = 0; b < resamples; b++) {
    const v = draw()
    if (v === null || Number.isNaN(v)) failed++
    else samples.push(v)
  }
  const [lower, upper] = samples.length > 0 ? percentileInterval(samples, level) : [Number.NaN, Number.NaN]
  return { estimate, lower, upper, level, resamples, failed }
}

/**
 * Within-cell bootstrap: each resample redraws every cell's seeds with replacement
 * (independently per cell) and evaluates the statistic on the resampled cells.
 */
export const withinCellBootstrap = <T>(
  cells: ReadonlyArray<ReadonlyArray<T>>,
  statistic: (cells: ReadonlyArray<ReadonlyArray<T>>) => number | null,
  options: BootstrapOptions
): BootstrapInterval => {
  const rng = createRng(options.seed)
  const estimate = statistic(cells) ?? Number.NaN
  return collect(estimate, options.resamples ?? 3000, options.level ?? 0.95, () =>
    statistic(cells.map((c) => pick(c, resampleIndices(rng, c.length))))
  )
}

/**
 * Paired bootstrap: each resample draws nSeeds seed indices with replacement once and
 * hands them to the statistic, which applies them to every arm/cell (matched seeds).
 */
export const pairedBootstrap = (
  nSeeds: number,
  statistic: (seedIndices: ReadonlyArray<number>) => number | null,
  options: BootstrapOptions
): BootstrapInterval => {
  if (!Number.isInteger(nSeeds) || nSeeds < 1) throw new RangeError(`pairedBootstrap: nSeeds must be a positive integer`)
  const rng = createRng(options.seed)
  const identity = Array.from({ length: nSeeds }, (_, i) => i)
  const estimate = statistic(identity) ?? Number.NaN
  return collect(estimate, options.resamples ?? 4000, options.level ?? 0.95, () =>
    statistic(resampleIndices(rng, nSeeds))
  )
}

/** Replaces each cell's per-seed times, keeping ρ and group. */
const withTimes = (cells: ReadonlyArray<DelayCell>, times: ReadonlyArray<ReadonlyArray<SeedTime>>): DelayCell[] =>
  cells.map((c, i) => ({ ...c, tGrok: times[i] as ReadonlyArray<SeedTime> }))

/**
 * Medians of resampled cells. A resampled cell whose median is not identified has
 * too many seeds censored at the budget: its median is larger than the budget, not
 * unknown. Such a resample's slope is +∞ when every such cell lies above its group's
 * mean ρ (OLS weights the cell by ρ − ρ̄) and −∞ when every one lies below; only a
 * mixed resample has no known direction (NaN, counted as failed).
 */
type Resampled =
  | { readonly kind: "points"; readonly points: ReadonlyArray<MedianPoint> }
  | { readonly kind: "unbounded"; readonly slope: number }

const resampledPoints = (cells: ReadonlyArray<DelayCell>, options: DelayLawOptions): Resampled => {
  const s = summarizeCells(cells, options)
  const missing = s.filter((c) => !c.included)
  if (missing.length === 0) {
    return { kind: "points", points: s.map((c) => ({ rho: c.rho, median: c.median as number, group: c.group })) }
  }
  const side = (c: { readonly rho: number; readonly group: string }): number => {
    const mine = s.filter((o) => o.group === c.group)
    const mean = mine.reduce((acc, o) => acc + o.rho, 0) / mine.length
    return Math.sign(c.rho - mean)
  }
  const sides = new Set(missing.map(side))
  return { kind: "unbounded", slope: sides.size === 1 && !sides.has(0) ? [...sides][0] * Number.POSITIVE_INFINITY : Number.NaN }
}

/**
 * Seed-bootstrap CI of α for one group's delay law. The cell set is fixed on the
 * original data (excluded cells stay out); a resample in which a kept cell's median
 * becomes unidentified is counted as failed.
 */
export const bootstrapDelayLaw = (
  cells: ReadonlyArray<DelayCell>,
  options: BootstrapOptions & DelayLawOptions & { readonly statistic?: "alpha" | "r2" }
): BootstrapInterval => {
  const fit = fitDelayLaw(cells, options)
  const kept = cells.filter((_, i) => (fit.cells[i] as { included: boolean }).included)
  const r2 = options.statistic === "r2"
  const interval = withinCellBootstrap(
    kept.map((c) => c.tGrok),
    (times) => {
      const r = resampledPoints(withTimes(kept, times), options)
      // A censored-beyond-budget cell makes α unbounded but R² undefined.
      if (r.kind === "unbounded") return r2 ? null : r.slope
      if (new Set(r.points.map((p) => p.rho)).size < 2) return null
      const refit = fitDelayLawMedians(r.points)
      return r2 ? refit.r2 : refit.alpha
    },
    options
  )
  return { ...interval, estimate: r2 ? fit.r2 : fit.alpha }
}

/** Seed-bootstrap CI of the shared α (groups and cells fixed as in fitSharedSlope on the original data). */
export const bootstrapSharedSlope = (
  cells: ReadonlyArray<DelayCell>,
  options: BootstrapOptions & SharedSlopeOptions & { readonly statistic?: "alpha" | "r2" }
): BootstrapInterval => {
  const fit = fitSharedSlope(cells, options)
  const kept = sharedSlopeCellsInFit(cells, options)
  const r2 = options.statistic === "r2"
  const interval = withinCellBootstrap(
    kept.map((c) => c.tGrok),
    (times) => {
      const r = resampledPoints(withTimes(kept, times), options)
      if (r.kind === "unbounded") return r2 ? null : r.slope
      const refit = fitSharedSlopeMedians(r.points)
      return r2 ? refit.r2 : refit.alpha
    },
    options
  )
  return { ...interval, estimate: r2 ? fit.r2 : fit.alpha }
}

/**
 * Seed-bootstrap CI of a ratio of cell medians (a lever, a span, a fold): every cell
 * is resampled within itself and `ratio` re-read from the resampled medians. A
 * resampled median censored beyond its budget is +∞, so a ratio can become ±∞ or,
 * for ∞/∞, undefined (counted as failed).
 */
export const bootstrapMedianRatio = (
  cells: ReadonlyArray<ReadonlyArray<SeedTime>>,
  ratio: (medians: ReadonlyArray<number>) => number,
  options: BootstrapOptions & DelayLawOptions
): BootstrapInterval => {
  const medians = (times: ReadonlyArray<ReadonlyArray<SeedTime>>) =>
    times.map((t) => censoredMedian(t, options.censoring ?? "infinity") ?? Number.POSITIVE_INFINITY)
  return withinCellBootstrap(cells, (times) => ratio(medians(times)), options)
}

/** max/min of the medians (how far T_grok moves over a grid). */
export const spanOf = (medians: ReadonlyArray<number>): number => Math.max(...medians) / Math.min(...medians)

/**
 * Seed-bootstrap CI of the saturation ratio: every fit cell and the top cell are
 * resampled within themselves, the line refitted and the top median re-read. A top
 * cell whose resampled median is censored beyond its budget gives +∞ (it is slower
 * than anything observed); an unidentified fit cell gives no known direction (failed).
 */
export const bootstrapSaturation = (
  fitCells: ReadonlyArray<DelayCell>,
  top: DelayCell,
  options: BootstrapOptions & DelayLawOptions
): BootstrapInterval => {
  const estimate = saturationAgainstFit(fitCells, top, options).ratio
  const interval = withinCellBootstrap(
    [...fitCells.map((c) => c.tGrok), top.tGrok],
    (times) => {
      const resampledTop = summarizeCells([{ ...top, tGrok: times[times.length - 1] as ReadonlyArray<SeedTime> }], options)[0]
      if (resampledTop === undefined || !resampledTop.included) return Number.POSITIVE_INFINITY
      const r = resampledPoints(withTimes(fitCells, times.slice(0, -1)), options)
      if (r.kind === "unbounded" || new Set(r.points.map((p) => p.rho)).size < 2) return null
      const fit = fitDelayLawMedians(r.points)
      return (resampledTop.median as number) / Math.exp(fit.intercept + fit.alpha * top.rho)
    },
    options
  )
  return { ...interval, estimate }
}

/**
 * Paired seed bootstrap of a statistic of cell medians: seeds are matched by index
 * across cells (matched-counterfactual seeding), so one draw of seed indices is
 * applied to every cell. A resampled median censored beyond the budget enters as +∞;
 * a statistic that cannot use it returns null or NaN (counted as failed).
 */
export const pairedMedianStatistic = (
  cells: ReadonlyArray<ReadonlyArray<SeedTime>>,
  statistic: (medians: ReadonlyArray<number>) => number | null,
  options: BootstrapOptions & DelayLawOptions
): BootstrapInterval => {
  const n = cells[0]?.length ?? 0
  if (cells.some((c) => c.length !== n)) throw new RangeError("pairedMedianStatistic: every cell needs the same seeds (paired by index)")
  const policy = options.censoring ?? "infinity"
  return pairedBootstrap(
    n,
    (idx) => statistic(cells.map((c) => censoredMedian(pick(c, idx), policy) ?? Number.POSITIVE_INFINITY)),
    options
  )
}
