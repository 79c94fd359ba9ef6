/**
 * The training service stages call. Its live Layer (src/train, issue 3) runs cells
 * in a worker pool, one tfjs per worker; tests may provide a stand-in.
 */
import { Context, Schema } from "effect"
import type { Effect } from "effect"
import type { CellResult, CellSpec, ForkResult, ForkSpec } from "./CellSpec.ts"

export class TrainFailure extends Schema.TaggedError<TrainFailure>()("TrainFailure", {
  message: Schema.String,
  cause: Schema.optional(Schema.Defect())
}) {}

export interface TrainOptions {
  /** Directory for this cell's checkpoints; a cell resumes from the newest one. */
  readonly checkpointDir?: string
  /** Called with (steps done, step budget) as the cell advances. */
  readonly progress?: (done: number, total: number) => void
}

export class Trainer extends Context.Service<Trainer, {
  /** Backend actually in use: "tensorflow" | "wasm" | "cpu". */
  readonly backend: string
  readonly train: (spec: CellSpec, options?: TrainOptions) => Effect.Effect<CellResult, TrainFailure>
  readonly fork: (spec: ForkSpec, options?: TrainOptions) => Effect.Effect<ForkResult, TrainFailure>
}>()("grokflow/train/Trainer") {}
