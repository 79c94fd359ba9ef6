import { describe, expect, it } from "vitest"
import { createRng, cv, foldRange, geometricMean, mean, median, percentile, quantile, resampleIndices, sampleSd } from "../../src/analysis/index.ts"

describe("stats", () => {
  it("median of odd and even counts, ignoring non-finite values", () => {
    expect(median([5, 1, 3])).toBe(3)
    expect(median([4, 1, 3, 2])).toBe(2.5)
    expect(median([4, Number.NaN, 1, Number.POSITIVE_INFINITY, 3, null, 2])).toBe(2.5)
    expect(median([])).toBeNaN()
  })

  it("quantile and percentile interpolate linearly (numpy type 7)", () => {
    expect(quantile([1, 2, 3, 4], 0.25)).toBeCloseTo(1.75, 12)
    expect(quantile([10, 20], 0.9)).toBeCloseTo(19, 12)
    expect(percentile([4, 3, 2, 1], 75)).toBeCloseTo(3.25, 12)
    expect(quantile([7], 0.3)).toBe(7)
    expect(() => quantile([1, 2], 1.5)).toThrow(RangeError)
  })

  it("mean, sample sd, CV and geometric mean", () => {
    const xs = [2, 4, 4, 4, 5, 5, 7, 9]
    expect(mean(xs)).toBe(5)
    expect(sampleSd(xs)).toBeCloseTo(Math.sqrt(32 / 7), 12)
    expect(cv(xs)).toBeCloseTo(Math.sqrt(32 / 7) / 5, 12)
    expect(geometricMean([1, 4, 16])).toBeCloseTo(4, 12)
    expect(geometricMean([1, -4])).toBeNaN()
    expect(foldRange([3, 12, 6])).toBe(4)
  })

  it("the PRNG is deterministic per seed and differs across seeds", () => {
    const a = createRng(42)
    const b = createRng(42)
    const c = createRng(43)
    const sa = Array.from({ length: 5 }, () => a())
    expect(Array.from({ length: 5 }, () => b())).toEqual(sa)
    expect(Array.from({ length: 5 }, () => c())).not.toEqual(sa)
    for (const x of sa) expect(x >= 0 && x < 1).toBe(true)
    const idx = resampleIndices(createRng(1), 1000)
    expect(idx.every((i) => Number.isInteger(i) && i >= 0 && i < 1000)).toBe(true)
    expect(new Set(idx).size).toBeGreaterThan(550) // ≈ 1 − 1/e of units appear in a resample
    expect(new Set(idx).size).toBeLessThan(710)
    expect(mean(Array.from({ length: 20000 }, createRng(7)))).toBeCloseTo(0.5, 2)
  })
})
