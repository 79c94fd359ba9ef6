/**
 * Schema building blocks the figure kinds share (src/figures/kinds/*.ts), in the
 * papers' own language (ρ, τ, L, Wc, T_grok, T_mem).
 *
 * Conventions used throughout:
 * - `medianTGrok` is the cell statistic of paper A §4: the median T_grok over the
 *   grokked seeds, in optimizer steps counted from step 0; `null` when no seed of the
 *   cell grokked within its budget (the cell is right-censored, not dropped).
 * - `ciLow`/`ciHigh` are a 95% bootstrap percentile interval of the same statistic
 *   (omitted when the stage has none).
 * - A fitted exponential delay law is ln T = intercept + α·x (OLS of ln median T_grok).
 *
 * Numbers are `Schema.Number`, not `Finite`: a figure is data already computed and
 * stored; decoding checks its shape, and a NaN cannot survive the JSON store anyway.
 */
import { Schema } from "effect"

/** A 95% interval as [low, high]. */
export const Interval = Schema.Tuple([Schema.Number, Schema.Number])
export type Interval = typeof Interval.Type

/** The outcome of one training cell (one configuration × its seeds). */
export const cellOutcomeFields = {
  /** Median T_grok over grokked seeds (steps); null when none grokked. */
  medianTGrok: Schema.NullOr(Schema.Number),
  ciLow: Schema.optional(Schema.Number),
  ciHigh: Schema.optional(Schema.Number),
  /** Seeds that crossed test accuracy ≥ 0.90 within the budget. */
  grokked: Schema.optional(Schema.Number),
  total: Schema.optional(Schema.Number)
}
export const CellOutcome = Schema.Struct(cellOutcomeFields)
export type CellOutcome = typeof CellOutcome.Type

/** ln T = intercept + α·x, fitted by OLS on the log-medians. */
export const exponentialFitFields = {
  alpha: Schema.Number,
  alphaCi: Schema.optional(Interval),
  intercept: Schema.Number,
  r2: Schema.Number,
  /** The x range the fit used; the line is drawn solid here and dashed beyond. */
  fitRange: Schema.optional(Interval)
}
export const ExponentialFit = Schema.Struct(exponentialFitFields)
export type ExponentialFit = typeof ExponentialFit.Type

/** One cell of a temperature sweep (paper B). */
export const TemperatureCell = Schema.Struct({
  ...cellOutcomeFields,
  rho: Schema.Number,
  /** Output temperature: logits are divided by τ before loss, accuracy and L. */
  tau: Schema.Number,
  /** Effective logit scale: mean ‖z/τ‖₂ over all p² pairs and seeds, at the logged
   *  step nearest the cell's median T_grok. */
  L: Schema.Number
})
export type TemperatureCell = typeof TemperatureCell.Type
