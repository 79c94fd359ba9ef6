/** Small conversions the stages' figure feeds share (stored results → figure fields). */
import type { CellSummary } from "../../src/outputs/cellSummary.ts"
import type { CellOutcome, ExponentialFit, Interval, TemperatureCell } from "../../src/figures/index.ts"
import type { BootstrapEstimate as StoredInterval } from "../../src/outputs/bootstrapEstimate.ts"
import type { GroupFit } from "../../src/fits/sweepFits.ts"

export const fmt = (x: number, digits = 3): string => Number(x.toPrecision(digits)).toString()

export const ciOf = (i: StoredInterval | null | undefined): Interval | undefined =>
  i === null || i === undefined || i.lower === null || i.upper === null ? undefined : [i.lower, i.upper]

export const ciText = (i: StoredInterval | null | undefined): string => {
  const ci = ciOf(i)
  return ci === undefined ? "" : ` [${fmt(ci[0])}, ${fmt(ci[1])}]`
}

export const outcomeOf = (c: GroupFit["cells"][number]): CellOutcome => ({
  medianTGrok: c.median,
  ...(c.lower !== null && c.upper !== null ? { ciLow: c.lower, ciHigh: c.upper } : {}),
  grokked: c.grokked,
  total: c.total
})

export const exponentialFit = (fit: GroupFit): ExponentialFit | null => {
  if (fit.alpha === null || fit.intercept === null || fit.r2 === null) return null
  const rhos = fit.cells.filter((c) => c.median !== null).map((c) => c.rho)
  const alphaCi = ciOf(fit.alpha)
  return {
    alpha: fit.alpha.estimate,
    ...(alphaCi === undefined ? {} : { alphaCi }),
    intercept: fit.intercept,
    r2: fit.r2,
    fitRange: [Math.min(...rhos), Math.max(...rhos)]
  }
}

/** A cell of paper B's temperature figures; none without a measured logit scale L. */
export const temperatureCell = (c: CellSummary): TemperatureCell | null =>
  c.logitScale === null
    ? null
    : { rho: c.rho ?? 1, tau: c.tau, L: c.logitScale, medianTGrok: c.medianTGrok, grokked: c.grokked, total: c.total }
