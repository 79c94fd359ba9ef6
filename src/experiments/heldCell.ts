/**
 * One held-norm cell: train at ‖W‖ = ρ·Wc (sustained clamp or one-shot rescale
 * from tInt on) and summarize. Every intervention stage builds on this, so a cell
 * shared by two stages (the sustained ρ=1 cell of clamp-sweep and of
 * projection-control, say) trains once.
 */
import { Effect } from "effect"
import type { StageContext } from "../engine/StageContext.ts"
import type { CellSpec, Intervention, Model } from "../train/CellSpec.ts"
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

type CellBase = Omit<HeldCell, "rho" | "wc" | "tInt" | "hold">

/** Trains one cell of `base` under `intervention` and summarizes it. */
const trainSummarized = (
  ctx: StageContext,
  config: TrainingConfig,
  base: CellBase,
  intervention: Intervention,
  labelParts: Record<string, number | string | undefined>
) => {
  const tau = base.tau ?? 1
  const budget = base.budget ?? config.budget
  const held = intervention.kind === "clamp" || intervention.kind === "rescale" ? intervention.targetNorm : null
  const rho = typeof labelParts.rho === "number" ? labelParts.rho : null
  const label = cellLabel({ "": base.tag, ...labelParts, tau: tau === 1 ? undefined : tau })
  const spec = cellSpec(config, {
    p: base.p,
    lr: base.lr,
    tau,
    loss: base.loss,
    model: base.model,
    numerics: base.numerics,
    budget,
    trainFraction: base.trainFraction,
    intervention
  })
  return Effect.map(trainCached(ctx, spec, label), (result) => ({
    summary: summarizeCell({ label, p: base.p, lr: base.lr, rho, tau, targetNorm: held, budget }, result),
    result
  }))
}

export const heldCell = (ctx: StageContext, config: TrainingConfig, cell: HeldCell) =>
  trainSummarized(
    ctx,
    config,
    cell,
    { kind: cell.hold === "one-shot" ? "rescale" : "clamp", tInt: cell.tInt, targetNorm: cell.rho * cell.wc },
    {
      p: cell.p,
      rho: cell.rho,
      lr: cell.lr,
      loss: cell.loss === "mse" ? "mse" : undefined,
      hold: cell.hold === "one-shot" ? "one-shot" : undefined,
      numerics: cell.numerics === "stable-audit" ? "audit" : undefined
    }
  )

/** The free-training control of the same configuration (same seeds, init and split). */
export const freeCell = (ctx: StageContext, config: TrainingConfig, cell: CellBase) =>
  trainSummarized(ctx, config, cell, { kind: "none" }, {
    free: cell.loss ?? "ce",
    p: cell.p,
    frac: cell.trainFraction,
    lr: cell.lr
  })

/**
 * A sustained hold on some matrices only (paper A's group clamps in the pre-LN
 * transformer): each named matrix is scaled after every step from tInt on so its
 * norm is `rho` times its target; the other matrices train freely.
 */
export const groupHeldCell = (
  ctx: StageContext,
  config: TrainingConfig,
  cell: CellBase & { readonly rho: number; readonly tInt: number; readonly group: string; readonly targets: Readonly<Record<string, number>> }
) =>
  trainSummarized(
    ctx,
    config,
    cell,
    {
      kind: "clamp-per-matrix",
      tInt: cell.tInt,
      targets: Object.fromEntries(Object.entries(cell.targets).map(([name, norm]) => [name, cell.rho * norm]))
    },
    { p: cell.p, hold: cell.group, rho: cell.rho, lr: cell.lr }
  )
