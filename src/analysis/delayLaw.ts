/**
 * The delay law ln(median T_grok) = c + α·ρ (paper A): per-group fits (per modulus,
 * per lr), the shared-slope fit (one α, one intercept per group via one-hot columns),
 * and the saturation ratio of the highest ρ against the extrapolation of the rest.
 * Cells enter through their per-seed T_grok with censoring handled explicitly.
 */
import { cellMedian, type CensoringPolicy, type SeedTime } from "./censoring.ts"
import { fitLine, ols, predictLine } from "./ols.ts"

/** One clamp cell: its ρ, its per-seed T_grok (null = censored), and its group (e.g. "p=59" or "lr=0.004"). */
export interface DelayCell {
  readonly rho: number
  readonly tGrok: ReadonlyArray<SeedTime>
  /** Group label for per-group and shared-slope fits; cells without one form the group "". */
  readonly group?: string
}

/** A cell's median with its grokked/total count and, when excluded, why. */
export interface CellSummary {
  readonly rho: number
  readonly group: string
  readonly median: number | null
  readonly grokked: number
  readonly total: number
  readonly included: boolean
  readonly reason: string | null
}

/** A cell reduced to its (already computed) median: the input of the fits themselves. */
export interface MedianPoint {
  readonly rho: number
  readonly median: number
  readonly group?: string
}

/** Options shared by the delay-law fits. */
export interface DelayLawOptions {
  /** Censoring policy for cell medians (default "infinity"; see CensoringPolicy). */
  readonly censoring?: CensoringPolicy
}

/** A fitted delay law for one group (n counts the cells that entered the fit). */
export interface DelayLawFit extends DelayLawCoefficients {
  /** Every input cell, included or not, in input order. */
  readonly cells: ReadonlyArray<CellSummary>
  /** The cells left out, with reasons. */
  readonly excluded: ReadonlyArray<CellSummary>
}

/** Medians and grokked/total of every cell, flagging those whose median is not identified. */
export const summarizeCells = (
  cells: ReadonlyArray<DelayCell>,
  options: DelayLawOptions = {}
): CellSummary[] =>
  cells.map((c) => {
    const m = cellMedian(c.tGrok, options.censoring ?? "infinity")
    return {
      rho: c.rho,
      group: c.group ?? "",
      median: m.median,
      grokked: m.grokked,
      total: m.total,
      included: m.median !== null && m.median > 0,
      reason: m.excludedReason ?? (m.median !== null && m.median <= 0 ? "median T_grok is 0: log undefined" : null)
    }
  })

/** The coefficients of a delay-law fit, without the cell bookkeeping. */
export interface DelayLawCoefficients {
  readonly alpha: number
  readonly intercept: number
  readonly alphaSe: number
  readonly interceptSe: number
  readonly r2: number
  readonly adjustedR2: number
  readonly n: number
}

/** OLS of ln(median) on ρ over already-computed medians; needs two distinct ρ. */
export const fitDelayLawMedians = (points: ReadonlyArray<MedianPoint>): DelayLawCoefficients => {
  const f = fitLine(
    points.map((p) => p.rho),
    points.map((p) => Math.log(p.median))
  )
  return {
    alpha: f.slope,
    intercept: f.intercept,
    alphaSe: f.slopeSe,
    interceptSe: f.interceptSe,
    r2: f.r2,
    adjustedR2: f.adjustedR2,
    n: f.n
  }
}

/** Distinct ρ count of a set of points. */
const distinctRhos = (points: ReadonlyArray<{ readonly rho: number }>): number => new Set(points.map((p) => p.rho)).size

/** Included summaries as median points. */
const toPoints = (summaries: ReadonlyArray<CellSummary>): MedianPoint[] =>
  summaries.filter((s) => s.included).map((s) => ({ rho: s.rho, median: s.median as number, group: s.group }))

