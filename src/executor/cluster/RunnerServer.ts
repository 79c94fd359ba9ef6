/**
 * A runner's server (the coordinator's side is Client.ts): one long-running
 * process per machine that serves the work-unit entity and computes units in
 * this machine's local worker pool (the same Executor `grokflow run` uses
 * without a cluster, src/executor/local.ts).
 *
 * Per-host concurrency is the pool's: shard placement hashes unit keys and
 * ignores load, so a runner may hold many units at once; they queue in the pool
 * (one training worker per core by default) instead of oversubscribing the CPU.
 *
 * Backend and code. A unit arrives with the coordinator's cache key. The runner
 * keys the payload again with its own training code and its own environment
 * (backend, tfjs version, precision) and refuses the unit, with a failure reply
 * that says which side differs, when the keys differ. So a result is never
 * stored under a key that does not describe how it was computed: a runner on an
 * older checkout or another backend cannot poison the coordinator's store.
 * Start every runner from the coordinator's commit with the same `--backend`.
 *
 * A unit that fails (a thrown error, a diverging cell the trainer rejects, a
 * worker that died) is answered with `UnitFailed`. The reply is stored like a
 * success, so the cluster never retries it; the coordinator reports it.
 */
import * as fs from "node:fs/promises"
import * as path from "node:path"
import * as NodeClusterSocket from "@effect/platform-node/NodeClusterSocket"
import { Effect, Layer, Option, Semaphore } from "effect"
import { RunnerAddress } from "effect/cluster"
import { SqlClient } from "effect/sql"
import { canonicalJson, toJson } from "../../engine/Canonical.ts"
import type { Json } from "../../engine/Canonical.ts"
import { Executor } from "../../engine/Executor.ts"
import type { BackendChoice } from "../../engine/Env.ts"
import { allCellCode, cellCodeOf, variantOf } from "../../engine/CellKind.ts"
import { cellPreimage, CodeHasher, keyOf } from "../../engine/Key.ts"
import type { Env } from "../../engine/Key.ts"
import { PROGRESS_ENV, progressSeconds, progressText, recordProgress, startClock } from "../../engine/Progress.ts"
import { isTrainingKind, trainingKinds } from "../../cells/cellKinds.ts"
import { localExecutor, resolveEnv } from "../local.ts"
import type { HostPort } from "./Address.ts"
import { ensureProgressTable, publishingProgress, syncSeconds } from "./Progress.ts"
import type { UnitProgress } from "./Progress.ts"
import { pgLayer, shardingSettings, UnitFailed, WorkUnitEntity } from "./Protocol.ts"

export interface RunnerOptions {
  /** PostgreSQL URL shared by every runner and coordinator. */
  readonly db: string
  /** Where this runner's socket listens. */
  readonly listen: HostPort
  /** Where other processes reach it (differs from `listen` behind 0.0.0.0 or NAT). */
  readonly advertise: HostPort
  readonly workers: number
  readonly backend: BackendChoice
  /** The grokflow checkout whose code this runner trains with (code digests). */
  readonly root: string
  /** Per-unit checkpoint directories, private to this runner. */
  readonly workDir: string
  /** One line per unit event, for the operator (and the fault tests). */
  readonly log: (line: string) => void
}

const describeEnv = (env: Env): string => canonicalJson(env)

