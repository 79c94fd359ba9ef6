import { describe, expect, it } from "vitest"
import { createRng, fitLine, ols, predictLine } from "../../src/analysis/index.ts"

describe("ols", () => {
  it("recovers an exact line with R² = 1 and zero residuals", () => {
    const x = [0.85, 0.9, 1.0, 1.1, 1.25]
    const f = fitLine(
      x,
      x.map((v) => 2 + 3 * v)
    )
    expect(f.intercept).toBeCloseTo(2, 10)
    expect(f.slope).toBeCloseTo(3, 10)
    expect(f.r2).toBeCloseTo(1, 12)
    for (const e of f.residuals) expect(Math.abs(e)).toBeLessThan(1e-10)
    expect(predictLine(f, 2)).toBeCloseTo(8, 10)
  })

  it("matches a hand-computed regression: coefficients, R², adjusted R², standard errors", () => {
    const f = fitLine([1, 2, 3, 4, 5], [1, 3, 2, 5, 4])
    expect(f.slope).toBeCloseTo(0.8, 12)
    expect(f.intercept).toBeCloseTo(0.6, 12)
    expect(f.r2).toBeCloseTo(0.64, 12)
    expect(f.adjustedR2).toBeCloseTo(0.52, 12)
    expect(f.slopeSe).toBeCloseTo(Math.sqrt(1.2 / 10), 12)
    expect(f.interceptSe).toBeCloseTo(Math.sqrt(1.32), 12)
    expect(f.residuals.map((e) => Number(e.toFixed(10)))).toEqual([-0.4, 0.8, -1, 1.2, -0.6])
  })

  it("handles a multi-column design and the no-intercept option", () => {
    const rng = createRng(3)
    const X = Array.from({ length: 30 }, () => [rng(), rng() * 10])
    const y = X.map(([a, b]) => 1 - 2 * (a as number) + 0.5 * (b as number))
    const f = ols(X, y)
    expect(f.coefficients[0]).toBeCloseTo(1, 9)
    expect(f.coefficients[1]).toBeCloseTo(-2, 9)
    expect(f.coefficients[2]).toBeCloseTo(0.5, 9)
    expect(f.k).toBe(3)
    const g = ols(
      X.map(([a]) => [a as number]),
      X.map(([a]) => 4 * (a as number)),
      { intercept: false }
    )
    expect(g.coefficients).toHaveLength(1)
    expect(g.coefficients[0]).toBeCloseTo(4, 10)
  })

  it("rejects rank-deficient designs and too few observations", () => {
    expect(() => fitLine([1, 1, 1], [1, 2, 3])).toThrow(/rank-deficient/)
    expect(() =>
      ols(
        [
          [1, 2],
          [2, 4],
          [3, 6]
        ],
        [1, 2, 3]
      )
    ).toThrow(/rank-deficient/)
    expect(() => fitLine([1], [1])).toThrow(RangeError)
  })
})
