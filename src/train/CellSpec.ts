/**
 * One training cell: one configuration trained over its seeds as one batched
 * program. This schema is the contract between experiment stages and the training
 * core; the whole encoded spec (plus the engine env: backend, tfjs version) is the
 * cell's cache key.
 */
import { Schema } from "effect"

export const Operation = Schema.Literals(["add", "sub", "mul", "div"])
export type Operation = typeof Operation.Type

export const Task = Schema.Struct({
  p: Schema.Int,
  op: Operation,
  trainFraction: Schema.Finite,
  /** How the train-set size is rounded: round(f·N) (paper A, the default) or
   * ⌊f·N⌋ (paper B's released code; differs at p=97: 3764 vs 3763). Absent means
   * "round", so cells specified before this field existed keep their keys. */
  splitRounding: Schema.optional(Schema.Literals(["round", "floor"]))
})
export type Task = typeof Task.Type

export const MlpModel = Schema.Struct({
  kind: Schema.Literal("mlp"),
  d: Schema.Int,
  hidden: Schema.Int,
  /** Parameter-free LayerNorm on h before the readout (paper A's MLP control). */
  layerNorm: Schema.Boolean
})
export const AttentionModel = Schema.Struct({
  kind: Schema.Literal("attention"),
  d: Schema.Int,
  heads: Schema.Int,
  mlpWidth: Schema.Int,
  /** Parameter-free pre-LN before attention, MLP and unembedding. */
  preLayerNorm: Schema.Boolean
})
export const Model = Schema.Union([MlpModel, AttentionModel])
export type Model = typeof Model.Type

export const Optimizer = Schema.Struct({
  lr: Schema.Finite,
  weightDecay: Schema.Finite,
  beta1: Schema.Finite,
  beta2: Schema.Finite,
  eps: Schema.Finite,
  /** Paper A's code (and torch) decays before the Adam step; paper B's after. */
  decayOrder: Schema.Literals(["before", "after"])
})
export type Optimizer = typeof Optimizer.Type

export const Evaluation = Schema.Union([
  /** Paper A: `points` geometrically spaced steps from 1 to the budget. */
  Schema.Struct({ kind: Schema.Literal("geometric"), points: Schema.Int }),
  /** Paper B: every `every` steps. */
  Schema.Struct({ kind: Schema.Literal("every"), every: Schema.Int })
])
export type Evaluation = typeof Evaluation.Type

/** Norm targets are absolute (‖W‖ after scaling) unless the intervention says relative. */
export const Intervention = Schema.Union([
  Schema.Struct({ kind: Schema.Literal("none") }),
  /** Sustained: after every optimizer step from tInt on, scale all weight matrices
   * by one scalar so ‖W‖ = targetNorm exactly. Biases and Adam moments untouched. */
  Schema.Struct({ kind: Schema.Literal("clamp"), tInt: Schema.Int, targetNorm: Schema.Finite }),
  /** One-shot: the same scaling once, at tInt. */
  Schema.Struct({ kind: Schema.Literal("rescale"), tInt: Schema.Int, targetNorm: Schema.Finite }),
  /** Sustained per-matrix targets (allocation control), by parameter name. */
  Schema.Struct({
    kind: Schema.Literal("clamp-per-matrix"),
    tInt: Schema.Int,
    targets: Schema.Record(Schema.String, Schema.Finite)
  })
])
export type Intervention = typeof Intervention.Type

export const Thresholds = Schema.Struct({
  /** T_mem: first evaluated step with train accuracy ≥ mem. */
  mem: Schema.Finite,
  /** T_grok: first evaluated step with test accuracy ≥ grok. */
  grok: Schema.Finite,
  /** Extra test thresholds whose crossing step and norm are recorded (robustness). */
  extra: Schema.Array(Schema.Finite)
})

