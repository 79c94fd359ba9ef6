/**
 * One held-norm cell: train at ‖W‖ = ρ·Wc (sustained clamp or one-shot rescale
 * from tInt on) and summarize. Every intervention stage builds on this, so a cell
 * shared by two stages (the sustained ρ=1 cell of clamp-sweep and of
 * projection-control, say) trains once.
 */
import { Effect } from "effect"
import type { PlannedUnit } from "../engine/Stage.ts"
import type { StageContext } from "../engine/StageContext.ts"
import { trainKind } from "./cellKinds.ts"
import type { CellSpec, Intervention, Model } from "../train/CellSpec.ts"
import { cellLabel, cellSpec } from "./cellSpecs.ts"
import { summarizeCell } from "../outputs/cellSummary.ts"
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

/** The spec and label of one cell of `base` under `intervention`: what the stage
 * trains, and (with placeholder targets) what `--dry-run` plans. */
const cellOf = (
  config: TrainingConfig,
  base: CellBase,
  intervention: Intervention,
  labelParts: Record<string, number | string | undefined>
) => {
  const tau = base.tau ?? 1
  const label = cellLabel({ "": base.tag, ...labelParts, tau: tau === 1 ? undefined : tau })
  const spec = cellSpec(config, {
    p: base.p,
    lr: base.lr,
    tau,
    loss: base.loss,
    model: base.model,
    numerics: base.numerics,
    budget: base.budget ?? config.budget,
    trainFraction: base.trainFraction,
    intervention
  })
  return { label, spec }
}

/** Trains one cell of `base` under `intervention` and summarizes it. */
const trainSummarized = (
  ctx: StageContext,
  config: TrainingConfig,
  base: CellBase,
  intervention: Intervention,
  labelParts: Record<string, number | string | undefined>
) => {
  const { label, spec } = cellOf(config, base, intervention, labelParts)
  const held = intervention.kind === "clamp" || intervention.kind === "rescale" ? intervention.targetNorm : null
  const rho = typeof labelParts.rho === "number" ? labelParts.rho : null
  return Effect.map(trainCached(ctx, spec, label), (result) => ({
    summary: summarizeCell({ label, p: base.p, lr: base.lr, rho, tau: spec.tau, targetNorm: held, budget: spec.budget }, result),
    result
  }))
}

const heldParts = (cell: Omit<HeldCell, "wc">) => ({
  intervention: (wc: number): Intervention => ({ kind: cell.hold === "one-shot" ? "rescale" : "clamp", tInt: cell.tInt, targetNorm: cell.rho * wc }),
  labelParts: {
    p: cell.p,
    rho: cell.rho,
    lr: cell.lr,
    loss: cell.loss === "mse" ? "mse" : undefined,
    hold: cell.hold === "one-shot" ? "one-shot" : undefined,
    numerics: cell.numerics === "stable-audit" ? "audit" : undefined
  }
})

const freeParts = (cell: CellBase) => ({ free: cell.loss ?? "ce", p: cell.p, frac: cell.trainFraction, lr: cell.lr })

type GroupCell = CellBase & { readonly rho: number; readonly tInt: number; readonly group: string }

const groupParts = (cell: GroupCell) => ({
  intervention: (targets: Readonly<Record<string, number>>): Intervention => ({
    kind: "clamp-per-matrix",
    tInt: cell.tInt,
    targets: Object.fromEntries(Object.entries(targets).map(([name, norm]) => [name, cell.rho * norm]))
  }),
  labelParts: { p: cell.p, hold: cell.group, rho: cell.rho, lr: cell.lr }
})

export const heldCell = (ctx: StageContext, config: TrainingConfig, cell: HeldCell) => {
  const parts = heldParts(cell)
  return trainSummarized(ctx, config, cell, parts.intervention(cell.wc), parts.labelParts)
}

/** The free-training control of the same configuration (same seeds, init and split). */
export const freeCell = (ctx: StageContext, config: TrainingConfig, cell: CellBase) =>
  trainSummarized(ctx, config, cell, { kind: "none" }, freeParts(cell))

/**
 * A sustained hold on some matrices only (paper A's group clamps in the pre-LN
 * transformer): each named matrix is scaled after every step from tInt on so its
 * norm is `rho` times its target; the other matrices train freely.
 */
export const groupHeldCell = (
  ctx: StageContext,
  config: TrainingConfig,
  cell: GroupCell & { readonly targets: Readonly<Record<string, number>> }
) => {
  const parts = groupParts(cell)
  return trainSummarized(ctx, config, cell, parts.intervention(cell.targets), parts.labelParts)
}

// The same cells as `--dry-run` plans them: identical spec and label, with the
// upstream-measured target (Wc, a matrix's norm at grok) left as a placeholder of 1.

const planned = (
  { label, spec }: { readonly label: string; readonly spec: CellSpec },
  rho: number | null,
  hold: PlannedUnit["hold"],
  after?: ReadonlyArray<string>
): PlannedUnit => ({ label, kind: trainKind.name, payload: spec, rho, hold, ...(after === undefined || after.length === 0 ? {} : { after }) })

/** A held cell as planned; `after`: labels of this node's cells its Wc comes from. */
export const heldUnit = (config: TrainingConfig, cell: Omit<HeldCell, "wc">, after?: ReadonlyArray<string>): PlannedUnit => {
  const parts = heldParts(cell)
  return planned(cellOf(config, cell, parts.intervention(1), parts.labelParts), cell.rho, cell.hold === "one-shot" ? "one-shot" : "sustained", after)
}

export const freeUnit = (config: TrainingConfig, cell: CellBase): PlannedUnit =>
  planned(cellOf(config, cell, { kind: "none" }, freeParts(cell)), null, "free")

export const groupHeldUnit = (config: TrainingConfig, cell: GroupCell, matrices: ReadonlyArray<string>, after?: ReadonlyArray<string>): PlannedUnit => {
  const parts = groupParts(cell)
  return planned(cellOf(config, cell, parts.intervention(Object.fromEntries(matrices.map((m) => [m, 1]))), parts.labelParts), cell.rho, "group", after)
}
