import { describe, expect, it } from "vitest"
import { type CollapseCell, collapseRegressions } from "../../src/analysis/index.ts"

const grid = [1.0, 1.05, 1.1, 1.15].flatMap((rho) => [1.0, 1.3, 1.7].map((tau) => ({ rho, tau })))

describe("collapse regressions", () => {
  it("when ln T depends only on L: R²(L) = 1, ΔR² ≈ 0, and ρ alone explains less", () => {
    const cells: CollapseCell[] = grid.map(({ rho, tau }) => {
      const logitScale = (30 * rho ** 3) / tau
      return { logitScale, rho, tGrok: Math.exp(5 + 0.12 * logitScale) }
    })
    const r = collapseRegressions(cells)
    expect(r.r2L).toBeCloseTo(1, 10)
    expect(Math.abs(r.deltaR2)).toBeLessThan(1e-10)
    expect(r.r2Rho).toBeLessThan(0.5)
    expect(r.fitL.coefficients[1]).toBeCloseTo(0.12, 10)
    expect(r.n).toBe(12)
  })

  it("when ln T depends on ρ only: R²(ρ) = 1 and adding ρ to L raises R²", () => {
    const cells: CollapseCell[] = grid.map(({ rho, tau }) => ({
      logitScale: 20 + 5 * tau,
      rho,
      tGrok: Math.exp(1 + 7 * rho)
    }))
    const r = collapseRegressions(cells)
    expect(r.r2Rho).toBeCloseTo(1, 10)
    expect(r.r2L).toBeLessThan(0.01)
    expect(r.deltaR2).toBeGreaterThan(0.99)
  })
})
