/**
 * Right-censored cell medians. A seed that never reaches the test threshold within
 * its budget B is censored: its T_grok is only known to be > B. Censored seeds are
 * recorded as null (or +Infinity), never dropped silently.
 */

/** One seed's time (T_grok, T_mem or a delay), or null when censored (never reached within the budget). */
export type SeedTime = number | null

/**
 * How a cell median treats censored seeds.
 * - "infinity" (default): censored seeds count as +∞. The median is exact when fewer
 *   than half are censored; with half or more the median is not identified and the
 *   cell is excluded.
 * - "grokkedOnly": the papers' released code: median over grokked seeds only, cell
 *   kept when at least half grokked. Biased low when some seeds are censored.
 */
export type CensoringPolicy = "infinity" | "grokkedOnly"

/** A cell's median over seeds with its censoring bookkeeping. */
export interface CensoredMedian {
  /** The median, or null when it is not identified (the cell is then excluded). */
  readonly median: number | null
  readonly grokked: number
  readonly total: number
  /** Why the median is null; null when it is defined. */
  readonly excludedReason: string | null
}

/** True when a seed time is censored (null or +Infinity). */
export const isCensored = (t: SeedTime): boolean => t === null || t === Number.POSITIVE_INFINITY

/** Validates a seed time: finite and ≥ 0, or censored; anything else (NaN, negative) is a caller bug. */
const checkTime = (t: SeedTime): void => {
  if (isCensored(t)) return
  if (!Number.isFinite(t) || (t as number) < 0) throw new RangeError(`cellMedian: invalid seed time ${t}`)
}

/** Median over seeds with censored seeds handled by the given policy (see CensoringPolicy), with grokked/total and the exclusion reason. */
export const cellMedian = (
  times: ReadonlyArray<SeedTime>,
  policy: CensoringPolicy = "infinity"
): CensoredMedian => {
  times.forEach(checkTime)
  const total = times.length
  const observed = times.filter((t): t is number => !isCensored(t)).sort((a, b) => a - b)
  const grokked = observed.length
  const censored = total - grokked
  const base = { grokked, total }
  if (total === 0) return { ...base, median: null, excludedReason: "no seeds" }
  if (grokked === 0) return { ...base, median: null, excludedReason: `all ${total} seeds censored` }
  if (policy === "grokkedOnly") {
    if (2 * grokked < total) {
      return { ...base, median: null, excludedReason: `only ${grokked}/${total} seeds grokked (< half)` }
    }
    const m = grokked % 2 === 1 ? observed[(grokked - 1) / 2] : ((observed[grokked / 2 - 1] as number) + (observed[grokked / 2] as number)) / 2
    return { ...base, median: m as number, excludedReason: null }
  }
  if (2 * censored > total) {
    return { ...base, median: null, excludedReason: `${censored}/${total} seeds censored (more than half)` }
  }
  // Sorted order with censored seeds as +∞ at the end: the middle order statistic(s) are
  // observed exactly when fewer than half are censored.
  const at = (i: number): number => (i < grokked ? (observed[i] as number) : Number.POSITIVE_INFINITY)
  const m = total % 2 === 1 ? at((total - 1) / 2) : (at(total / 2 - 1) + at(total / 2)) / 2
  if (!Number.isFinite(m)) {
    return { ...base, median: null, excludedReason: `${censored}/${total} seeds censored (half): median not identified` }
  }
  return { ...base, median: m, excludedReason: null }
}

/** The censored median alone: a number, or null when it is not identified (see cellMedian for the bookkeeping). */
export const censoredMedian = (
  times: ReadonlyArray<SeedTime>,
  policy: CensoringPolicy = "infinity"
): number | null => cellMedian(times, policy).median
