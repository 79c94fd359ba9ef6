/**
 * What a `run` did, as it ended: its wall time from start to end, the nodes it
 * computed or reused, and their keys. One file per run,
 * `runs/<profile>/<start>-<pid>.json` in the store, so two runs at once never
 * write the same file; refs/ says what each node last ran with, this says when
 * and how long the run as a whole took. The report reads it for its header: the
 * stages' own times overlap, so their sum is compute time, not the time a person
 * waited.
 */
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { writeAtomic } from "./Atomic.ts"
import type { RunSummary } from "./Run.ts"
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

const runsDir = (storeRoot: string, profile: string): string => path.join(storeRoot, "runs", profile)

export const writeRunRecord = async (storeRoot: string, record: RunRecord): Promise<string> => {
  const file = path.join(runsDir(storeRoot, record.profile), `${record.startedAt.replace(/[:.]/g, "-")}-${process.pid}.json`)
  await writeAtomic(file, JSON.stringify(record, null, 2) + "\n")
  return file
}

const isRecord = (x: unknown): x is RunRecord =>
  typeof x === "object" && x !== null &&
  typeof (x as Partial<RunRecord>).startedAt === "string" && typeof (x as Partial<RunRecord>).endedAt === "string" &&
  typeof (x as Partial<RunRecord>).wallSeconds === "number" && Array.isArray((x as Partial<RunRecord>).nodes)

/** The profile's recorded runs, newest first; unreadable files are skipped. */
export const readRunRecords = async (storeRoot: string, profile: string): Promise<Array<RunRecord>> => {
  const dir = runsDir(storeRoot, profile)
  const files = await fs.readdir(dir).catch(() => [] as Array<string>)
  const records = await Promise.all(
    files.filter((f) => f.endsWith(".json")).map(async (f) => {
      try {
        const json: unknown = JSON.parse(await fs.readFile(path.join(dir, f), "utf8"))
        return isRecord(json) ? [json] : []
      } catch {
        return []
      }
    })
  )
  return records.flat().sort((a, b) => b.startedAt.localeCompare(a.startedAt))
}
