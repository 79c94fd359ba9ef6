/**
 * Power law y = A·x^β by OLS on log–log (paper A: Wc ∝ p^β), with an optional
 * seed bootstrap that resamples the per-seed values behind each x's y.
 */
import { type BootstrapInterval, type BootstrapOptions, withinCellBootstrap } from "./bootstrap.ts"
import { fitLine } from "./ols.ts"
import { finiteValues, mean, median } from "./stats.ts"

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

/**
 * One x (e.g. modulus p) with the per-seed values behind its y, in one or more cells
 * (e.g. norms at grok of each train fraction at that p; null = did not grok). The
 * cells are pooled for y and resampled separately by the bootstrap.
 */
export interface PowerLawGroup {
  readonly x: number
  readonly cells: ReadonlyArray<ReadonlyArray<number | null>>
}

export interface PowerLawOptions extends BootstrapOptions {
  /** y of a group: the median (default) or the mean of its pooled finite values
   * (paper A's Wc ∝ p^β: the mean over seeds and train fractions at each p). */
  readonly center?: "median" | "mean"
}

/** Power law on each group's pooled center, with a within-cell seed-bootstrap CI of β (3000 resamples by default). */
export const bootstrapPowerLaw = (
  groups: ReadonlyArray<PowerLawGroup>,
  options: PowerLawOptions
): { readonly fit: PowerLawFit; readonly beta: BootstrapInterval } => {
  const xs = groups.map((g) => g.x)
  const center = options.center === "mean" ? mean : median
  // Which group each flat cell belongs to, so a resample of the cells pools back by x.
  const owner = groups.flatMap((g, gi) => g.cells.map(() => gi))
  const ysOf = (cells: ReadonlyArray<ReadonlyArray<number | null>>): number[] | null => {
    const ys = groups.map((_, gi) => {
      const pooled = finiteValues(cells.filter((_, ci) => owner[ci] === gi).flat())
      return pooled.length === 0 ? Number.NaN : center(pooled)
    })
    return ys.every((v) => v > 0) ? ys : null
  }
  const flatCells = groups.flatMap((g) => g.cells)
  const ys = ysOf(flatCells)
  if (ys === null) throw new RangeError("bootstrapPowerLaw: a group has no positive finite value")
  const fit = fitPowerLaw(xs, ys)
  const beta = withinCellBootstrap(
    flatCells,
    (cells) => {
      const m = ysOf(cells)
      return m === null ? null : fitPowerLaw(xs, m).beta
    },
    options
  )
  return { fit, beta: { ...beta, estimate: fit.beta } }
}
