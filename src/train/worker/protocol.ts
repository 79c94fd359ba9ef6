/**
 * Messages between the pool (the main process) and a training worker process. Everything crosses
 * by structured clone, so specs and results stay plain data; errors are flattened
 * to name/message/stack because Error subclasses lose their identity in transit.
 */
import { Schema } from "effect"
import { CellResult, CellSpec, ForkResult, ForkSpec } from "../CellSpec.ts"
import type { ResolvedBackend } from "../backend/Backend.ts"
import type { SeedTally } from "../cellRun.ts"

/** Environment variable carrying a forked worker's WorkerConfig. */
export const CONFIG_ENV = "GROKFLOW_TRAIN_WORKER_CONFIG"

/** Fixed at spawn time, through CONFIG_ENV. */
export interface WorkerConfig {
  readonly backend: ResolvedBackend
  /** file: URL of the module exporting the `CellRunner` functions (see runnerModule.ts). */
  readonly runner: string
}

/**
 * The one table of job kinds: each name's spec and result Schemas. The worker
 * decodes every job with them, and the cell kinds (src/cells/cellKinds.ts) key and
 * store their payloads and outputs with the same ones.
 */
export const jobKinds = {
  train: { spec: CellSpec, result: CellResult },
  fork: { spec: ForkSpec, result: ForkResult }
} as const

export type JobKinds = { readonly [K in keyof typeof jobKinds]: { readonly spec: (typeof jobKinds)[K]["spec"]["Type"]; readonly result: (typeof jobKinds)[K]["result"]["Type"] } }
export type JobKind = keyof JobKinds

const jobOf = <K extends JobKind, S extends Schema.Top>(kind: K, spec: S) =>
  Schema.Struct({ type: Schema.Literal("job"), id: Schema.Int, kind: Schema.Literal(kind), spec, checkpointDir: Schema.UndefinedOr(Schema.String) })

/** A job as it crosses to the worker; the worker decodes each with this (a typo'd or stale pool is an error answer, not a crash). */
export const JobRequestMessage = Schema.Union([jobOf("train", jobKinds.train.spec), jobOf("fork", jobKinds.fork.spec)])

export type JobRequest<K extends JobKind = JobKind> = Extract<typeof JobRequestMessage.Type, { readonly kind: K }>

/** What the pool sends: its kind and spec are checked together on arrival, by JobRequestMessage. */
export interface OutgoingJob {
  readonly type: "job"
  readonly id: number
  readonly kind: JobKind
  readonly spec: JobKinds[JobKind]["spec"]
  readonly checkpointDir: string | undefined
}

export interface SerializedError {
  readonly name: string
  readonly message: string
  readonly stack: string | undefined
}

export type WorkerMessage =
  | { readonly type: "progress"; readonly id: number; readonly done: number; readonly total: number; readonly tally?: SeedTally }
  | { readonly type: "result"; readonly id: number; readonly value: unknown }
  | { readonly type: "error"; readonly id: number; readonly error: SerializedError }

export const serializeError = (e: unknown): SerializedError =>
  e instanceof Error
    ? { name: e.name, message: e.message, stack: e.stack }
    : { name: "Error", message: String(e), stack: undefined }

/** Rebuilds an Error whose stack is the worker's, so reports point at the real frame. */
export const deserializeError = (e: SerializedError): Error => {
  const error = new Error(e.message)
  error.name = e.name
  if (e.stack !== undefined) error.stack = e.stack
  return error
}
