/**
 * Where cells run. The scheduler keys a cell, looks it up, takes its lock and
 * then hands the unit to this service; whatever comes back is decoded, stored
 * and committed by the engine exactly as if it had run here. The local worker
 * pool is one implementation (src/executor/local); a cluster of runners is
 * another. Stages and the scheduler never know which one they have.
 */
import { Context, Schema } from "effect"
import type { Effect } from "effect"
import type { Json } from "./Canonical.ts"

export interface WorkUnit {
  /** The cell kind's name ("train", "fork", ...): tells the executor what to run. */
  readonly kind: string
  /** The cell's cache key: an idempotency id, the same wherever the unit runs. */
  readonly key: string
  /** The payload encoded through the kind's payload schema. */
  readonly payload: Json
  /** Short human label for progress lines. */
  readonly label: string
  /** Recompute from scratch (`run --force`): no answer an executor kept for this key may be reused. */
  readonly fresh?: boolean
}

/** Seeds of a unit that have grokked so far, when the unit trains seeds. */
export interface SeedTally {
  readonly grokked: number
  readonly seeds: number
}

export interface UnitHooks {
  /** A directory private to this key for checkpoints; survives interruption. */
  readonly checkpointDir: string
  /** Steps done of the step budget (the most a cell trains: it may stop early). */
  readonly progress: (done: number, total: number, tally?: SeedTally) => void
}

export class ExecutionFailure extends Schema.TaggedError<ExecutionFailure>()("ExecutionFailure", {
  message: Schema.String,
  cause: Schema.optional(Schema.Defect())
}) {}

export class Executor extends Context.Service<Executor, {
  /** "local", "cluster", ...: printed in run summaries. */
  readonly name: string
  /** Units that may run at once; the scheduler's cell pool is this size unless --jobs says otherwise. */
  readonly capacity: number
  /** Runs one unit; resolves to the output as JSON data (decoded by the engine). */
  readonly run: (unit: WorkUnit, hooks: UnitHooks) => Effect.Effect<unknown, ExecutionFailure>
}>()("grokflow/engine/Executor") {}
