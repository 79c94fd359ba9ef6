/** A point estimate with its 95% bootstrap interval, as stages store it (a figure
 * draws only the interval: src/figures/fields.ts `Interval`, a [lower, upper] pair). */
import { Schema } from "effect"
import type { BootstrapInterval } from "../analysis/index.ts"

export const BootstrapEstimate = Schema.Struct({
  estimate: Schema.Finite,
  lower: Schema.NullOr(Schema.Finite),
  upper: Schema.NullOr(Schema.Finite),
  /** Resamples whose statistic was undefined (e.g. a resampled cell mostly censored). */
  undefinedResamples: Schema.Int
})
export type BootstrapEstimate = typeof BootstrapEstimate.Type

const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null)

export const estimateOf = (b: BootstrapInterval): BootstrapEstimate => ({
  estimate: b.estimate,
  lower: finiteOrNull(b.lower),
  upper: finiteOrNull(b.upper),
  undefinedResamples: b.failed
})
