/**
 * One held-norm cell: train at ‖W‖ = ρ·Wc (sustained clamp or one-shot rescale
 * from tInt on) and summarize. Every intervention stage builds on this, so a cell
 * shared by two stages (the sustained ρ=1 cell of clamp-sweep and of
 * projection-control, say) trains once.
 */
import { Effect } from "effect"
import type { StageContext } from "../engine/StageContext.ts"
import type { CellSpec, Model } from "../train/CellSpec.ts"
import { cellLabel, cellSpec } from "./cellSpecs.ts"
import { summarizeCell } from "./cellSummary.ts"
import type { TrainingConfig } from "./configFields.ts"
import { trainCached } from "./trainCached.ts"

export interface HeldCell {
  readonly p: number
  readonly lr: number
  readonly rho: number
  readonly wc: number
  readonly tInt: number
  readonly tau?: number
  readonly loss?: "ce" | "mse"
  readonly model?: Model
  readonly hold?: "sustained" | "one-shot"
  readonly numerics?: CellSpec["numerics"]
  readonly budget?: number
  readonly trainFraction?: number
  /** Extra label parts, e.g. the model variant's name. */
  readonly tag?: string
}

export const heldCell = (ctx: StageContext, config: TrainingConfig, cell: HeldCell) => {
  const targetNorm = cell.rho * cell.wc
  const tau = cell.tau ?? 1
  const budget = cell.budget ?? config.budget
  const label = cellLabel({
    "": cell.tag,
    p: cell.p,
    rho: cell.rho,
    lr: cell.lr,
    tau: tau === 1 ? undefined : tau,
    loss: cell.loss === "mse" ? "mse" : undefined,
    hold: cell.hold === "one-shot" ? "one-shot" : undefined,
    numerics: cell.numerics === "stable-audit" ? "audit" : undefined
  })
  const spec = cellSpec(config, {
    p: cell.p,
    lr: cell.lr,
    tau,
    loss: cell.loss,
    model: cell.model,
    numerics: cell.numerics,
    budget,
    intervention: { kind: cell.hold === "one-shot" ? "rescale" : "clamp", tInt: cell.tInt, targetNorm }
  })
  return Effect.map(trainCached(ctx, spec, label), (result) => ({
    summary: summarizeCell({ label, p: cell.p, lr: cell.lr, rho: cell.rho, tau, targetNorm, budget }, result),
    result
  }))
}

/** The free-training control of the same configuration (same seeds, init and split). */
export const freeCell = (
  ctx: StageContext,
  config: TrainingConfig,
  cell: Omit<HeldCell, "rho" | "wc" | "tInt" | "hold">
) => {
  const tau = cell.tau ?? 1
  const budget = cell.budget ?? config.budget
  const label = cellLabel({
    "": cell.tag,
    free: cell.loss ?? "ce",
    p: cell.p,
    frac: cell.trainFraction,
    lr: cell.lr,
    tau: tau === 1 ? undefined : tau
  })
  const spec = cellSpec(config, {
    p: cell.p,
    lr: cell.lr,
    tau,
    loss: cell.loss,
    model: cell.model,
    numerics: cell.numerics,
    budget,
    trainFraction: cell.trainFraction,
    intervention: { kind: "none" }
  })
  return Effect.map(trainCached(ctx, spec, label), (result) => ({
    summary: summarizeCell({ label, p: cell.p, lr: cell.lr, rho: null, tau, targetNorm: null, budget }, result),
    result
  }))
}
