import { describe, expect, it } from "vitest"
import { delaysFromFork, orderingCount, raisedSameRatio } from "../../src/analysis/index.ts"

describe("forking arms", () => {
  it("delays are counted from the fork; censored seeds stay censored", () => {
    expect(delaysFromFork([1800, null, 2300], 800)).toEqual([1000, null, 1500])
  })

  it("counts seeds ordered lowered < same < raised, censored as +∞", () => {
    const c = orderingCount({
      lowered: [100, 200, 300, 100, 100],
      same: [300, 250, 200, null, 400],
      raised: [900, null, 800, null, 400]
    })
    expect(c.perSeed).toEqual([true, true, false, false, false])
    expect(c.monotone).toBe(2)
    expect(c.total).toBe(5)
  })

  it("raised/same is a ratio of medians over seeds where both grokked, with a paired CI", () => {
    const same = [1000, 1100, 1200, 900, 1050, null]
    const raised = [3300, 3500, 4000, 3000, 3400, 3600]
    const r = raisedSameRatio(same, raised, { seed: 2, resamples: 2000 })
    expect(r.seedsUsed).toBe(5)
    expect(r.total).toBe(6)
    expect(r.medianSame).toBe(1050)
    expect(r.medianRaised).toBe(3400)
    expect(r.ratio).toBeCloseTo(3400 / 1050, 12)
    // Not the median of per-seed ratios (which is 3.3 here).
    expect(r.ratio).not.toBeCloseTo(3.3, 3)
    expect(r.interval.lower).toBeLessThanOrEqual(r.ratio)
    expect(r.interval.upper).toBeGreaterThanOrEqual(r.ratio)
    expect(r.interval.lower).toBeGreaterThan(2.5)
    expect(r.interval.upper).toBeLessThan(4.5)
    expect(raisedSameRatio(same, raised, { seed: 2, resamples: 2000 })).toEqual(r)
  })

  it("the 'all' mode keeps censored seeds as +∞", () => {
    const same = [1000, 1100, 1200, 900, 1050]
    const raised = [3300, null, 4000, 3000, 3400]
    const r = raisedSameRatio(same, raised, { seed: 1, resamples: 200, seeds: "all" })
    expect(r.seedsUsed).toBe(5)
    expect(r.medianRaised).toBe(3400) // 3000, 3300, 3400, 4000, +∞
    expect(r.ratio).toBeCloseTo(3400 / 1050, 12)
    const both = raisedSameRatio(same, raised, { seed: 1, resamples: 200 })
    expect(both.seedsUsed).toBe(4)
    expect(both.ratio).toBeCloseTo(3350 / 1025, 12)
    expect(r.interval.failed).toBeGreaterThanOrEqual(0)
  })
})
