/**
 * Messages between the pool (the main process) and a training worker process. Everything crosses
 * by structured clone, so specs and results stay plain data; errors are flattened
 * to name/message/stack because Error subclasses lose their identity in transit.
 */
import type { CellResult, CellSpec, ForkResult, ForkSpec } from "../CellSpec.ts"
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

export interface JobKinds {
  readonly train: { readonly spec: CellSpec; readonly result: CellResult }
  readonly fork: { readonly spec: ForkSpec; readonly result: ForkResult }
}
export type JobKind = keyof JobKinds

export interface JobRequest<K extends JobKind = JobKind> {
  readonly type: "job"
  readonly id: number
  readonly kind: K
  readonly spec: JobKinds[K]["spec"]
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
