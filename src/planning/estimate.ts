/**
 * What a planned unit costs (docs/planning.md): the seeds' finish steps from the
 * T_grok model (tGrokModel.ts), the steps the cell's stopping rule then trains each
 * seed (src/train/cellRun.ts, src/train/shards.ts), and a worker-second cost per
 * seed-step that scales with the step's products (model kind, p, fraction, widths).
 *
 * Both parts come from a calibration (calibration.ts: fitted on the store's own
 * measured cells by `grokflow plan calibrate`) or, without one, from the documented
 * defaults below; every estimate says which.
 *
 * @grokflow-planning: stages call this only from their `estimate`, so stage keys
 * stop here (src/engine/Key.ts) and retuning the planner makes no stage stale.
 */
import { Schema } from "effect"
import type { Estimate, PlannedUnit } from "../engine/Stage.ts"
import { CellSpec, ForkSpec } from "../train/CellSpec.ts"
import { forkKind } from "../cells/cellKinds.ts"
import { freezeCount } from "../train/shards.ts"
import { DEFAULT_TGROK, medianTGrok, normalQuantile } from "./tGrokModel.ts"
import type { TGrokFeatures, TGrokModel } from "./tGrokModel.ts"

/** The cost classes: per-MAC speed differs with the kernels a model runs. */
export const COST_KINDS = ["mlp", "mlp+LN", "attention", "attention+LN"] as const
export type CostKind = (typeof COST_KINDS)[number]

/**
 * Default speed: 4 GMAC/s per worker. On the reference machine wasm SIMD runs these
 * products at 10–13 GMAC/s per core (docs/training-speed.md), and they are about 40%
 * of a training step (the rest: gathers, GELU, AdamW, evaluations).
 */
export const DEFAULT_SECONDS_PER_MAC = 1 / 4e9

export interface PlanModel {
  readonly tGrok: TGrokModel
  /** Worker-seconds per multiply-add of a seed-step's products, by cost kind. */
  readonly secondsPerMac: Readonly<Partial<Record<CostKind, number>>>
  /** For kinds never measured: the pooled measured speed (same machine, same kernels), else the default. */
  readonly fallbackSecondsPerMac: number
  /** Measured seconds of the stages that train nothing (fits, figure data), by stage name; unknown: 0. */
  readonly stageSeconds: Readonly<Record<string, number>>
  /** "default", or the calibration file it was read from. */
  readonly source: string
  /** The CPU model the calibration was measured on, when it says. */
  readonly cpu?: string
}

export const DEFAULT_PLAN_MODEL: PlanModel = {
  tGrok: DEFAULT_TGROK,
  secondsPerMac: {},
  fallbackSecondsPerMac: DEFAULT_SECONDS_PER_MAC,
  stageSeconds: {},
  source: "default"
}

export const costKindOf = (spec: CellSpec): CostKind =>
  spec.model.kind === "mlp" ? (spec.model.layerNorm ? "mlp+LN" : "mlp") : spec.model.preLayerNorm ? "attention+LN" : "attention"

const trainRows = (spec: CellSpec): number => {
  const n = spec.task.p * spec.task.p
  return spec.task.splitRounding === "floor" ? Math.floor(spec.task.trainFraction * n) : Math.round(spec.task.trainFraction * n)
}

const evalEvery = (spec: CellSpec): number => (spec.evaluation.kind === "every" ? spec.evaluation.every : Math.max(1, spec.budget / spec.evaluation.points))

/**
 * Multiply-adds of one seed-step's products, the folded models' (docs/protocol.md
 * §2): forward plus two backward products over the training rows, the folded
 * tables, and the forward pass over all p² pairs every evaluation.
 */
export const macsPerSeedStep = (spec: CellSpec): number => {
  const p = spec.task.p
  const n = trainRows(spec)
  const all = p * p
  const m = spec.model
  if (m.kind === "mlp") {
    const perRow = m.hidden * (p + 2)
    return 3 * n * perRow + 6 * p * m.d * m.hidden + (all * perRow) / evalEvery(spec)
  }
  const tokens = 2 * p + 3
  // Without LN the MLP's input folds into a table and the unembedding runs on the
  // MLP's width; with pre-LN the block's products run per example.
  const perRow = m.preLayerNorm ? 2 * m.d * m.mlpWidth + m.d * p + 13 * m.d : m.mlpWidth * (p + 14)
  const tables = 3 * tokens * m.d * (3 * m.d + (m.preLayerNorm ? 0 : m.mlpWidth))
  return 3 * n * perRow + tables + (all * perRow) / evalEvery(spec)
}