/** Delay-law fit of one group of cells (groups ignored); throws RangeError if fewer than two distinct ρ survive exclusion. */
export const fitDelayLaw = (cells: ReadonlyArray<DelayCell>, options: DelayLawOptions = {}): DelayLawFit => {
  const summaries = summarizeCells(cells, options)
  const points = toPoints(summaries)
  if (distinctRhos(points) < 2) {
    throw new RangeError(`fitDelayLaw: ${points.length} usable cells over fewer than two distinct ρ`)
  }
  return { ...fitDelayLawMedians(points), cells: summaries, excluded: summaries.filter((s) => !s.included) }
}

/** One group's delay-law fit, or why it could not be fit. */
export interface GroupDelayLawFit {
  readonly group: string
  readonly fit: DelayLawFit | null
  readonly reason: string | null
  readonly cells: ReadonlyArray<CellSummary>
}

/** Group labels in first-appearance order. */
const groupsOf = (cells: ReadonlyArray<{ readonly group?: string }>): string[] => [
  ...new Set(cells.map((c) => c.group ?? ""))
]

/** Separate delay-law fits per group (per modulus or per lr); a group that cannot be fit is reported, not thrown. */
export const fitDelayLawPerGroup = (
  cells: ReadonlyArray<DelayCell>,
  options: DelayLawOptions = {}
): GroupDelayLawFit[] =>
  groupsOf(cells).map((group) => {
    const mine = cells.filter((c) => (c.group ?? "") === group)
    const summaries = summarizeCells(mine, options)
    if (distinctRhos(toPoints(summaries)) < 2) {
      return { group, fit: null, reason: "fewer than two usable cells with distinct ρ", cells: summaries }
    }
    return { group, fit: fitDelayLaw(mine, options), reason: null, cells: summaries }
  })

/** Options of the shared-slope fit. */
export interface SharedSlopeOptions extends DelayLawOptions {
  /**
   * Drop a whole group when any of its cells is excluded (default true), as paper A
   * does with p=31 when ρ=0.85 never groks. Groups with fewer than two usable distinct
   * ρ are always dropped: they only fix their own intercept and would inflate R².
   */
  readonly dropIncompleteGroups?: boolean
}

/**
 * The shared-slope fit: one α across groups, one intercept c_g per included group;
 * R² is centered over all included log-medians (the one-hot columns span a constant).
 */
export interface SharedSlopeFit extends SharedSlopeCoefficients {
  readonly excludedGroups: ReadonlyArray<{ readonly group: string; readonly reason: string }>
  readonly cells: ReadonlyArray<CellSummary>
  /** Cells that did not enter the fit (own exclusion or their group's). */
  readonly excluded: ReadonlyArray<CellSummary>
}

/** The coefficients of a shared-slope fit, without the cell bookkeeping. */
export interface SharedSlopeCoefficients {
  readonly alpha: number
  readonly alphaSe: number
  readonly intercepts: Readonly<Record<string, number>>
  readonly r2: number
  readonly adjustedR2: number
  readonly n: number
  readonly groups: ReadonlyArray<string>
}

/** Shared-slope OLS on already-computed medians: ln m = α·ρ + Σ_g c_g·1[group = g]. */
export const fitSharedSlopeMedians = (points: ReadonlyArray<MedianPoint>): SharedSlopeCoefficients => {
  const groups = groupsOf(points)
  const X = points.map((p) => [p.rho, ...groups.map((g) => ((p.group ?? "") === g ? 1 : 0))])
  const f = ols(
    X,
    points.map((p) => Math.log(p.median)),
    { intercept: false }
  )
  const intercepts: Record<string, number> = {}
  groups.forEach((g, i) => {
    intercepts[g] = f.coefficients[i + 1] as number
  })
  return {
    alpha: f.coefficients[0] as number,
    alphaSe: f.standardErrors[0] as number,
    intercepts,
    r2: f.r2,
    adjustedR2: f.adjustedR2,
    n: f.n,
    groups
  }
}

