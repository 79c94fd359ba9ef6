import { describe, expect, it } from "vitest"
import { cellMedian, censoredMedian } from "../../src/analysis/index.ts"

describe("censored cell medians", () => {
  it("treats censored seeds as +∞ when fewer than half are censored (differs from the grokked-only median)", () => {
    const times = [100, null, 300, 200, null]
    const m = cellMedian(times)
    expect(m.median).toBe(300)
    expect(m.grokked).toBe(3)
    expect(m.total).toBe(5)
    expect(m.excludedReason).toBeNull()
    expect(censoredMedian(times, "grokkedOnly")).toBe(200)
    expect(censoredMedian([10, 20, 30, null])).toBe(25)
    expect(censoredMedian([10, 20, 30, Number.POSITIVE_INFINITY])).toBe(25)
  })

  it("excludes a cell when more than half (or exactly half, for an even count) are censored", () => {
    const most = cellMedian([100, null, null, 200, null])
    expect(most.median).toBeNull()
    expect(most.excludedReason).toMatch(/3\/5 seeds censored/)
    const half = cellMedian([10, 20, null, null])
    expect(half.median).toBeNull()
    expect(half.excludedReason).toMatch(/half/)
    expect(cellMedian([null, null]).excludedReason).toMatch(/all 2/)
    expect(cellMedian([]).excludedReason).toBe("no seeds")
  })

  it("grokkedOnly keeps a cell with exactly half grokked (the released code's rule)", () => {
    expect(censoredMedian([10, 20, null, null], "grokkedOnly")).toBe(15)
    expect(censoredMedian([10, null, null], "grokkedOnly")).toBeNull()
  })

  it("rejects invalid seed times", () => {
    expect(() => cellMedian([1, Number.NaN])).toThrow(RangeError)
    expect(() => cellMedian([-5])).toThrow(RangeError)
  })
})
