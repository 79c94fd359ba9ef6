/**
 * Builds training-cell specs from a stage's config. Seeds are matched by the
 * training core from (p, op, fraction, model shape, λ), so every arm built here
 * for one configuration shares init, split and pre-intervention trajectory.
 */
import type { CellSpec, Intervention, Model } from "../train/CellSpec.ts"
import type { TrainingConfig } from "./configFields.ts"

export interface CellChoice {
  readonly p: number
  readonly lr: number
  readonly intervention: Intervention
  readonly tau?: number
  readonly loss?: "ce" | "mse"
  readonly model?: Model
  readonly numerics?: CellSpec["numerics"]
  readonly trainFraction?: number
  readonly budget?: number
}

export const mlp = (config: TrainingConfig, layerNorm = false): Model => ({
  kind: "mlp",
  d: config.d,
  hidden: config.hidden,
  layerNorm
})

export const cellSpec = (config: TrainingConfig, choice: CellChoice): CellSpec => ({
  task: {
    p: choice.p,
    op: config.op,
    trainFraction: choice.trainFraction ?? config.trainFraction,
    // Only paper B's ⌊f·p²⌋ is written: a cell with the default rounding keeps the
    // spec (and cache key) it had before the field existed.
    ...(config.splitRounding === "floor" ? { splitRounding: "floor" as const } : {})
  },
  model: choice.model ?? mlp(config),
  optimizer: {
    lr: choice.lr,
    weightDecay: config.weightDecay,
    beta1: 0.9,
    beta2: 0.999,
    eps: 1e-8,
    decayOrder: config.decayOrder
  },
  loss: choice.loss ?? "ce",
  tau: choice.tau ?? 1,
  seeds: config.seeds,
  budget: choice.budget ?? config.budget,
  evaluation: { kind: "every", every: config.evalEvery },
  thresholds: { mem: config.memThreshold, grok: config.grokThreshold, extra: [...config.extraThresholds] },
  intervention: choice.intervention,
  stopWhenAllGrokked: true,
  // Written only when it is not the default, like splitRounding, so cells keep their keys.
  ...(config.stopRule === "all-seeds" ? { stopRule: "all-seeds" as const } : {}),
  numerics: choice.numerics ?? "float32"
})

/** "p=59 ρ=1.15 lr=4e-3" — the label progress lines and figures use. */
export const cellLabel = (parts: Record<string, number | string | undefined>): string =>
  Object.entries(parts)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => (k === "" ? String(v) : `${k}=${typeof v === "number" ? formatNumber(v) : v}`))
    .join(" ")

// Small values in exponent form, keeping up to three significant digits: an lr of
// 1.5e-3 must not print as 2e-3.
const formatNumber = (x: number): string =>
  Math.abs(x) > 0 && Math.abs(x) < 0.01 ? Number(x.toPrecision(3)).toExponential() : String(Number(x.toPrecision(4)))
