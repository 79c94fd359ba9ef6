/** Log-axis tick choice: enough labels for wide, narrow and tiny ranges. */
import { describe, expect, it } from "vitest"
import { logTicks } from "../../src/figures/specs/common.ts"

describe("logTicks", () => {
  it("uses 1-2-5 per decade over a wide range", () => {
    expect(logTicks([718, 73966])).toEqual([1000, 2000, 5000, 10000, 20000, 50000])
  })
  it("falls back to 1…9 per decade under about a decade", () => {
    expect(logTicks([3450, 12600])).toEqual([4000, 5000, 6000, 7000, 8000, 9000, 10000])
  })
  it("gives evenly spaced labels for a narrow range (as a smoke run has)", () => {
    const ticks = logTicks([175, 200])
    expect(ticks.length).toBeGreaterThanOrEqual(2)
    expect(Math.min(...ticks)).toBeGreaterThanOrEqual(175)
    expect(Math.max(...ticks)).toBeLessThanOrEqual(200)
  })
  it("ignores nulls and non-positive values, and survives no data", () => {
    expect(logTicks([null, 0, -3, 1000, 30000])).toContain(10000)
    expect(logTicks([]).length).toBeGreaterThan(0)
    expect(logTicks([500, 500]).length).toBeGreaterThanOrEqual(1)
  })
})
