/**
 * Body of one training worker process (see channel.ts):
 * initializes its own tfjs on the configured backend, loads the runner, then serves
 * one job at a time (the pool never sends a second job before the first answers).
 * Started through bootstrap.mjs.
 */
import type { Tf } from "../tfTypes.ts"
import { initBackend } from "../backend/initBackend.ts"
import type { CellRunner, RunOptions } from "./runnerModule.ts"
import { Schema } from "effect"
import type { JobRequest, WorkerConfig, WorkerMessage } from "./protocol.ts"
import { CONFIG_ENV, JobRequestMessage, serializeError } from "./protocol.ts"

/** Progress crosses processes; a message per step would cost more than the step. */
const PROGRESS_INTERVAL_MS = 250

const send = process.send?.bind(process)
if (send === undefined) throw new Error("entry.ts runs only as a forked training worker process")
const post = (message: WorkerMessage): void => void send(message)

const config = JSON.parse(process.env[CONFIG_ENV] ?? "null") as WorkerConfig

// A worker whose parent is gone has no one to answer. Training is synchronous, so
// 'disconnect' is seen only between cells; mid-cell, the progress hook notices that
// the process was re-parented (a killed parent cannot terminate us itself).
const parentPid = process.ppid
const exitIfOrphaned = (): void => {
  if (process.ppid !== parentPid) process.exit(1)
}
process.on("disconnect", () => process.exit(1))

const loadRunner = async (url: string): Promise<CellRunner> => {
  const mod: unknown = await import(url)
  if (
    typeof mod === "object" && mod !== null &&
    "train" in mod && typeof mod.train === "function" &&
    "fork" in mod && typeof mod.fork === "function"
  ) {
    return mod as CellRunner
  }
  throw new Error(`runner ${url} does not export train and fork functions`)
}

// Started at spawn so tfjs loads while the first job is still in flight to us.
const ready: Promise<{ readonly tf: Tf; readonly runner: CellRunner }> = Promise.all([
  initBackend(config.backend),
  loadRunner(config.runner)
]).then(([tf, runner]) => ({ tf, runner }))
// Surfaced with the first job rather than as an unhandled rejection.
ready.catch(() => undefined)

/**
 * GROKFLOW_CHECKPOINT_SECONDS shortens the interval between checkpoints (a shared
 * machine that preempts often; tests that kill a run mid-cell). It cannot change a
 * result: a resumed cell is bit-identical to an uninterrupted one.
 */
const checkpointEvery = ((): number | undefined => {
  const raw = process.env.GROKFLOW_CHECKPOINT_SECONDS
  const value = raw === undefined ? NaN : Number(raw)
  return Number.isFinite(value) && value >= 0 ? value : undefined
})()

const run = async (job: JobRequest): Promise<unknown> => {
  const { tf, runner } = await ready
  let last = 0
  const options: RunOptions = {
    ...(job.checkpointDir === undefined ? {} : { checkpointDir: job.checkpointDir }),
    ...(checkpointEvery === undefined ? {} : { checkpointEverySeconds: checkpointEvery }),
    progress: (done, total, tally) => {
      const now = performance.now()
      if (done < total && now - last < PROGRESS_INTERVAL_MS) return
      last = now
      exitIfOrphaned()
      post(tally === undefined ? { type: "progress", id: job.id, done, total } : { type: "progress", id: job.id, done, total, tally })
    }
  }
  switch (job.kind) {
    case "train":
      return runner.train(tf, job.spec, options)
    case "fork":
      return runner.fork(tf, job.spec, options)
  }
}

const decodeJob = Schema.decodeUnknownResult(JobRequestMessage)

process.on("message", (message: unknown) => {
  const decoded = decodeJob(message)
  if (decoded._tag === "Failure") {
    // The id, when there is one, lets the pool fail the job it sent rather than wait for it.
    const id = typeof message === "object" && message !== null && "id" in message && typeof message.id === "number" ? message.id : -1
    post({ type: "error", id, error: serializeError(new Error(`the worker cannot decode this job: ${String(decoded.failure)}`)) })
    return
  }
  const job = decoded.success
  run(job).then(
    (value) => post({ type: "result", id: job.id, value }),
    (e: unknown) => post({ type: "error", id: job.id, error: serializeError(e) })
  )
})
