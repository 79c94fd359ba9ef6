/**
 * Body of one training worker (a thread or a child process, see channel.ts):
 * initializes its own tfjs on the configured backend, loads the runner, then serves
 * one job at a time (the pool never sends a second job before the first answers).
 * Started through bootstrap.mjs.
 */
import { parentPort, workerData } from "node:worker_threads"
import type { Tf } from "../backend/Backend.ts"
import { initBackend } from "../backend/init.ts"
import type { CellRunner, RunOptions } from "./Runner.ts"
import type { JobRequest, WorkerConfig, WorkerMessage } from "./protocol.ts"
import { CONFIG_ENV, serializeError } from "./protocol.ts"

/** Progress crosses threads; a message per step would cost more than the step. */
const PROGRESS_INTERVAL_MS = 250

interface Port {
  readonly post: (message: WorkerMessage) => void
  readonly onJob: (f: (job: JobRequest) => void) => void
}

const threadPort = parentPort === null ? undefined : parentPort
const send = process.send?.bind(process)
const port: Port =
  threadPort !== undefined
    ? { post: (m) => threadPort.postMessage(m), onJob: (f) => void threadPort.on("message", f) }
    : send !== undefined
    ? { post: (m) => void send(m), onJob: (f) => void process.on("message", (m) => f(m as JobRequest)) }
    : (() => {
      throw new Error("entry.ts runs only as a training worker thread or forked process")
    })()

const config: WorkerConfig = threadPort !== undefined
  ? (workerData as WorkerConfig)
  : (JSON.parse(process.env[CONFIG_ENV] ?? "null") as WorkerConfig)

// A forked worker whose parent is gone has no one to answer. Training is synchronous,
// so 'disconnect' is seen only between cells; mid-cell, the progress hook notices
// that the process was re-parented (a killed parent cannot terminate us itself).
const parentPid = process.ppid
const exitIfOrphaned = (): void => {
  if (threadPort === undefined && process.ppid !== parentPid) process.exit(1)
}
if (threadPort === undefined) process.on("disconnect", () => process.exit(1))

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

const post = (message: WorkerMessage): void => port.post(message)

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
    progress: (done, total) => {
      const now = performance.now()
      if (done < total && now - last < PROGRESS_INTERVAL_MS) return
      last = now
      exitIfOrphaned()
      post({ type: "progress", id: job.id, done, total })
    }
  }
  switch (job.kind) {
    case "train":
      return runner.train(tf, (job as JobRequest<"train">).spec, options)
    case "fork":
      return runner.fork(tf, (job as JobRequest<"fork">).spec, options)
  }
}

port.onJob((job) => {
  run(job).then(
    (value) => post({ type: "result", id: job.id, value }),
    (e: unknown) => post({ type: "error", id: job.id, error: serializeError(e) })
  )
})
