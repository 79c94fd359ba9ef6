/**
 * The cluster Executor: `grokflow run --executor cluster --db URL`. The
 * coordinator keys, looks up, locks and commits cells exactly as with the local
 * executor (src/engine/Cells.ts); only the computation moves. Each unit is sent
 * as one persisted entity message to whichever runner owns its shard, and the
 * reply's JSON is handed back to the engine, which decodes and stores it.
 *
 * This process is a client only: it serves no shards. It connects on the first
 * unit, so a run whose cells are all in the store, or `--dry-run`, never opens
 * the database.
 */
import { Cause, Effect, Exit, Layer, Option, Schedule, Schema } from "effect"
import { EntityAddress, EntityId, MessageStorage, Sharding } from "effect/cluster"
import { SqlClient } from "effect/sql"
import * as NodeClusterSocket from "@effect/platform-node/NodeClusterSocket"
import { EnvResolver } from "../../engine/Env.ts"
import { ExecutionFailure, Executor } from "../../engine/Executor.ts"
import type { Json } from "../../engine/Canonical.ts"
import { PROGRESS_ENV, progressSeconds } from "../../engine/Progress.ts"
import { describeDb } from "./Address.ts"
import { followingProgress, syncSeconds } from "./Progress.ts"
import { pgLayer, shardingSettings, WorkUnitEntity } from "./Protocol.ts"

export interface ClusterOptions {
  readonly db: string
  /** Units in flight at once; runners bound what actually trains. */
  readonly capacity: number
  readonly warn: (message: string) => void
}

const errorText = (e: unknown): string =>
  typeof e === "object" && e !== null && "message" in e && typeof e.message === "string" && e.message !== ""
    ? e.message
    : String(e)

/** What an entity client call can fail with, besides our StoredInterrupt. */
type SendError = Effect.Error<ReturnType<ReturnType<Effect.Success<typeof WorkUnitEntity.client>>["Run"]>>

class StoredInterrupt extends Schema.TaggedError<StoredInterrupt>()("StoredInterrupt", {}) {
  override get message(): string {
    return "the unit's stored reply was an interruption"
  }
}

const clientLayer = (db: string) =>
  NodeClusterSocket.layer({ storage: "sql", clientOnly: true, shardingConfig: shardingSettings }).pipe(
    Layer.provideMerge(pgLayer(db))
  )

export const clusterExecutor = (options: ClusterOptions): Layer.Layer<Executor, never, EnvResolver> =>
  Layer.effect(
    Executor,
    Effect.gen(function*() {
      const scope = yield* Effect.scope
      const envResolver = yield* EnvResolver
      const where = describeDb(options.db)
      const pollSeconds = syncSeconds(progressSeconds(process.env[PROGRESS_ENV]).seconds)
      const connect = yield* Effect.cached(
        Effect.gen(function*() {
          const context = yield* Layer.buildWithScope(clientLayer(options.db), scope)
          return yield* Effect.gen(function*() {
            const sql = yield* SqlClient.SqlClient
            // Units sent with no runner registered simply wait in the database;
            // say so once instead of looking hung.
            const healthy = yield* sql<{ readonly n: number }>`SELECT count(*)::int AS n FROM cluster_runners WHERE healthy AND last_heartbeat > now() - interval '1 minute'`.pipe(
              Effect.map((rows) => rows[0]?.n ?? 0),
              Effect.orElseSucceed(() => 0)
            )
            if (healthy === 0) options.warn(`no runner is registered in ${where}; units wait there until one starts (grokflow runner --db ...)`)
            return {
              sql,
              clientFor: yield* WorkUnitEntity.client,
              sharding: yield* Sharding.Sharding,
              storage: yield* MessageStorage.MessageStorage
            }
          }).pipe(Effect.provide(context))
        }).pipe(
          Effect.mapError((e) => new ExecutionFailure({ message: `cannot join the cluster at ${where}: ${errorText(e)}`, cause: e }))
        )
      )

      return Executor.of({
        name: "cluster",
        capacity: options.capacity,
        run: (unit, hooks) =>
          Effect.gen(function*() {
            const cluster = yield* connect
            const env = yield* envResolver.env
            // Forgets the unit's stored message and reply, so the next send starts afresh.
            const forget = cluster.storage.clearAddress(EntityAddress.make({
              shardId: cluster.sharding.getShardId(EntityId.make(unit.key), "default"),
              entityType: WorkUnitEntity.type,
              entityId: EntityId.make(unit.key)
            })).pipe(Effect.ignore)
            const send = cluster.clientFor(unit.key).Run({ kind: unit.kind, key: unit.key, label: unit.label, payload: unit.payload, env }).pipe(
              Effect.exit,
              Effect.flatMap((exit): Effect.Effect<Json, SendError | StoredInterrupt | ExecutionFailure> => {
                if (Exit.isSuccess(exit)) return exit
                // An interruption stored as the reply (a unit cancelled by a
                // coordinator before units were uninterruptible from the client
                // side) is not an answer: forget it and ask again.
                if (Cause.hasInterruptsOnly(exit.cause)) return Effect.andThen(forget, Effect.fail(new StoredInterrupt()))
                // A defect (a bug on the runner) is reported like a failed unit and
                // forgotten, so it is neither fatal here nor the unit's answer for ever.
                if (Cause.hasDies(exit.cause) && Option.isNone(Cause.findErrorOption(exit.cause))) {
                  return Effect.andThen(forget, Effect.fail(new ExecutionFailure({ message: `the runner crashed on this unit: ${errorText(Cause.squash(exit.cause))}` })))
                }
                return exit
              })
            )
            // A forced unit must train again, not come back as the reply stored for its key.
            if (unit.fresh === true) yield* forget
            // The runner's reports arrive through the database (Progress.ts).
            const follow = <A, E>(work: Effect.Effect<A, E>) => followingProgress(cluster.sql, unit.key, pollSeconds, hooks.progress, work)
            return yield* follow(send).pipe(
              // Anything but the runner's answer (a dropped connection, a busy
              // mailbox) is retried: the message id is the key, so a resend joins
              // the stored message instead of adding a second one.
              Effect.retry({ while: (e) => e._tag !== "UnitFailed" && e._tag !== "ExecutionFailure", times: 5, schedule: Schedule.exponential("500 millis") }),
              Effect.catchTag("UnitFailed", (failed) =>
                // The failure was answered and reported; forget the message so the
                // next `run` tries the unit afresh, as it would locally, instead of
                // receiving this stored failure forever.
                Effect.andThen(forget, Effect.fail(new ExecutionFailure({ message: `runner ${failed.runner}: ${failed.message}` })))),
              Effect.mapError((e) =>
                e._tag === "ExecutionFailure" ? e : new ExecutionFailure({ message: `cluster at ${where}: ${errorText(e)}`, cause: e })
              )
            )
          })
      })
    })
  )

