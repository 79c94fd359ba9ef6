/**
 * Power law y = A·x^β by OLS on log–log (paper A: Wc ∝ p^β), with an optional
 * seed bootstrap that resamples the per-seed values behind each x's median.
 */
import { type BootstrapInterval, type BootstrapOptions, withinCellBootstrap } from "./bootstrap.ts"
import { fitLine } from "./ols.ts"
import { finiteValues, median } from "./stats.ts"

/** A fitted power law y = prefactor · x^beta. */
export interface PowerLawFit {
  readonly beta: number
  readonly betaSe: number
  readonly prefactor: number
  /** R² of the log–log regression. */
  readonly r2: number
  readonly n: number
}

/** OLS of ln y on ln x; all x and y must be positive and finite, with two distinct x. */
export const fitPowerLaw = (x: ReadonlyArray<number>, y: ReadonlyArray<number>): PowerLawFit => {
  if (x.length !== y.length) throw new RangeError("fitPowerLaw: x and y differ in length")
  for (const v of [...x, ...y]) if (!(v > 0 && Number.isFinite(v))) throw new RangeError(`fitPowerLaw: non-positive value ${v}`)
  const f = fitLine(
    x.map(Math.log),
    y.map(Math.log)
  )
  return { beta: f.slope, betaSe: f.slopeSe, prefactor: Math.exp(f.intercept), r2: f.r2, n: f.n }
}

/** One x (e.g. modulus p) with the per-seed values whose median is its y (e.g. norms at grok; null = did not grok). */
export interface PowerLawGroup {
  readonly x: number
  readonly values: ReadonlyArray<number | null>
}

/** Power law on per-group medians plus a within-group seed-bootstrap CI of β (3000 resamples by default). */
export const bootstrapPowerLaw = (
  groups: ReadonlyArray<PowerLawGroup>,
  options: BootstrapOptions
): { readonly fit: PowerLawFit; readonly beta: BootstrapInterval } => {
  const xs = groups.map((g) => g.x)
  const medians = (vals: ReadonlyArray<ReadonlyArray<number | null>>): number[] | null => {
    const m = vals.map((v) => (finiteValues(v).length === 0 ? Number.NaN : median(v)))
    return m.every((v) => v > 0) ? m : null
  }
  const ys = medians(groups.map((g) => g.values))
  if (ys === null) throw new RangeError("bootstrapPowerLaw: a group has no positive finite value")
  const fit = fitPowerLaw(xs, ys)
  const beta = withinCellBootstrap(
    groups.map((g) => g.values),
    (vals) => {
      const m = medians(vals)
      return m === null ? null : fitPowerLaw(xs, m).beta
    },
    options
  )
  return { fit, beta: { ...beta, estimate: fit.beta } }
}