export const secondsPerSeedStep = (model: PlanModel, spec: CellSpec): number =>
  (model.secondsPerMac[costKindOf(spec)] ?? model.fallbackSecondsPerMac) * macsPerSeedStep(spec)

export const featuresOf = (spec: CellSpec, rho: number | null, hold: PlannedUnit["hold"]): TGrokFeatures => {
  const i = spec.intervention
  return {
    model: spec.model.kind,
    layerNorm: spec.model.kind === "mlp" ? spec.model.layerNorm : spec.model.preLayerNorm,
    p: spec.task.p,
    trainFraction: spec.task.trainFraction,
    lr: spec.optimizer.lr,
    weightDecay: spec.optimizer.weightDecay,
    hold: i.kind === "none" ? "free" : hold,
    rho: i.kind === "none" ? null : rho,
    tau: spec.tau,
    loss: spec.loss,
    tInt: i.kind === "none" ? null : i.tInt
  }
}

/**
 * The stopping rule's steps per seed, given each seed's finish step (Infinity:
 * never) and how many must finish before the finished freeze (`freeze` null: the
 * cell never stops early).
 */
export const stepsUnderRule = (finishes: ReadonlyArray<number>, budget: number, count: number | null): {
  readonly whole: ReadonlyArray<number>
  /** As seed shards: each seed alone (phase 1) and its rerun to the freeze step (phase 2, 0 if none). */
  readonly alone: ReadonlyArray<number>
  readonly extension: ReadonlyArray<number>
  readonly freeze: number
} => {
  if (count === null) {
    const all = finishes.map(() => budget)
    return { whole: all, alone: all, extension: finishes.map(() => 0), freeze: budget }
  }
  const sorted = [...finishes].sort((a, b) => a - b)
  const m = sorted[Math.min(finishes.length, count) - 1]!
  const freeze = m <= budget ? m : budget
  return {
    // Finished seeds train on to the step the freeze count is reached, then freeze;
    // if it is not reached within the budget every seed trains to it.
    whole: finishes.map((f) => (m > budget ? budget : Math.min(budget, Math.max(f, m)))),
    alone: finishes.map((f) => Math.min(f, budget)),
    extension: finishes.map((f) => (f <= budget && f < freeze ? freeze : 0)),
    freeze
  }
}

/** A unit priced: worker-hours on one worker, whole and as seed shards. */
export interface UnitCost {
  readonly label: string
  readonly seeds: number
  readonly budget: number
  /** Every seed to its budget. */
  readonly boundHours: number
  /** Expected, as one unit under the freeze-on-majority rule. */
  readonly hours: number
  /** Expected, with --split-seeds: per seed, phase 1 and (0 when none) phase 2. */
  readonly shards: ReadonlyArray<{ readonly seed: number; readonly hours: number; readonly extensionHours: number }>
  readonly medianTGrok: number
  readonly after: ReadonlyArray<string>
}

const decodeCell = Schema.decodeUnknownSync(CellSpec)
const decodeFork = Schema.decodeUnknownSync(ForkSpec)

/** Seed i's finish among n: the (i + ½)/n quantile of the seeds' ln-normal scatter, on the evaluation grid. */
const seedFinishes = (median: number, sigma: number, seeds: number, every: number): Array<number> =>
  Array.from({ length: seeds }, (_, i) => Math.ceil((median * Math.exp(sigma * normalQuantile((i + 0.5) / seeds))) / every) * every)

const hours = (seedSteps: number, perStep: number): number => (seedSteps * perStep) / 3600
const sum = (xs: ReadonlyArray<number>): number => xs.reduce((a, b) => a + b, 0)

