/**
 * Descriptive statistics used by every fit: medians, quantiles, means, CV and
 * geometric means. Functions that say "of finite values" ignore NaN/±Infinity;
 * an empty (or all-non-finite) input gives NaN rather than throwing.
 */

/** The finite entries of xs (drops NaN, ±Infinity, null). */
export const finiteValues = (xs: ReadonlyArray<number | null>): number[] =>
  xs.filter((x): x is number => x !== null && Number.isFinite(x))

/** Ascending copy of the finite entries of xs. */
const sortedFinite = (xs: ReadonlyArray<number | null>): number[] =>
  finiteValues(xs).sort((a, b) => a - b)

/** Quantile q ∈ [0, 1] of a sorted array, linear interpolation between order statistics (numpy's default, type 7). */
export const quantileSorted = (sorted: ReadonlyArray<number>, q: number): number => {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile: q must be in [0, 1], got ${q}`)
  const n = sorted.length
  if (n === 0) return Number.NaN
  const h = (n - 1) * q
  const lo = Math.floor(h)
  const hi = Math.min(lo + 1, n - 1)
  const a = sorted[lo] as number
  const b = sorted[hi] as number
  // Written so that an infinite order statistic is returned as-is when the weight on it
  // is 0, and two equal infinite neighbours give that infinity (not ∞ − ∞ = NaN).
  return h === lo || a === b ? a : a + (h - lo) * (b - a)
}

/** Quantile q ∈ [0, 1] of the finite values, with linear interpolation (numpy.quantile default). */
export const quantile = (xs: ReadonlyArray<number | null>, q: number): number =>
  quantileSorted(sortedFinite(xs), q)

/** Percentile pct ∈ [0, 100] of the finite values, with linear interpolation (numpy.percentile default). */
export const percentile = (xs: ReadonlyArray<number | null>, pct: number): number => quantile(xs, pct / 100)

/** Median of the finite values (mean of the two middle ones for an even count). */
export const median = (xs: ReadonlyArray<number | null>): number => quantile(xs, 0.5)

/** Arithmetic mean of the finite values. */
export const mean = (xs: ReadonlyArray<number | null>): number => {
  const v = finiteValues(xs)
  if (v.length === 0) return Number.NaN
  let s = 0
  for (const x of v) s += x
  return s / v.length
}

/** Sample variance (n − 1 denominator) of the finite values; NaN with fewer than two. */
export const sampleVariance = (xs: ReadonlyArray<number | null>): number => {
  const v = finiteValues(xs)
  if (v.length < 2) return Number.NaN
  const m = mean(v)
  let s = 0
  for (const x of v) s += (x - m) * (x - m)
  return s / (v.length - 1)
}

/** Sample standard deviation (n − 1 denominator) of the finite values. */
export const sampleSd = (xs: ReadonlyArray<number | null>): number => Math.sqrt(sampleVariance(xs))

/** Coefficient of variation: sample sd / mean of the finite values (a fraction, not a percent). */
export const cv = (xs: ReadonlyArray<number | null>): number => sampleSd(xs) / mean(xs)

/** Population CV (sd with an n denominator, over the mean) of the finite values: numpy's
 * default std, which paper A's CVs across configurations and seeds use. NaN with fewer than two. */
export const populationCv = (xs: ReadonlyArray<number | null>): number => {
  const n = finiteValues(xs).length
  return Math.sqrt((sampleVariance(xs) * (n - 1)) / n) / mean(xs)
}

/** Geometric mean of the finite values; NaN if any of them is ≤ 0. */
export const geometricMean = (xs: ReadonlyArray<number | null>): number => {
  const v = finiteValues(xs)
  if (v.length === 0 || v.some((x) => x <= 0)) return Number.NaN
  let s = 0
  for (const x of v) s += Math.log(x)
  return Math.exp(s / v.length)
}

/** Largest over smallest of the finite values: the fold range of a sweep (NaN if any value ≤ 0). */
export const foldRange = (xs: ReadonlyArray<number | null>): number => {
  const v = finiteValues(xs)
  if (v.length === 0 || v.some((x) => x <= 0)) return Number.NaN
  return Math.max(...v) / Math.min(...v)
}
