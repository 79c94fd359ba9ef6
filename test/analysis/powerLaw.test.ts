import { describe, expect, it } from "vitest"
import { bootstrapPowerLaw, createRng, fitPowerLaw } from "../../src/analysis/index.ts"
import { normal } from "./synthetic.ts"

describe("power law", () => {
  it("recovers β and the prefactor exactly, R² = 1", () => {
    const p = [29, 41, 59, 79, 97]
    const f = fitPowerLaw(
      p,
      p.map((x) => 11 * x ** 0.4)
    )
    expect(f.beta).toBeCloseTo(0.4, 10)
    expect(f.prefactor).toBeCloseTo(11, 8)
    expect(f.r2).toBeCloseTo(1, 12)
    expect(() => fitPowerLaw([1, 2], [1, -2])).toThrow(RangeError)
  })

  it("bootstraps β from per-seed norms at grok and covers the truth", () => {
    const rng = createRng(12)
    const groups = [31, 41, 53, 59, 71].map((p) => ({
      x: p,
      cells: [[
        ...Array.from({ length: 12 }, () => 9 * p ** 0.44 * Math.exp(0.02 * normal(rng))),
        null // one seed never grokked: no norm at grok
      ]]
    }))
    const { fit, beta } = bootstrapPowerLaw(groups, { seed: 1, resamples: 1000 })
    expect(Math.abs(fit.beta - 0.44)).toBeLessThan(0.03)
    expect(beta.estimate).toBe(fit.beta)
    expect(beta.lower).toBeLessThan(0.44)
    expect(beta.upper).toBeGreaterThan(0.44)
    expect(beta.upper - beta.lower).toBeLessThan(0.1)
  })
})
