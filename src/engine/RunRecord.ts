/**
 * What a `run` did, as it ended: its wall time from start to end, the nodes it
 * computed or reused, and their keys. One file per run,
 * `runs/<profile>/<start>-<pid>.json` in the store, so two runs at once never
 * write the same file; refs/ says what each node last ran with, this says when
 * and how long the run as a whole took. The report reads it for its header: the
 * stages' own times overlap, so their sum is compute time, not the time a person
 * waited.
 */
import { Effect } from "effect"
import type { StoreError } from "./Errors.ts"
import type { RunSummary } from "./Run.ts"
import type { StoreService } from "./Store.ts"
import type { OutcomeStatus } from "./StageRun.ts"

/** The run's counts, as its summary gives them. */
export type RunCounts = Pick<RunSummary, "ran" | "reused" | "failed" | "skipped" | "cellsTrained" | "cellsReused">

export interface RunRecord extends RunCounts {
  readonly profile: string
  /** ISO timestamps of the run's start and end. */
  readonly startedAt: string
  readonly endedAt: string
  /** From start to end, as the run measured it (a monotonic clock). */
  readonly wallSeconds: number
  /** The stages' own times summed: compute time; the stages overlap. */
  readonly stageSeconds: number
  readonly only?: ReadonlyArray<string>
  readonly nodes: ReadonlyArray<{ readonly id: string; readonly status: OutcomeStatus; readonly key?: string; readonly seconds: number }>
}

/** Stores the record under its start and this process's pid (two runs at once never share a name); returns where. */
export const writeRunRecord = (store: StoreService, record: RunRecord): Effect.Effect<string, StoreError> =>
  store.writeRunRecord(record.profile, `${record.startedAt.replace(/[:.]/g, "-")}-${process.pid}`, record)

const isRecord = (x: unknown): x is RunRecord =>
  typeof x === "object" && x !== null &&
  typeof (x as Partial<RunRecord>).startedAt === "string" && typeof (x as Partial<RunRecord>).endedAt === "string" &&
  typeof (x as Partial<RunRecord>).wallSeconds === "number" && Array.isArray((x as Partial<RunRecord>).nodes)

/** The profile's recorded runs, newest first; unreadable files are skipped. */
export const readRunRecords = (store: StoreService, profile: string): Effect.Effect<Array<RunRecord>> =>
  Effect.map(store.runRecords(profile), (records) => records.filter(isRecord).sort((a, b) => b.startedAt.localeCompare(a.startedAt)))
