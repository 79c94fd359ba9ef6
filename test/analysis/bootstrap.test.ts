import { describe, expect, it } from "vitest"
import {
  bootstrapDelayLaw,
  bootstrapMedianRatio,
  bootstrapSaturation,
  bootstrapSharedSlope,
  pairedMedianStatistic,
  spanOf,
  type DelayCell,
  fitDelayLaw,
  mean,
  pairedBootstrap,
  percentileInterval,
  pick,
  withinCellBootstrap
} from "../../src/analysis/index.ts"
import { delaySweep, normal } from "./synthetic.ts"
import { createRng } from "../../src/analysis/index.ts"

const rhos = [0.85, 0.9, 0.95, 1.0, 1.05, 1.1, 1.15, 1.2, 1.25]

describe("bootstrap", () => {
  it("percentile interval interpolates like numpy.percentile", () => {
    const xs = Array.from({ length: 101 }, (_, i) => i)
    const [lo, hi] = percentileInterval(xs, 0.95)
    expect(lo).toBeCloseTo(2.5, 12)
    expect(hi).toBeCloseTo(97.5, 12)
    const [lo90, hi90] = percentileInterval([...xs].reverse(), 0.9)
    expect(lo90).toBeCloseTo(5, 12)
    expect(hi90).toBeCloseTo(95, 12)
    expect(() => percentileInterval(xs, 1)).toThrow(RangeError)
  })

  it("the delay-law α CI covers the truth and is deterministic given the seed", () => {
    const cells = delaySweep({ seed: 5, c: 0.7, alpha: 7.6, rhos, seeds: 16, sigma: 0.3 })
    const a = bootstrapDelayLaw(cells, { seed: 1, resamples: 1000 })
    const b = bootstrapDelayLaw(cells, { seed: 1, resamples: 1000 })
    const c = bootstrapDelayLaw(cells, { seed: 2, resamples: 1000 })
    expect(b).toEqual(a)
    expect(c.lower).not.toBe(a.lower)
    expect(a.estimate).toBe(fitDelayLaw(cells).alpha)
    expect(a.lower).toBeLessThan(7.6)
    expect(a.upper).toBeGreaterThan(7.6)
    expect(a.lower).toBeLessThan(a.estimate)
    expect(a.upper).toBeGreaterThan(a.estimate)
    expect(a.upper - a.lower).toBeLessThan(1.5)
    expect(a.failed).toBe(0)
    expect(a.resamples).toBe(1000)
  })

  it("95% seed-bootstrap intervals cover the true α in most synthetic replications", () => {
    let covered = 0
    const reps = 40
    for (let r = 0; r < reps; r++) {
      const cells = delaySweep({ seed: 1000 + r, c: 0.7, alpha: 7.6, rhos, seeds: 16, sigma: 0.3 })
      const ci = bootstrapDelayLaw(cells, { seed: r, resamples: 300 })
      if (ci.lower <= 7.6 && 7.6 <= ci.upper) covered++
    }
    expect(covered / reps).toBeGreaterThanOrEqual(0.8)
  })

  it("a resample whose top cell loses its median is +∞, not dropped: the upper tail stays unbounded", () => {
    const cells: DelayCell[] = [
      { rho: 0.85, tGrok: [600, 700, 650, 680, 720, 640] },
      { rho: 1.0, tGrok: [2000, 2100, 1900, 2050, 1980, 2020] },
      // 2/6 censored: P(≥ 3 of 6 draws censored) = 1 − P(0, 1, 2) ≈ 0.32 of resamples.
      { rho: 1.15, tGrok: [9000, 9500, null, null, 9700, 9900] }
    ]
    const ci = bootstrapDelayLaw(cells, { seed: 3, resamples: 2000 })
    expect(ci.failed).toBe(0)
    expect(ci.upper).toBe(Number.POSITIVE_INFINITY)
    expect(Number.isFinite(ci.lower)).toBe(true)
    // Dropping those resamples (the old behaviour) would have given a finite upper bound.
    expect(ci.lower).toBeLessThan(ci.estimate)
  })

  it("a censored bottom cell pushes α down (−∞), and cells censored on both sides have no direction", () => {
    const bottom: DelayCell[] = [
      { rho: 0.85, tGrok: [600, null, null, 680, 720, 640] },
      { rho: 1.0, tGrok: [2000, 2100, 1900, 2050, 1980, 2020] },
      { rho: 1.15, tGrok: [9000, 9500, 9600, 9800, 9700, 9900] }
    ]
    expect(bootstrapDelayLaw(bottom, { seed: 5, resamples: 2000 }).lower).toBe(Number.NEGATIVE_INFINITY)
    const both: DelayCell[] = [bottom[0] as DelayCell, bottom[1] as DelayCell, { rho: 1.15, tGrok: [9000, 9500, null, null, 9700, 9900] }]
    const ci = bootstrapDelayLaw(both, { seed: 5, resamples: 2000 })
    // Both cells lose their median together in ≈ 0.32² ≈ 10% of resamples: undefined, counted as failed.
    expect(ci.failed).toBeGreaterThan(100)
    expect(ci.failed).toBeLessThan(400)
  })

  it("percentile interval keeps ±∞ samples in place and returns an infinite bound when the tail lands on one", () => {
    const xs = [...Array.from({ length: 90 }, (_, i) => i), ...Array.from({ length: 10 }, () => Number.POSITIVE_INFINITY)]
    const [lo, hi] = percentileInterval(xs, 0.95)
    expect(lo).toBeCloseTo(2.475, 10)
    expect(hi).toBe(Number.POSITIVE_INFINITY)
    expect(percentileInterval([Number.NaN, 1, 2, 3], 0.5)).toEqual([1.5, 2.5])
  })

  it("R² interval: the same resamples as α's, and a perfect law gives R² = 1 throughout", () => {
    const exact: DelayCell[] = [0.85, 1, 1.15].map((rho) => ({ rho, tGrok: [1, 1, 1].map(() => Math.exp(1 + 7.5 * rho)) }))
    const r2 = bootstrapDelayLaw(exact, { seed: 1, resamples: 200, statistic: "r2" })
    expect(r2.estimate).toBeCloseTo(1, 12)
    expect(r2.lower).toBeCloseTo(1, 12)
    const noisy = delaySweep({ seed: 11, c: 1, alpha: 7.5, rhos, seeds: 12, sigma: 0.2 })
    const ci = bootstrapDelayLaw(noisy, { seed: 2, resamples: 500, statistic: "r2" })
    expect(ci.lower).toBeLessThanOrEqual(ci.estimate)
    expect(ci.upper).toBeLessThanOrEqual(1)
    expect(ci.estimate).toBeCloseTo(fitDelayLaw(noisy).r2, 12)
  })

  it("median-ratio intervals: a span of exact cells is exact; a paired ratio of matched seeds is tighter than an unpaired one", () => {
    const span = bootstrapMedianRatio([[100, 100, 100], [300, 300, 300]], spanOf, { seed: 1, resamples: 100 })
    expect(span.estimate).toBe(3)
    expect([span.lower, span.upper]).toEqual([3, 3])
    // Seeds share a per-seed speed factor across the two cells, as matched seeding makes them.
    const rng = createRng(4)
    const speed = Array.from({ length: 12 }, () => Math.exp(0.4 * normal(rng)))
    const a = speed.map((s) => 1000 * s)
    const b = speed.map((s) => 3000 * s * Math.exp(0.05 * normal(rng)))
    const paired = pairedMedianStatistic([a, b], ([x, y]) => (y as number) / (x as number), { seed: 3, resamples: 2000 })
    const unpaired = bootstrapMedianRatio([a, b], ([x, y]) => (y as number) / (x as number), { seed: 3, resamples: 2000 })
    expect(paired.upper - paired.lower).toBeLessThan(unpaired.upper - unpaired.lower)
    expect(paired.lower).toBeLessThan(3.1)
    expect(paired.upper).toBeGreaterThan(2.9)
  })

  it("saturation CI: an exact law with the top cell at 0.69× its extrapolation gives 0.69; a top cell whose resamples censor beyond the budget is +∞", () => {
    const fitCells: DelayCell[] = [0.85, 0.95, 1.05, 1.15, 1.25].map((rho) => ({ rho, tGrok: [1, 1, 1, 1].map(() => Math.exp(0.4 + 7.6 * rho)) }))
    const top: DelayCell = { rho: 1.3, tGrok: [1, 1, 1, 1].map(() => 0.69 * Math.exp(0.4 + 7.6 * 1.3)) }
    const ci = bootstrapSaturation(fitCells, top, { seed: 1, resamples: 100 })
    expect(ci.estimate).toBeCloseTo(0.69, 10)
    expect(ci.lower).toBeCloseTo(0.69, 10)
    expect(ci.upper).toBeCloseTo(0.69, 10)
    // 1/5 censored: the point is identified, but ≈ 5.8% of resamples draw ≥ 3 censored seeds.
    const t = top.tGrok[0] as number
    const slow = bootstrapSaturation(fitCells, { rho: 1.3, tGrok: [t, t, null, t, t] }, { seed: 1, resamples: 2000 })
    expect(slow.upper).toBe(Number.POSITIVE_INFINITY)
  })

  it("the shared-slope CI covers the common α", () => {
    const cells = ["41", "53", "59", "71"].flatMap((g, i) =>
      delaySweep({ seed: 200 + i, c: 0.5 + 0.4 * i, alpha: 7.5, rhos: [0.85, 1, 1.15], seeds: 12, sigma: 0.25, group: g })
    )
    const ci = bootstrapSharedSlope(cells, { seed: 9, resamples: 800 })
    expect(ci.lower).toBeLessThan(7.5)
    expect(ci.upper).toBeGreaterThan(7.5)
    expect(ci.lower).toBeLessThan(ci.estimate)
    expect(ci.upper).toBeGreaterThan(ci.estimate)
  })

  it("a paired bootstrap keeps seed effects shared across arms (narrow CI) where independent resampling does not", () => {
    const rng = createRng(8)
    const seedEffect = Array.from({ length: 12 }, () => 10 * normal(rng))
    const armA = seedEffect.map((s) => s + 0.1 * normal(rng))
    const armB = seedEffect.map((s) => s + 1 + 0.1 * normal(rng))
    const paired = pairedBootstrap(12, (idx) => mean(pick(armB, idx)) - mean(pick(armA, idx)), { seed: 4 })
    const independent = withinCellBootstrap([armA, armB], ([a, b]) => mean(b ?? []) - mean(a ?? []), { seed: 4 })
    expect(paired.resamples).toBe(4000)
    expect(independent.resamples).toBe(3000)
    expect(paired.lower).toBeLessThan(1)
    expect(paired.upper).toBeGreaterThan(1)
    expect(paired.upper - paired.lower).toBeLessThan(0.3)
    expect(independent.upper - independent.lower).toBeGreaterThan(5)
    expect(pairedBootstrap(12, (idx) => mean(pick(armB, idx)) - mean(pick(armA, idx)), { seed: 4 })).toEqual(paired)
  })
})
