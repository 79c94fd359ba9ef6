/**
 * Config fields shared by the experiment stages. Every field has its paper default,
 * applied by decoding before the engine hashes the slice, so writing a default
 * explicitly in a profile changes no key.
 */
import { Effect, Schema } from "effect"
import { Operation } from "../train/CellSpec.ts"

export const withDefault = <S extends Schema.Top>(schema: S, value: S["Encoded"]) =>
  schema.pipe(Schema.withDecodingDefaultKey(Effect.succeed(value)))

export const PositiveInt = Schema.Int.check(Schema.isGreaterThan(0))
export const PositiveNumber = Schema.Finite.check(Schema.isGreaterThan(0))
export const Fraction = Schema.Finite.check(Schema.isBetween({ minimum: 0, maximum: 1, exclusiveMinimum: true, exclusiveMaximum: true }))
export const PositiveList = Schema.Array(PositiveNumber).check(Schema.isMinLength(1))
export const IntList = Schema.Array(PositiveInt).check(Schema.isMinLength(1))

/** Fields every training-backed stage reads: the protocol of docs/protocol.md §1–4. */
export const trainingFields = {
  op: withDefault(Operation, "add"),
  trainFraction: withDefault(Fraction, 0.4),
  weightDecay: withDefault(Schema.Finite, 1),
  /** Number of seeds per cell (seeds 0..n-1 of the matched-counterfactual base). */
  seeds: withDefault(PositiveInt, 4),
  /** Step budget per cell; a seed that has not grokked by then is right-censored. */
  budget: withDefault(PositiveInt, 30000),
  d: withDefault(PositiveInt, 128),
  hidden: withDefault(PositiveInt, 256),
  /** Weight decay before the Adam step (paper A, torch AdamW) or after it (paper B's code). */
  decayOrder: withDefault(Schema.Literals(["before", "after"]), "before"),
  /** Train-set size round(f·p²) (paper A) or ⌊f·p²⌋ (paper B's code). */
  splitRounding: withDefault(Schema.Literals(["round", "floor"]), "round"),
  /** When finished seeds stop (src/train/CellSpec.ts): after a majority has finished
   * (the default), or only once every seed has ("all-seeds", paper B's loop, for the
   * collapse audit's per-seed SC maxima and the norm at the last seed's grok). */
  stopRule: withDefault(Schema.Literals(["majority-freeze", "all-seeds"]), "majority-freeze"),
  /** Evaluate every k steps (paper B's protocol); the resolution of T_mem and T_grok. */
  evalEvery: withDefault(PositiveInt, 25),
  memThreshold: withDefault(Fraction, 0.99),
  grokThreshold: withDefault(Fraction, 0.9),
  /** Test thresholds besides the grokking one whose crossings every cell records
   * (Wc's threshold robustness). The same list everywhere keeps free-training cells
   * shared between stages. */
  extraThresholds: withDefault(Schema.Array(Fraction), [0.8, 0.95])
}

export const TrainingConfig = Schema.Struct(trainingFields)
export type TrainingConfig = typeof TrainingConfig.Type
