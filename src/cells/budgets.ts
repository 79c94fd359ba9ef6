/**
 * Per-cell step budgets as the papers' released code ran them (docs/protocol.md §8):
 * a budget may depend on ρ (the dense sweep: 8k … 66k) and grow with p (the p-scan:
 * × max(1, p/59), rounded to 1k). A budget only matters for seeds that would
 * censor, but a flat budget censors half the seeds of a slow cell and drops it from
 * the fits, so the budgets are part of the protocol.
 */
import { Schema } from "effect"
import { PositiveInt, PositiveNumber, withDefault } from "./configFields.ts"

export const RhoBudget = Schema.Struct({ rho: PositiveNumber, budget: PositiveInt })
export type RhoBudget = typeof RhoBudget.Type

export const budgetFields = {
  /** Per-ρ budgets; a ρ not listed uses `budget`. */
  budgetByRho: withDefault(Schema.Array(RhoBudget), []),
  /** Paper A's p-scan: scale each budget by max(1, p/59), rounded to 1k steps. */
  budgetScalesWithP: withDefault(Schema.Boolean, false)
}

export interface BudgetConfig {
  readonly budget: number
  readonly budgetByRho: ReadonlyArray<RhoBudget>
  readonly budgetScalesWithP: boolean
}

/** ρ values are compared to 1e-9 so 1.1 written as 1.10 (or 1.1000000001 from arithmetic) still matches. */
export const budgetFor = (config: BudgetConfig, p: number, rho: number): number => {
  const base = config.budgetByRho.find((b) => Math.abs(b.rho - rho) < 1e-9)?.budget ?? config.budget
  return config.budgetScalesWithP ? Math.round((base * Math.max(1, p / 59)) / 1000) * 1000 : base
}
