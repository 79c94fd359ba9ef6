/**
 * Training through the store: every cell is memoized by its full spec (plus the
 * engine env: backend, tfjs version), so adding one ρ to a sweep trains one cell.
 * The key deliberately excludes the calling stage's module: editing a stage must
 * not retrain what it already has.
 */
import { Effect } from "effect"
import type { Schema } from "effect"
import type { StageContext } from "../engine/StageContext.ts"
import { StageFailure } from "../engine/StageFailure.ts"
import { CellResult, ForkResult } from "../train/CellSpec.ts"
import type { CellSpec, ForkSpec } from "../train/CellSpec.ts"
import { Trainer } from "../train/Trainer.ts"
import type { TrainFailure, TrainOptions } from "../train/Trainer.ts"

/** The training math whose digest joins every training cell's key. The worker pool
 * and backend loading (src/train/worker, src/train/backend) are left out: they move
 * no number, and the backend itself is in the key's env. */
const trainingCode = ["src/train/*.ts", "src/train/models/*.ts"]

const cached = <S, A>(
  name: string,
  output: Schema.Codec<A, unknown>,
  train: (trainer: Trainer["Service"], spec: S, options: TrainOptions) => Effect.Effect<A, TrainFailure>
) =>
(ctx: StageContext, spec: S, label: string): Effect.Effect<A, StageFailure, Trainer> =>
  ctx.cell({
    name,
    key: spec,
    output,
    code: trainingCode,
    label,
    run: (cell) =>
      Effect.gen(function*() {
        const trainer = yield* Trainer
        return yield* train(trainer, spec, { checkpointDir: cell.checkpointDir, progress: cell.progress })
      }).pipe(Effect.mapError((e) => new StageFailure({ stage: ctx.node, message: `${label}: ${e.message}`, cause: e })))
  })

export const trainCached = cached<CellSpec, CellResult>("train", CellResult, (t, spec, o) => t.train(spec, o))
export const forkCached = cached<ForkSpec, ForkResult>("fork", ForkResult, (t, spec, o) => t.fork(spec, o))