export const CellSpec = Schema.Struct({
  task: Task,
  model: Model,
  optimizer: Optimizer,
  loss: Schema.Literals(["ce", "mse"]),
  /** Fixed output temperature: logits are divided by tau before loss, accuracy and L. */
  tau: Schema.Finite,
  /** Seeds 0..seeds-1, each combined with the matched-counterfactual base seed. */
  seeds: Schema.Int,
  budget: Schema.Int,
  evaluation: Evaluation,
  thresholds: Thresholds,
  intervention: Intervention,
  /** Stop the cell once every seed has grokked (else train to the budget). */
  stopWhenAllGrokked: Schema.Boolean,
  /**
   * When finished seeds stop (with stopWhenAllGrokked). "majority-freeze" (the default,
   * absent from the spec so existing keys are unchanged): once more than half have
   * finished, finished seeds freeze. "all-seeds" (paper B's loop): no seed stops before
   * the last one finishes, so every trajectory covers the whole run — each seed's
   * largest SC rate and its norm at the last seed's grok need that.
   */
  stopRule: Schema.optional(Schema.Literals(["majority-freeze", "all-seeds"])),
  /**
   * A seed shard of a larger cell (src/train/shards.ts): its seeds are firstSeed ..
   * firstSeed+seeds−1 (default 0), and finished seeds keep training before
   * minSteps (default 0), the step at which the whole cell would freeze them. Both
   * are absent from ordinary cells, so their keys are unchanged.
   */
  firstSeed: Schema.optional(Schema.Int),
  minSteps: Schema.optional(Schema.Int),
  /** "float32": plain. "stable-audit": the softmax-collapse audit arm (see README). */
  numerics: Schema.Literals(["float32", "stable-audit"])
})
export type CellSpec = typeof CellSpec.Type

/** Evaluated trajectory of one seed, aligned on `steps`. */
export const Trajectory = Schema.Struct({
  steps: Schema.Array(Schema.Int),
  trainAcc: Schema.Array(Schema.Finite),
  testAcc: Schema.Array(Schema.Finite),
  trainLoss: Schema.Array(Schema.Finite),
  testLoss: Schema.Array(Schema.Finite),
  /** ‖W‖ over weight matrices (biases excluded). */
  norm: Schema.Array(Schema.Finite),
  /** Per-matrix Frobenius norms, by parameter name. */
  matrixNorms: Schema.Record(Schema.String, Schema.Array(Schema.Finite)),
  /** Effective logit scale L: mean over all p² pairs of ‖z/τ‖₂. */
  logitScale: Schema.Array(Schema.Finite),
  /** Fraction of training points whose correct-class softmax is exactly 1. */
  scRate: Schema.Array(Schema.Finite)
})
export type Trajectory = typeof Trajectory.Type

export const SeedResult = Schema.Struct({
  seed: Schema.Int,
  /** null: never reached within the budget (right-censored). */
  tMem: Schema.NullOr(Schema.Int),
  tGrok: Schema.NullOr(Schema.Int),
  normAtGrok: Schema.NullOr(Schema.Finite),
  /** Crossing step and norm for each extra threshold, keyed by String(threshold). */
  extraCrossings: Schema.Record(
    Schema.String,
    Schema.Struct({ step: Schema.NullOr(Schema.Int), norm: Schema.NullOr(Schema.Finite) })
  ),
  /** Last step trained (the budget, or earlier when the cell stopped). */
  stepsTrained: Schema.Int,
  trajectory: Trajectory
})
export type SeedResult = typeof SeedResult.Type

export const CellResult = Schema.Struct({
  seeds: Schema.Array(SeedResult),
  backend: Schema.String
})
export type CellResult = typeof CellResult.Type

/**
 * Paper B's forking arms: free training of `base` to the first evaluation at or
 * after `forkAtLeast` at which every seed has memorized; the full parameter and
 * optimizer state is saved there, and every arm continues from that identical state.
 * A clamp arm holds ‖W‖ = factor·N0 per seed, N0 being that seed's norm at the fork.
 */
export const ForkArm = Schema.Union([
  Schema.Struct({ name: Schema.String, kind: Schema.Literal("free") }),
  Schema.Struct({ name: Schema.String, kind: Schema.Literal("clamp"), factor: Schema.Finite })
])
export type ForkArm = typeof ForkArm.Type

export const ForkSpec = Schema.Struct({
  base: CellSpec,
  forkAtLeast: Schema.Int,
  arms: Schema.Array(ForkArm)
})
export type ForkSpec = typeof ForkSpec.Type

export const ForkResult = Schema.Struct({
  /** null when not every seed memorized within the budget: no fork was made. */
  forkStep: Schema.NullOr(Schema.Int),
  /** N0 per seed, the norm at the fork. */
  normAtFork: Schema.Array(Schema.Finite),
  /** Per arm, per seed: tGrok counted from step 0 (subtract forkStep for the delay). */
  arms: Schema.Record(Schema.String, CellResult),
  backend: Schema.String
})
export type ForkResult = typeof ForkResult.Type
