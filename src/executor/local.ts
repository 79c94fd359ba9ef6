/**
 * The local Executor: training cells run in this machine's worker pool (one
 * single-threaded worker process per core, docs/training-speed.md). The pool and the
 * training core load on the first unit only, so a no-op rerun or a run of stages
 * that train nothing never starts a worker or loads tfjs.
 */
import { Effect, Layer, Schema, Scope } from "effect"
import type { Json } from "../engine/Canonical.ts"
import { ExecutionFailure, Executor } from "../engine/Executor.ts"
import type { UnitHooks } from "../engine/Executor.ts"
import type { BackendChoice, Env } from "../engine/index.ts"
import { isTrainingKind, trainingKinds } from "../cells/cellKinds.ts"
import type { JobKind } from "../train/worker/protocol.ts"
import type { WorkerPool } from "../train/worker/WorkerPool.ts"

/** The training environment that joins keys: backend, tfjs version, precision. */
export const resolveEnv = async (choice: BackendChoice): Promise<Env> => {
  const { resolveBackend } = await import("../train/backend/resolve.ts")
  const resolved = await resolveBackend(choice)
  return { backend: resolved.name, tfjs: resolved.tfjsVersion, detail: resolved.detail, precision: "float32" }
}

export interface LocalOptions {
  readonly backend: BackendChoice
  readonly workers: number
  /** Module implementing CellRunner; tests pass a stand-in. Defaults to the training core. */
  readonly runner?: URL
}

const failure = (kind: string) => (error: unknown) =>
  new ExecutionFailure({ message: `${kind} failed: ${error instanceof Error ? error.message : String(error)}`, cause: error })

/**
 * Decodes the unit's payload with its kind's Schema (a unit crosses a process or
 * a network as JSON) and hands the spec to a worker.
 */
const runJob = <K extends JobKind>(pool: WorkerPool, name: K, payload: Json, hooks: UnitHooks) =>
  Effect.gen(function*() {
    const kind = trainingKinds[name]
    const spec = yield* Schema.decodeUnknownEffect(kind.payload)(payload).pipe(
      Effect.mapError((issue) => new ExecutionFailure({ message: `a ${name} unit's payload is not a ${name} spec: ${issue.message}`, cause: issue }))
    )
    return yield* Effect.tryPromise({
      // Effect aborts the signal on interruption; the pool then terminates the worker.
      try: (signal): Promise<unknown> => pool.run(name, spec, { ...hooks, signal }),
      catch: failure(name)
    })
  })

export const localExecutor = (options: LocalOptions): Layer.Layer<Executor> =>
  Layer.effect(
    Executor,
    Effect.gen(function*() {
      const scope = yield* Effect.scope
      const pool = yield* Effect.cached(
        Effect.gen(function*() {
          const [{ resolveBackend }, { WorkerPool }] = yield* Effect.promise(() =>
            Promise.all([import("../train/backend/resolve.ts"), import("../train/worker/WorkerPool.ts")])
          )
          // An unavailable explicit backend is a configuration defect: nothing can train.
          const backend = yield* Effect.tryPromise({ try: () => resolveBackend(options.backend), catch: failure("backend") })
          const created = new WorkerPool({
            size: options.workers,
            backend,
            ...(options.runner === undefined ? {} : { runner: options.runner })
          })
          yield* Scope.addFinalizer(scope, Effect.promise(() => created.close()))
          return created
        })
      )
      return Executor.of({
        name: "local",
        capacity: options.workers,
        run: (unit, hooks) =>
          Effect.gen(function*() {
            const name = unit.kind
            if (!isTrainingKind(name)) {
              const known = Object.keys(trainingKinds).map((k) => `"${k}"`).join(", ")
              return yield* new ExecutionFailure({ message: `the local executor runs ${known} cells, not "${name}"` })
            }
            return yield* runJob(yield* pool, name, unit.payload, hooks)
          })
      })
    })
  )