const cellCost = (model: PlanModel, unit: PlannedUnit, spec: CellSpec): UnitCost => {
  const median = medianTGrok(model.tGrok, featuresOf(spec, unit.rho, unit.hold))
  const finishes = seedFinishes(median, model.tGrok.sigma, spec.seeds, evalEvery(spec))
  const rule = stepsUnderRule(finishes, spec.budget, spec.stopWhenAllGrokked ? freezeCount(spec) : null)
  const perStep = secondsPerSeedStep(model, spec)
  return {
    label: unit.label,
    seeds: spec.seeds,
    budget: spec.budget,
    boundHours: hours(spec.seeds * spec.budget, perStep),
    hours: hours(sum(rule.whole), perStep),
    shards: finishes.map((_, i) => ({ seed: i, hours: hours(rule.alone[i]!, perStep), extensionHours: hours(rule.extension[i]!, perStep) })),
    medianTGrok: median,
    after: unit.after ?? []
  }
}

/**
 * A fork is one unit: the base trains freely (no early stop) to the fork point —
 * memorization, at least forkAtLeast — then every arm continues from it under its
 * own hold, each arm a cell under the stopping rule. An arm held at factor·N0 is
 * priced as a sustained hold at ρ = factor (N0 is near Wc once memorized).
 */
const forkCost = (model: PlanModel, unit: PlannedUnit, fork: ForkSpec): UnitCost => {
  const base = fork.base
  const perStep = secondsPerSeedStep(model, base)
  const forkStep = Math.min(base.budget, fork.forkAtLeast)
  const armSteps = fork.arms.map((arm) => {
    const hold = arm.kind === "free" ? "free" as const : "sustained" as const
    const rho = arm.kind === "free" ? null : arm.factor
    const spec: CellSpec = arm.kind === "free" ? base : { ...base, intervention: { kind: "clamp", tInt: forkStep, targetNorm: arm.factor } }
    const median = medianTGrok(model.tGrok, featuresOf(spec, rho, hold))
    const finishes = seedFinishes(median, model.tGrok.sigma, base.seeds, evalEvery(base)).map((f) => Math.max(f, forkStep))
    return sum(stepsUnderRule(finishes, base.budget, base.stopWhenAllGrokked ? freezeCount(base) : null).whole.map((s) => s - forkStep))
  })
  const total = base.seeds * forkStep + sum(armSteps)
  const h = hours(total, perStep)
  return {
    label: unit.label,
    seeds: base.seeds,
    budget: base.budget,
    boundHours: hours(base.seeds * (forkStep + fork.arms.length * (base.budget - forkStep)), perStep),
    hours: h,
    // A fork is never split: its arms share the base's state.
    shards: [{ seed: 0, hours: h, extensionHours: 0 }],
    medianTGrok: medianTGrok(model.tGrok, featuresOf(base, null, "free")),
    after: unit.after ?? []
  }
}

/** Prices one planned unit; throws on a payload that is not a cell or fork spec. */
export const unitCost = (model: PlanModel, unit: PlannedUnit): UnitCost =>
  unit.kind === forkKind.name ? forkCost(model, unit, decodeFork(unit.payload)) : cellCost(model, unit, decodeCell(unit.payload))

export const fmtHours = (h: number): string => (h < 1 ? `${Math.max(1, Math.ceil(h * 60))} min` : `${h.toFixed(1)} h`)

const stepsOf = (unit: PlannedUnit): { readonly seeds: number; readonly budget: number } => {
  const spec = unit.kind === forkKind.name ? decodeFork(unit.payload).base : decodeCell(unit.payload)
  return { seeds: spec.seeds, budget: spec.budget }
}

/**
 * A stage's estimate from the units it would train: counts and the budget bound
 * here; `--dry-run` prices the units with the calibrated model (the description's
 * hours use the defaults, so a stage's estimate never reads files).
 */
export const estimateOfUnits = (units: ReadonlyArray<PlannedUnit>, model: PlanModel = DEFAULT_PLAN_MODEL): Estimate => {
  const costs = units.map((u) => unitCost(model, u))
  const shapes = units.map(stepsOf)
  const bound = sum(costs.map((c) => c.boundHours))
  const expected = sum(costs.map((c) => c.hours))
  const seeds = Math.max(0, ...shapes.map((s) => s.seeds))
  const steps = Math.max(0, ...shapes.map((s) => s.budget))
  return {
    cells: units.length,
    seeds,
    steps,
    hours: bound,
    expectedHours: expected,
    units,
    description: `${units.length} cells × ≤${seeds} seeds × ≤${steps} steps: at most ${fmtHours(bound)} of worker time, expected ≈ ${fmtHours(expected)}`
  }
}
