/**
 * Progress of units on runners, in the coordinator's log. A runner keeps one row
 * per unit it trains in the cluster's PostgreSQL database, with the unit's latest
 * report (step, step budget, seeds grokked), and deletes it when the unit ends;
 * the coordinator reads the rows of the units it awaits and hands them to the
 * engine as the local pool's reports are, so the same progress lines appear.
 *
 * A table rather than a stream on the unit's RPC: the RPC is a persisted message
 * whose reply is stored, and a coordinator that restarts must find the progress
 * of a unit that is already training. A row left by a killed runner is only a
 * stale number until the runner that takes the unit over writes its own.
 */
import { Effect, Fiber, Schedule } from "effect"
import type { SqlClient } from "effect/sql"
import type { SeedTally, UnitHooks } from "../../engine/Executor.ts"

export interface UnitProgress {
  readonly done: number
  readonly total: number
  readonly tally?: SeedTally
}

/**
 * Seconds between a runner's writes and the coordinator's reads: half the
 * interval of the progress lines (GROKFLOW_PROGRESS_SECONDS), within 0.5–5 s. A
 * write is one upsert per running unit, so even a large cluster costs PostgreSQL
 * little.
 */
export const syncSeconds = (progressSeconds: number): number =>
  progressSeconds > 0 ? Math.min(5, Math.max(0.5, progressSeconds / 2)) : 5

/** Created by every runner at start; IF NOT EXISTS makes it safe to repeat. */
export const ensureProgressTable = (sql: SqlClient.SqlClient) =>
  sql`CREATE TABLE IF NOT EXISTS grokflow_unit_progress (
    key text PRIMARY KEY,
    done integer NOT NULL,
    total integer NOT NULL,
    grokked integer,
    seeds integer,
    runner text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
  )`.pipe(
    // Two runners creating it at once can collide in PostgreSQL's catalog; the
    // loser finds it on a retry. Without the table, progress is only missing.
    Effect.retry({ times: 3, schedule: Schedule.spaced("200 millis") }),
    Effect.asVoid,
    Effect.ignore
  )

const write = (sql: SqlClient.SqlClient, key: string, runner: string, p: UnitProgress) =>
  sql`INSERT INTO grokflow_unit_progress (key, done, total, grokked, seeds, runner, updated_at)
    VALUES (${key}, ${p.done}, ${p.total}, ${p.tally?.grokked ?? null}, ${p.tally?.seeds ?? null}, ${runner}, now())
    ON CONFLICT (key) DO UPDATE SET done = EXCLUDED.done, total = EXCLUDED.total, grokked = EXCLUDED.grokked,
      seeds = EXCLUDED.seeds, runner = EXCLUDED.runner, updated_at = EXCLUDED.updated_at`.pipe(Effect.ignore)

/**
 * Runs `work` while writing the latest report that `latest` returns every
 * `seconds`; deletes the unit's row when the work ends, however it ends.
 */
export const publishingProgress = <A, E, R>(
  sql: SqlClient.SqlClient,
  key: string,
  runner: string,
  seconds: number,
  latest: () => UnitProgress | undefined,
  work: Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> =>
  Effect.gen(function*() {
    let written: UnitProgress | undefined
    const publish = Effect.suspend(() => {
      const p = latest()
      if (p === undefined || p === written) return Effect.void
      written = p
      return write(sql, key, runner, p)
    })
    const publisher = yield* Effect.forkChild(Effect.repeat(publish, Schedule.spaced(`${seconds * 1000} millis`)))
    return yield* work.pipe(
      Effect.ensuring(
        Fiber.interrupt(publisher).pipe(
          Effect.andThen(sql`DELETE FROM grokflow_unit_progress WHERE key = ${key}`.pipe(Effect.ignore))
        )
      )
    )
  })

interface Row {
  readonly done: number
  readonly total: number
  readonly grokked: number | null
  readonly seeds: number | null
  readonly updated_at: Date | string
}

/** Runs `work` while handing the unit's row, each time it changes, to `progress`. */
export const followingProgress = <A, E, R>(
  sql: SqlClient.SqlClient,
  key: string,
  seconds: number,
  progress: UnitHooks["progress"],
  work: Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> =>
  Effect.gen(function*() {
    let seen = ""
    const poll = sql<Row>`SELECT done, total, grokked, seeds, updated_at FROM grokflow_unit_progress WHERE key = ${key}`.pipe(
      Effect.map((rows) => {
        const row = rows[0]
        if (row === undefined) return
        const stamp = `${String(row.updated_at)} ${row.done}`
        if (stamp === seen) return
        seen = stamp
        progress(
          Number(row.done),
          Number(row.total),
          row.grokked === null || row.seeds === null ? undefined : { grokked: Number(row.grokked), seeds: Number(row.seeds) }
        )
      }),
      // Before any runner created the table, or a dropped connection: no report this time.
      Effect.ignore
    )
    const follower = yield* Effect.forkChild(Effect.repeat(poll, Schedule.spaced(`${seconds * 1000} millis`)))
    return yield* work.pipe(Effect.ensuring(Fiber.interrupt(follower)))
  })
