/**
 * Body of one training worker thread: initializes its own tfjs on the configured
 * backend, loads the runner, then serves one job at a time (the pool never sends a
 * second job before the first answers). Started through bootstrap.mjs.
 */
import { parentPort, workerData } from "node:worker_threads"
import type { Tf } from "../backend/Backend.ts"
import { initBackend } from "../backend/init.ts"
import type { CellRunner, RunOptions } from "./Runner.ts"
import type { JobRequest, WorkerConfig, WorkerMessage } from "./protocol.ts"
import { serializeError } from "./protocol.ts"

/** Progress crosses threads; a message per step would cost more than the step. */
const PROGRESS_INTERVAL_MS = 250

const port = parentPort
if (port === null) throw new Error("entry.ts must run in a worker thread")
const config = workerData as WorkerConfig

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

const send = (message: WorkerMessage): void => port.postMessage(message)

const run = async (job: JobRequest): Promise<unknown> => {
  const { tf, runner } = await ready
  let last = 0
  const options: RunOptions = {
    ...(job.checkpointDir === undefined ? {} : { checkpointDir: job.checkpointDir }),
    progress: (done, total) => {
      const now = performance.now()
      if (done < total && now - last < PROGRESS_INTERVAL_MS) return
      last = now
      send({ type: "progress", id: job.id, done, total })
    }
  }
  switch (job.kind) {
    case "train":
      return runner.train(tf, (job as JobRequest<"train">).spec, options)
    case "fork":
      return runner.fork(tf, (job as JobRequest<"fork">).spec, options)
  }
}

port.on("message", (job: JobRequest) => {
  run(job).then(
    (value) => send({ type: "result", id: job.id, value }),
    (e: unknown) => send({ type: "error", id: job.id, error: serializeError(e) })
  )
})
