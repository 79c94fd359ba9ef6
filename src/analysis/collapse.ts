/**
 * Collapse regressions (paper B, docs/protocol.md §6 B2): over the ρ × τ grid, how much of ln T_grok the
 * effective logit scale L explains alone, how much ρ explains alone, and what ρ adds
 * on top of L (ΔR² = R²(L+ρ) − R²(L)). Small ΔR² means the norm acts through L.
 */
import { type OlsFit, ols } from "./ols.ts"

/** One grid cell: its effective logit scale, its ρ, and its median T_grok. */
export interface CollapseCell {
  readonly logitScale: number
  readonly rho: number
  readonly tGrok: number
}

/** R² of ln T on L, on ρ, and on L + ρ (each with an intercept), and the increment ρ adds. */
export interface CollapseResult {
  readonly r2L: number
  readonly r2Rho: number
  readonly r2LRho: number
  readonly deltaR2: number
  readonly fitL: OlsFit
  readonly fitRho: OlsFit
  readonly fitLRho: OlsFit
  readonly n: number
}

/** The three collapse regressions over cells; needs ≥ 4 cells with L and ρ not collinear. */
export const collapseRegressions = (cells: ReadonlyArray<CollapseCell>): CollapseResult => {
  for (const c of cells) {
    if (!(c.tGrok > 0)) throw new RangeError(`collapseRegressions: invalid T_grok ${c.tGrok}`)
  }
  const y = cells.map((c) => Math.log(c.tGrok))
  const fitL = ols(
    cells.map((c) => [c.logitScale]),
    y
  )
  const fitRho = ols(
    cells.map((c) => [c.rho]),
    y
  )
  const fitLRho = ols(
    cells.map((c) => [c.logitScale, c.rho]),
    y
  )
  return {
    r2L: fitL.r2,
    r2Rho: fitRho.r2,
    r2LRho: fitLRho.r2,
    deltaR2: fitLRho.r2 - fitL.r2,
    fitL,
    fitRho,
    fitLRho,
    n: cells.length
  }
}