/** Decides which groups enter the shared fit; returns the kept points and the dropped groups with reasons. */
const selectSharedGroups = (summaries: ReadonlyArray<CellSummary>, dropIncomplete: boolean) => {
  const excludedGroups: { group: string; reason: string }[] = []
  const kept: string[] = []
  for (const group of groupsOf(summaries)) {
    const mine = summaries.filter((s) => s.group === group)
    const bad = mine.filter((s) => !s.included)
    if (dropIncomplete && bad.length > 0) {
      excludedGroups.push({
        group,
        reason: `excluded cell(s) at ρ = ${bad.map((s) => s.rho).join(", ")}: ${bad.map((s) => s.reason).join("; ")}`
      })
    } else if (distinctRhos(mine.filter((s) => s.included)) < 2) {
      excludedGroups.push({ group, reason: "fewer than two usable cells with distinct ρ" })
    } else kept.push(group)
  }
  return { kept, excludedGroups }
}

/** Shared-slope delay-law fit over groups (e.g. moduli); throws RangeError if nothing identifiable remains. */
export const fitSharedSlope = (cells: ReadonlyArray<DelayCell>, options: SharedSlopeOptions = {}): SharedSlopeFit => {
  const summaries = summarizeCells(cells, options)
  const { kept, excludedGroups } = selectSharedGroups(summaries, options.dropIncompleteGroups ?? true)
  if (kept.length === 0) throw new RangeError("fitSharedSlope: no group has two usable cells with distinct ρ")
  const inFit = (s: CellSummary): boolean => s.included && kept.includes(s.group)
  const fit = fitSharedSlopeMedians(toPoints(summaries.filter(inFit)))
  return { ...fit, excludedGroups, cells: summaries, excluded: summaries.filter((s) => !inFit(s)) }
}

/** The groups (and within them the cells) a shared-slope fit would use: exported for the bootstrap. */
export const sharedSlopeCellsInFit = (
  cells: ReadonlyArray<DelayCell>,
  options: SharedSlopeOptions = {}
): DelayCell[] => {
  const summaries = summarizeCells(cells, options)
  const { kept } = selectSharedGroups(summaries, options.dropIncompleteGroups ?? true)
  return cells.filter((_, i) => {
    const s = summaries[i] as CellSummary
    return s.included && kept.includes(s.group)
  })
}

/** Observed median at the highest ρ over the extrapolation of the fit on the lower ρ's (< 1: sub-exponential growth). */
export interface SaturationRatio {
  readonly ratio: number
  readonly rhoMax: number
  readonly observed: number
  readonly predicted: number
  /** The fit on the lower ρ's. */
  readonly fit: DelayLawFit
}

/**
 * Observed median of `top` over the extrapolation to its ρ of the delay law fitted on
 * `fitCells`. Paper A's 0.69 is the p-scan's ρ = 1.30 cell (its own 160k budget)
 * against the dense sweep's 9-point fit, so the top cell may come from another sweep;
 * throws RangeError when the top cell's median is not identified.
 */
export const saturationAgainstFit = (
  fitCells: ReadonlyArray<DelayCell>,
  top: DelayCell,
  options: DelayLawOptions = {}
): SaturationRatio => {
  const [summary] = summarizeCells([top], options)
  if (summary === undefined || !summary.included) {
    throw new RangeError(`saturationRatio: the ρ = ${top.rho} cell is excluded (${summary?.reason ?? "no cell"})`)
  }
  const fit = fitDelayLaw(fitCells, options)
  const predicted = Math.exp(predictLine({ intercept: fit.intercept, slope: fit.alpha }, top.rho))
  const observed = summary.median as number
  return { ratio: observed / predicted, rhoMax: top.rho, observed, predicted, fit }
}

/** Saturation ratio of one group's highest-ρ cell against the fit on its lower ρ's; throws RangeError if that cell is excluded or fewer than two lower ρ remain. */
export const saturationRatio = (cells: ReadonlyArray<DelayCell>, options: DelayLawOptions = {}): SaturationRatio => {
  if (cells.length === 0) throw new RangeError("saturationRatio: no cells")
  const rhoMax = Math.max(...cells.map((c) => c.rho))
  const tops = cells.filter((c) => c.rho === rhoMax)
  // Several cells at the top ρ are pooled into one cell (their seeds together).
  const top: DelayCell = { rho: rhoMax, tGrok: tops.flatMap((c) => [...c.tGrok]), group: tops[0]?.group }
  return saturationAgainstFit(cells.filter((c) => c.rho < rhoMax), top, options)
}
