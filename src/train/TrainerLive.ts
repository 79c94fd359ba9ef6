/**
 * The live Trainer: a pool of worker processes, one single-threaded tfjs each, so a
 * 2-core machine trains two cells at once (performance.md: two single-threaded
 * workers beat one two-threaded one; worker/channel.ts says why processes).
 * The pool is scoped to the layer: releasing the layer terminates the workers, and
 * interrupting a train/fork effect terminates the worker running it so Ctrl-C exits
 * promptly (checkpoints make the rerun resume).
 */
import { availableParallelism } from "node:os"
import { Effect, Layer } from "effect"
import type { BackendChoice } from "./backend/Backend.ts"
import { resolveBackend } from "./backend/resolve.ts"
import type { CellSpec, ForkSpec } from "./CellSpec.ts"
import type { TrainOptions } from "./Trainer.ts"
import { TrainFailure, Trainer } from "./Trainer.ts"
import type { Transport } from "./worker/channel.ts"
import type { JobKind, JobKinds } from "./worker/protocol.ts"
import { WorkerPool } from "./worker/WorkerPool.ts"

export type { BackendChoice, ResolvedBackend } from "./backend/Backend.ts"
export { resolveBackend }

/** One single-threaded worker per core. */
export const defaultWorkers = (): number => availableParallelism()

const toTrainFailure = (kind: JobKind) => (error: unknown): TrainFailure =>
  new TrainFailure({
    message: `${kind} failed: ${error instanceof Error ? error.message : String(error)}`,
    cause: error
  })

export const TrainerLive = (options: {
  readonly backend: BackendChoice
  readonly workers: number
  /** Module implementing CellRunner; tests pass a stand-in. Defaults to the training core. */
  readonly runner?: URL
  /** Worker processes (default) or threads (worker/channel.ts). */
  readonly transport?: Transport
}): Layer.Layer<Trainer> =>
  Layer.effect(
    Trainer,
    Effect.gen(function*() {
      // An unavailable explicit backend (e.g. --backend tensorflow without libtensorflow)
      // is a configuration defect: nothing can train, and the message says why.
      const backend = yield* Effect.promise(() => resolveBackend(options.backend))
      const pool = yield* Effect.acquireRelease(
        Effect.sync(() =>
          new WorkerPool({
            size: options.workers,
            backend,
            ...(options.runner === undefined ? {} : { runner: options.runner }),
            ...(options.transport === undefined ? {} : { transport: options.transport })
          })
        ),
        (pool) => Effect.promise(() => pool.close())
      )
      const run = <K extends JobKind>(kind: K, spec: JobKinds[K]["spec"], trainOptions: TrainOptions | undefined) =>
        Effect.tryPromise({
          // Effect aborts the signal on interruption; the pool then terminates the worker.
          try: (signal) => pool.run(kind, spec, { ...trainOptions, signal }),
          catch: toTrainFailure(kind)
        })
      return Trainer.of({
        backend: backend.name,
        train: (spec: CellSpec, trainOptions?: TrainOptions) => run("train", spec, trainOptions),
        fork: (spec: ForkSpec, trainOptions?: TrainOptions) => run("fork", spec, trainOptions)
      })
    })
  )
