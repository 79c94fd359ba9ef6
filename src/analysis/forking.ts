/**
 * Forking arms (paper B, docs/protocol.md §6 B6): four arms continue from one saved state at the fork
 * (free; clamp at the current norm N0 "same"; at ρ·N0 "raised"; at N0/ρ "lowered").
 * Delays are counted from the fork. Reports the raised/same delay ratio with a paired
 * seed-bootstrap CI and how many seeds order lowered < same < raised.
 */
import { type BootstrapInterval, type BootstrapOptions, pairedBootstrap } from "./bootstrap.ts"
import { censoredMedian, isCensored, type SeedTime } from "./censoring.ts"
import { pick } from "./rng.ts"
import { median } from "./stats.ts"

/** Per-seed delays from the fork: T_grok − t_fork (censored seeds stay null). */
export const delaysFromFork = (tGrok: ReadonlyArray<SeedTime>, tFork: number): SeedTime[] =>
  tGrok.map((t) => (isCensored(t) ? null : (t as number) - tFork))

/**
 * Which seeds enter the ratio: "bothGrokked" (default, as the papers' released code:
 * seeds where both same and raised grokked) or "all" (censored delays count as +∞,
 * median undefined when half or more are censored).
 */
export type ForkSeeds = "bothGrokked" | "all"

/** The raised/same ratio with its CI. */
export interface RaisedSameRatio {
  /** median(raised delays) / median(same delays): a ratio of medians, as in the released code. */
  readonly ratio: number
  readonly medianSame: number
  readonly medianRaised: number
  readonly seedsUsed: number
  readonly total: number
  readonly interval: BootstrapInterval
}

/**
 * Raised/same delay ratio as the ratio of the arms' median delays (not the median of
 * per-seed ratios), with a paired bootstrap over the seeds used (4000 resamples by default).
 */
export const raisedSameRatio = (
  same: ReadonlyArray<SeedTime>,
  raised: ReadonlyArray<SeedTime>,
  options: BootstrapOptions & { readonly seeds?: ForkSeeds }
): RaisedSameRatio => {
  if (same.length !== raised.length) throw new RangeError("raisedSameRatio: arms must have the same seeds (paired by index)")
  const mode = options.seeds ?? "bothGrokked"
  const used = same
    .map((_, i) => i)
    .filter((i) => mode === "all" || (!isCensored(same[i] as SeedTime) && !isCensored(raised[i] as SeedTime)))
  const s = pick(same, used)
  const r = pick(raised, used)
  const medians = (idx: ReadonlyArray<number>): [number, number] | null => {
    const ms = mode === "all" ? censoredMedian(pick(s, idx)) : median(pick(s, idx) as number[])
    const mr = mode === "all" ? censoredMedian(pick(r, idx)) : median(pick(r, idx) as number[])
    return ms === null || mr === null || !(ms > 0) ? null : [ms, mr]
  }
  if (used.length === 0) throw new RangeError("raisedSameRatio: no seed grokked in both arms")
  const point = medians(used.map((_, i) => i))
  if (point === null) throw new RangeError("raisedSameRatio: median delay not identified or not positive")
  const interval = pairedBootstrap(
    used.length,
    (idx) => {
      const m = medians(idx)
      return m === null ? null : m[1] / m[0]
    },
    options
  )
  return {
    ratio: point[1] / point[0],
    medianSame: point[0],
    medianRaised: point[1],
    seedsUsed: used.length,
    total: same.length,
    interval
  }
}

/** Per-seed delays of the three clamped arms, seeds matched by index. */
export interface ForkArms {
  readonly lowered: ReadonlyArray<SeedTime>
  readonly same: ReadonlyArray<SeedTime>
  readonly raised: ReadonlyArray<SeedTime>
}

/** Seeds ordered lowered < same < raised (strict; a censored delay counts as +∞, so two censored arms never order). */
export const orderingCount = (
  arms: ForkArms
): { readonly monotone: number; readonly total: number; readonly perSeed: ReadonlyArray<boolean> } => {
  const n = arms.same.length
  if (arms.lowered.length !== n || arms.raised.length !== n) throw new RangeError("orderingCount: arms differ in seed count")
  const v = (t: SeedTime): number => (isCensored(t) ? Number.POSITIVE_INFINITY : (t as number))
  const perSeed = arms.same.map((_, i) => {
    const lo = v(arms.lowered[i] as SeedTime)
    const sa = v(arms.same[i] as SeedTime)
    const ra = v(arms.raised[i] as SeedTime)
    return lo < sa && sa < ra
  })
  return { monotone: perSeed.filter(Boolean).length, total: n, perSeed }
}
