/**
 * The critical norm Wc (paper A, docs/protocol.md §6.1): the median over seeds of ‖W‖ at T_grok under
 * free training, its spread across seeds and across configurations, its robustness
 * to the test-accuracy threshold, and how closely a clamped run groks at the held norm.
 */
import { cv, finiteValues, median } from "./stats.ts"

/** Wc of one configuration with its seed spread. */
export interface CriticalNorm {
  /** Median of the norms at grok over grokked seeds; null when no seed grokked. */
  readonly wc: number | null
  /** Sample CV across grokked seeds (null with fewer than two). */
  readonly cvSeeds: number | null
  readonly grokked: number
  readonly total: number
}

/** Wc from per-seed norms at T_grok (null for seeds that never grokked: they have no norm at grok). */
export const criticalNorm = (normsAtGrok: ReadonlyArray<number | null>): CriticalNorm => {
  const v = finiteValues(normsAtGrok)
  return {
    wc: v.length === 0 ? null : median(v),
    cvSeeds: v.length < 2 ? null : cv(v),
    grokked: v.length,
    total: normsAtGrok.length
  }
}

/** Sample CV of Wc across configurations (e.g. train fractions or lrs); the invariance claim is that this is small. */
export const cvAcrossConfigs = (wcs: ReadonlyArray<number>): number => {
  if (wcs.length < 2) throw new RangeError("cvAcrossConfigs: need at least two configurations")
  return cv(wcs)
}

/** One Wc measured with a given test-accuracy threshold for T_grok. */
export interface ThresholdWc {
  readonly threshold: number
  readonly wc: number
}

/** How much Wc moves with the grok threshold. */
export interface ThresholdRobustness {
  readonly reference: number
  readonly wcReference: number
  /** max over thresholds of |Wc(t) − Wc(ref)| / Wc(ref). */
  readonly maxRelativeChange: number
  /** (max Wc − min Wc) / Wc(ref) over all thresholds. */
  readonly relativeSpread: number
}

/** Threshold robustness of Wc relative to the reference threshold (default 0.9, the papers' T_grok threshold). */
export const thresholdRobustness = (
  byThreshold: ReadonlyArray<ThresholdWc>,
  reference = 0.9
): ThresholdRobustness => {
  const ref = byThreshold.find((t) => t.threshold === reference)
  if (ref === undefined) throw new RangeError(`thresholdRobustness: no Wc at the reference threshold ${reference}`)
  const wcs = byThreshold.map((t) => t.wc)
  return {
    reference,
    wcReference: ref.wc,
    maxRelativeChange: Math.max(...wcs.map((w) => Math.abs(w - ref.wc) / ref.wc)),
    relativeSpread: (Math.max(...wcs) - Math.min(...wcs)) / ref.wc
  }
}

/** Relative deviation of the norm at grok from the held norm ρ·Wc: |norm − held| / held ("groks at the held norm"). */
export const heldNormDeviation = (normAtGrok: number, heldNorm: number): number =>
  Math.abs(normAtGrok - heldNorm) / heldNorm

/** One seed's grok step and its evaluated norm trajectory. */
export interface SeedNormTrajectory {
  readonly tGrok: number | null
  readonly steps: ReadonlyArray<number>
  readonly norm: ReadonlyArray<number>
}

/**
 * Paper B's Wc: its calibration loop trains every seed until the last one groks (or
 * the budget) and takes the median, over the grokked seeds, of each seed's norm at
 * that exit step — not at the seed's own T_grok. Needs every trajectory to reach the
 * exit step (a cell trained with stopRule "all-seeds").
 */
export const criticalNormAtLastGrok = (
  seeds: ReadonlyArray<SeedNormTrajectory>,
  budget: number
): CriticalNorm & { readonly step: number } => {
  const grokked = seeds.flatMap((s) => (s.tGrok === null ? [] : [s.tGrok]))
  const step = grokked.length === seeds.length && grokked.length > 0 ? Math.max(...grokked) : budget
  const norms = seeds.map((s, i) => {
    if (s.tGrok === null) return null
    const at = s.steps.indexOf(step)
    if (at < 0) throw new RangeError(`criticalNormAtLastGrok: seed ${i} was not evaluated at step ${step} (it stopped before the last seed grokked)`)
    return s.norm[at] as number
  })
  return { ...criticalNorm(norms), step }
}

