/**
 * Cost estimates for `run --dry-run`: an upper bound (every seed to its budget) and
 * an expected time from a model of T_grok, using the training throughput measured
 * by `npm run bench -- train` on the 2-core reference machine (model-steps per
 * second, both workers).
 *
 * The model of T_grok is calibrated on grokflow's own measurements, not on the
 * papers' numbers (those live only in pipeline/claims): the `faithful` profile's free
 * control at p = 59, frac 0.4, lr 1e-3, λ = 1 (median T_grok 4625, slowest of 8 seeds
 * 1.37× the median) and its clamp sweep (ρ = 1 at 0.79× the free median; α = 6.3
 * over ρ 0.85–1.00), with the lr dependence of quick's lr lever (T ∝ lr^−0.6). Above
 * ρ = 1 the measured law steepens, so high-ρ cells are underestimated. A cell runs
 * until its slowest seed groks, so its expected length is that factor × the median,
 * capped by its budget. τ, p, the loss and the model are not in the model: the
 * estimate is a planning figure, of the right order, not a prediction.
 */
import type { Estimate } from "../engine/Stage.ts"

/** Measured model-steps/s over two single-threaded wasm workers, p=59 (src/train/README.md),
 * less ~10% for evaluations. */
export const MEASURED_MODEL_STEPS_PER_SECOND = { mlp: 110, attention: 6 } as const

/** grokflow's measured T_grok model (see the module comment). */
export const TGROK_MODEL = {
  freeMedian: 4625,
  slowestSeedFactor: 1.37,
  clampAtRho1: 0.79,
  alpha: 6.3,
  lrExponent: -0.6
} as const

/** Expected median T_grok of a cell: free training (rho null) or held at ρ·Wc. */
export const expectedMedianTGrok = (cell: { readonly rho: number | null; readonly lr: number }): number => {
  const lrFactor = (cell.lr / 1e-3) ** TGROK_MODEL.lrExponent
  const held = cell.rho === null ? 1 : TGROK_MODEL.clampAtRho1 * Math.exp(TGROK_MODEL.alpha * (cell.rho - 1))
  return TGROK_MODEL.freeMedian * lrFactor * held
}

/** Expected steps a cell trains: its slowest seed's T_grok, capped by the budget. */
export const expectedCellSteps = (cell: { readonly rho: number | null; readonly lr: number; readonly budget: number }): number =>
  Math.min(cell.budget, TGROK_MODEL.slowestSeedFactor * expectedMedianTGrok(cell))

const fmtHours = (hours: number): string => (hours < 1 ? `${Math.ceil(hours * 60)} min` : `${hours.toFixed(1)} h`)

const hoursOf = (seedSteps: number, model: keyof typeof MEASURED_MODEL_STEPS_PER_SECOND): number =>
  seedSteps / MEASURED_MODEL_STEPS_PER_SECOND[model] / 3600

const described = (cells: number, seeds: number, steps: number, hours: number, expected: number | null): Estimate => ({
  cells,
  seeds,
  steps,
  hours,
  ...(expected === null ? {} : { expectedHours: expected }),
  description: `${cells} cells × ${seeds} seeds × ≤${steps} steps: at most ${fmtHours(hours)}${
    expected === null ? "" : `, expected ≈ ${fmtHours(expected)}`
  } on 2 cores`
})

/** Upper bound of `cells` cells of `seeds` seeds each run to `steps`. */
export const estimateOf = (
  cells: number,
  seeds: number,
  steps: number,
  model: keyof typeof MEASURED_MODEL_STEPS_PER_SECOND = "mlp"
): Estimate => described(cells, seeds, steps, hoursOf(cells * seeds * steps, model), null)

/** A grid of cells with per-cell budgets: the bound sums each cell's own budget, and
 * the expectation each cell's expected steps (expectedCellSteps). */
export const estimateOfCells = (
  cells: ReadonlyArray<{ readonly rho: number | null; readonly lr: number; readonly budget: number }>,
  seeds: number,
  model: keyof typeof MEASURED_MODEL_STEPS_PER_SECOND = "mlp"
): Estimate => {
  const bound = cells.reduce((a, c) => a + c.budget, 0)
  const expected = cells.reduce((a, c) => a + expectedCellSteps(c), 0)
  return described(cells.length, seeds, Math.max(0, ...cells.map((c) => c.budget)), hoursOf(bound * seeds, model), hoursOf(expected * seeds, model))
}
