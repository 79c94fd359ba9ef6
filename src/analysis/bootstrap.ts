/**
 * Bootstrap confidence intervals, percentile method, deterministic given a seed:
 * a within-cell seed bootstrap (paper A: resample seeds inside each cell, recompute
 * medians, refit; 3000 resamples) and a paired bootstrap (paper B: resample seed
 * indices jointly across arms/cells; 4000 resamples).
 */
import type { SeedTime } from "./censoring.ts"
import {
  type DelayCell,
  type DelayLawOptions,
  fitDelayLaw,
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
  /** Resamples whose statistic was undefined (e.g. a resampled cell with most seeds censored); left out of the interval. */
  readonly failed: number
}

/** Percentile interval [q_(1−level)/2, q_(1+level)/2] of the finite samples (linear interpolation). */
export const percentileInterval = (samples: ReadonlyArray<number>, level = 0.95): [number, number] => {
  if (!(level > 0 && level < 1)) throw new RangeError(`percentileInterval: level must be in (0, 1), got ${level}`)
  const sorted = samples.filter((x) => Number.isFinite(x)).sort((a, b) => a - b)
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
    if (v === null || !Number.isFinite(v)) failed++
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

/** Included medians of resampled cells, or null when any resampled cell's median is not identified. */
const resampledPoints = (cells: ReadonlyArray<DelayCell>, options: DelayLawOptions) => {
  const s = summarizeCells(cells, options)
  if (s.some((c) => !c.included)) return null
  return s.map((c) => ({ rho: c.rho, median: c.median as number, group: c.group }))
}

/**
 * Seed-bootstrap CI of α for one group's delay law. The cell set is fixed on the
 * original data (excluded cells stay out); a resample in which a kept cell's median
 * becomes unidentified is counted as failed.
 */
export const bootstrapDelayLaw = (
  cells: ReadonlyArray<DelayCell>,
  options: BootstrapOptions & DelayLawOptions
): BootstrapInterval => {
  const fit = fitDelayLaw(cells, options)
  const kept = cells.filter((_, i) => (fit.cells[i] as { included: boolean }).included)
  const interval = withinCellBootstrap(
    kept.map((c) => c.tGrok),
    (times) => {
      const pts = resampledPoints(withTimes(kept, times), options)
      if (pts === null || new Set(pts.map((p) => p.rho)).size < 2) return null
      return fitDelayLawMedians(pts).alpha
    },
    options
  )
  return { ...interval, estimate: fit.alpha }
}

/** Seed-bootstrap CI of the shared α (groups and cells fixed as in fitSharedSlope on the original data). */
export const bootstrapSharedSlope = (
  cells: ReadonlyArray<DelayCell>,
  options: BootstrapOptions & SharedSlopeOptions
): BootstrapInterval => {
  const fit = fitSharedSlope(cells, options)
  const kept = sharedSlopeCellsInFit(cells, options)
  const interval = withinCellBootstrap(
    kept.map((c) => c.tGrok),
    (times) => {
      const pts = resampledPoints(withTimes(kept, times), options)
      return pts === null ? null : fitSharedSlopeMedians(pts).alpha
    },
    options
  )
  return { ...interval, estimate: fit.alpha }
}