const handlers = (options: RunnerOptions) =>
  Layer.unwrap(Effect.gen(function*() {
    const executor = yield* Executor
    const self = `${options.advertise.host}:${options.advertise.port}`
    const refuse = (message: string) => new UnitFailed({ message, runner: self })
    // Resolved once, like the coordinator's: the same function keys both sides.
    const ownEnv = yield* Effect.cached(Effect.promise(() =>
      resolveEnv(options.backend).catch((e: unknown): Env => ({
        backend: "unavailable",
        requested: options.backend,
        reason: e instanceof Error ? e.message : String(e)
      }))
    ))
    // The pool queues too, but a permit per worker lets the log say when a unit
    // really starts; units beyond it wait here, already claimed by this runner.
    const slots = yield* Semaphore.make(options.workers)
    // Units' progress goes to the database for the coordinator's log (Progress.ts).
    const sql = yield* SqlClient.SqlClient
    yield* ensureProgressTable(sql)
    const logEvery = progressSeconds(process.env[PROGRESS_ENV]).seconds * 1000
    // A runner computes the training kinds, in its worker pool.
    const kinds = Object.values(trainingKinds)
    const hasher = new CodeHasher(options.root, kinds.flatMap(allCellCode))

    /** The key this runner would give the unit; a refusal when it cannot key it. */
    const ownKey = Effect.fnUntraced(function*(kindName: string, payload: Json, theirs: Env) {
      if (!isTrainingKind(kindName)) return yield* refuse(`runners compute ${kinds.map((k) => k.name).join(", ")} units, not "${kindName}"`)
      const kind = trainingKinds[kindName]
      const env = yield* ownEnv
      if (env.backend === "unavailable") {
        return yield* refuse(`no training backend on this runner (--backend ${options.backend}): ${env.reason ?? ""}`)
      }
      if (describeEnv(env) !== describeEnv(theirs)) {
        return yield* refuse(`this runner's environment ${describeEnv(env)} differs from the coordinator's ${describeEnv(theirs)}; start runners with the coordinator's --backend, --numerics and tfjs version`)
      }
      const code = yield* hasher.digest(cellCodeOf(kind, variantOf(kind, payload))).pipe(Effect.mapError((e) => refuse(e.message)))
      return keyOf(cellPreimage(kind.name, code, payload, env))
    })

    // The entity's build runs once per unit (each unit is its own entity), so
    // everything shared by the runner's units is made above, once.
    return WorkUnitEntity.toLayer(
      Effect.succeed(
        WorkUnitEntity.of({
          Run: ({ payload: unit }) =>
            Effect.gen(function*() {
              const short = unit.key.slice(0, 12)
              const mine = yield* ownKey(unit.kind, unit.payload, unit.env)
              if (mine !== unit.key) {
                return yield* refuse(`unit ${short} (${unit.label}) keys to ${mine.slice(0, 12)} here: this runner's training code differs from the coordinator's; start it from the same commit`)
              }
              const checkpointDir = path.join(options.workDir, unit.key)
              yield* Effect.tryPromise({ try: () => fs.mkdir(checkpointDir, { recursive: true }), catch: (e) => refuse(`cannot create ${checkpointDir}: ${String(e)}`) })
              const output = yield* Effect.gen(function*() {
                // Logged once a worker is free, so "start" means training started.
                options.log(`start ${short} ${unit.label}`)
                const t0 = performance.now()
                const clock = startClock(Date.now())
                let lastLine = clock.startedAt
                let latest: UnitProgress | undefined
                const run = executor.run({ kind: unit.kind, key: unit.key, payload: unit.payload, label: unit.label }, {
                  checkpointDir,
                  progress: (done, total, tally) => {
                    latest = tally === undefined ? { done, total } : { done, total, tally }
                    const now = Date.now()
                    recordProgress(clock, done, total, tally, now)
                    if (logEvery <= 0 || now - lastLine < logEvery) return
                    lastLine = now
                    options.log(`progress ${short} ${unit.label}: ${progressText(clock, now)}`)
                  }
                })
                const result = yield* publishingProgress(sql, unit.key, self, syncSeconds(logEvery / 1000), () => latest, run)
                options.log(`done ${short} ${unit.label} ${((performance.now() - t0) / 1000).toFixed(1)}s`)
                return result
              }).pipe(slots.withPermits(1), Effect.mapError((e) => refuse(e.message)))
              const json = yield* Effect.try({
                try: () => toJson(output),
                catch: (e) => refuse(`the ${unit.kind} output is not JSON data: ${e instanceof Error ? e.message : String(e)}`)
              })
              // Leftover checkpoints are only disk space; the answer stands.
              yield* Effect.promise(() => fs.rm(checkpointDir, { recursive: true, force: true }).catch(() => undefined))
              return json
            }).pipe(
              Effect.tapError((e) => Effect.sync(() => options.log(`failed ${unit.key.slice(0, 12)} ${unit.label}: ${e.message}`)))
            )
        })
      ),
      // Each unit is its own entity; once answered it has nothing left to do.
      { maxIdleTime: "30 seconds" }
    )
  }))

/** Serves units until interrupted (SIGINT/SIGTERM), then hands its shards back. */
export const runnerLayer = (options: RunnerOptions) =>
  handlers(options).pipe(
    Layer.provide(localExecutor({ backend: options.backend, workers: options.workers })),
    Layer.provide(
      NodeClusterSocket.layer({
        storage: "sql",
        shardingConfig: {
          ...shardingSettings,
          runnerAddress: Option.some(RunnerAddress.make(options.advertise.host, options.advertise.port)),
          runnerListenAddress: Option.some(RunnerAddress.make(options.listen.host, options.listen.port))
        }
      })
    ),
    Layer.provide(pgLayer(options.db))
  )
