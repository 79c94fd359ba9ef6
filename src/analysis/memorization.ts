/**
 * Memorization control (paper B, docs/protocol.md §6 B4): across the τ sweep, does τ move T_mem or only
 * the post-memorization gap T_grok − T_mem? Reports endpoint changes, the share of
 * the T_grok change carried by the gap, and fold ranges of T_grok, T_mem and the gap.
 */
import { foldRange } from "./stats.ts"

/** One τ cell with its median T_mem and median T_grok. */
export interface MemorizationCell {
  readonly tau: number
  readonly tMem: number
  readonly tGrok: number
}

/** How the τ effect splits between memorization and the gap after it. */
export interface MemorizationShare {
  readonly tauLow: number
  readonly tauHigh: number
  /** T(τ_low) − T(τ_high) for T_grok, T_mem and the gap (positive when raising τ shortens it). */
  readonly deltaTGrok: number
  readonly deltaTMem: number
  readonly deltaGap: number
  /** ΔT_mem / ΔT_grok: the fraction of the τ effect that memorization carries. */
  readonly memShare: number
  /** ΔGap / ΔT_grok = 1 − memShare: the fraction carried by T_grok − T_mem. */
  readonly gapShare: number
  /** max/min over the τ sweep of T_grok, T_mem and the gap. */
  readonly tGrokFold: number
  readonly tMemFold: number
  readonly gapFold: number
}

/** The memorization share over a τ sweep (≥ 2 cells, endpoints = lowest and highest τ). */
export const memorizationShare = (cells: ReadonlyArray<MemorizationCell>): MemorizationShare => {
  if (cells.length < 2) throw new RangeError("memorizationShare: need at least two τ cells")
  for (const c of cells) {
    if (!(Number.isFinite(c.tMem) && Number.isFinite(c.tGrok))) throw new RangeError("memorizationShare: non-finite time")
  }
  const sorted = [...cells].sort((a, b) => a.tau - b.tau)
  const lo = sorted[0] as MemorizationCell
  const hi = sorted[sorted.length - 1] as MemorizationCell
  const deltaTGrok = lo.tGrok - hi.tGrok
  const deltaTMem = lo.tMem - hi.tMem
  const deltaGap = deltaTGrok - deltaTMem
  const memShare = deltaTGrok !== 0 ? deltaTMem / deltaTGrok : Number.NaN
  return {
    tauLow: lo.tau,
    tauHigh: hi.tau,
    deltaTGrok,
    deltaTMem,
    deltaGap,
    memShare,
    gapShare: 1 - memShare,
    tGrokFold: foldRange(sorted.map((c) => c.tGrok)),
    tMemFold: foldRange(sorted.map((c) => c.tMem)),
    gapFold: foldRange(sorted.map((c) => c.tGrok - c.tMem))
  }
}
