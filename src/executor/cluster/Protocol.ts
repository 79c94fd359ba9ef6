/**
 * What the coordinator and the runners agree on: one persisted entity RPC per
 * work unit, the sharding settings every process must share, and the database
 * they share it through.
 *
 * Identity. The entity id and the RPC's primary key are both the unit's cache
 * key, so the cluster's message id is a function of the key alone. A resubmission
 * (a restarted coordinator, a second `run` of the same profile) finds the stored
 * message and waits for, or at once receives, its stored reply: nothing trains
 * twice because a coordinator came back. Delivery is still at least once (a
 * runner killed mid-unit has the unit rerun elsewhere), which is safe because a
 * cell is deterministic in its payload and the engine commits by key.
 */
import * as PgClient from "@effect/sql-pg/PgClient"
import { Duration, Redacted, Schema } from "effect"
import { ClusterSchema, Entity } from "effect/cluster"
import type { ShardingConfig } from "effect/cluster"
import { Rpc } from "effect/rpc"
import { SHARDS_PER_GROUP } from "./ShardCount.ts"

/** A unit the runner did not or could not compute; stored as the unit's reply. */
export class UnitFailed extends Schema.TaggedError<UnitFailed>()("UnitFailed", {
  message: Schema.String,
  /** The runner that answered, for the coordinator's error line. */
  runner: Schema.String
}) {}

export const RunUnit = Rpc.make("Run", {
  payload: {
    kind: Schema.String,
    key: Schema.String,
    label: Schema.String,
    payload: Schema.Json,
    /**
     * The environment the coordinator keyed the unit with. The runner keys the
     * unit again with its own code and environment and refuses it when the keys
     * differ; this field only lets the refusal say which side differs.
     */
    env: Schema.Record(Schema.String, Schema.String)
  },
  success: Schema.Json,
  error: UnitFailed,
  primaryKey: (unit) => unit.key
})
  // A stored message survives every process: the unit's request and its reply.
  .annotate(ClusterSchema.Persisted, true)
  // A runner asked to stop (SIGTERM) interrupts its training at once instead of
  // waiting 15 s; the unit is redelivered to another runner, no reply stored.
  .annotate(ClusterSchema.InterruptOnTermination, true)
  // A coordinator that stops waiting (Ctrl-C, a sibling cell failed) does not
  // cancel the unit: an interrupt would be stored as the unit's reply and handed
  // to every later run. The unit finishes on its runner instead, and the next
  // run receives its stored result.
  .annotate(ClusterSchema.Uninterruptible, "client")

export const WorkUnitEntity = Entity.make("GrokflowUnit", [RunUnit])

/**
 * Sharding settings shared by every runner and coordinator: constants, not flags,
 * for the reason ShardCount.ts gives.
 *
 * The intervals are short because a unit takes seconds to hours while a
 * PostgreSQL poll costs a millisecond: a killed runner is noticed within a
 * couple of seconds (a ping that is refused fails at once; a slow one gets 10 s
 * and 5 retries, so a loaded host is not declared dead) and its shards move
 * within about a second.
 */
export const shardingSettings = {
  shardsPerGroup: SHARDS_PER_GROUP,
  runnerHealthCheckInterval: Duration.seconds(2),
  refreshAssignmentsInterval: Duration.seconds(1),
  entityMessagePollInterval: Duration.seconds(1),
  entityReplyPollInterval: Duration.millis(500),
  // `NodeClusterSocket.layer` also reads unprefixed variables (HOST, PORT, ...)
  // from the environment; everything that matters is passed explicitly.
  availableShardGroups: ["default"],
  assignedShardGroups: ["default"]
} satisfies Partial<ShardingConfig.ShardingConfig["Service"]>

/** The cluster's storage: PostgreSQL (advisory locks for shards, tables for messages). */
export const pgLayer = (url: string) => PgClient.layer({ url: Redacted.make(url), applicationName: "grokflow" })
