/** Synthetic data with known answers for the analysis tests (not a test file itself). */
import { createRng, type Rng } from "../../src/analysis/index.ts"

/** A standard normal draw (Box–Muller). */
export const normal = (rng: Rng): number => {
  const u = 1 - rng()
  const v = rng()
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
}

/** Per-seed T_grok for one cell: exp(c + α·ρ) × lognormal(0, sigma) noise, rounded to whole steps. */
export const delayCellTimes = (rng: Rng, c: number, alpha: number, rho: number, seeds: number, sigma: number): number[] =>
  Array.from({ length: seeds }, () => Math.round(Math.exp(c + alpha * rho + sigma * normal(rng))))

/** A dense ρ sweep of delay cells with lognormal seed noise. */
export const delaySweep = (opts: {
  readonly seed: number
  readonly c: number
  readonly alpha: number
  readonly rhos: ReadonlyArray<number>
  readonly seeds: number
  readonly sigma: number
  readonly group?: string
}) => {
  const rng = createRng(opts.seed)
  return opts.rhos.map((rho) => ({
    rho,
    group: opts.group ?? "",
    tGrok: delayCellTimes(rng, opts.c, opts.alpha, rho, opts.seeds, opts.sigma) as Array<number | null>
  }))
}
