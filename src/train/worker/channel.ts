/**
 * How the pool talks to one training worker: a child process (the default) or a
 * worker thread.
 *
 * Speed does not decide it: on the 2-core target, two worker threads and two worker
 * processes trained the paper cell equally fast within the noise (±10% between
 * runs, and whichever ran second tended to win; README "Training speed"). Processes
 * are the default because the tensorflow backend needs them — tfjs-node's native
 * binding cannot be loaded by a second thread of one process (tensorflow/tfjs#2079,
 * #8388, "Module did not self-register") — and one transport for every backend means
 * the path tfjs-node users take is the one every test and bench here exercises;
 * also, a cell that crashes natively or runs out of memory takes down only its
 * worker. Threads stay selectable: they start a little faster and cannot be orphaned.
 */
import { fork } from "node:child_process"
import { fileURLToPath } from "node:url"
import { Worker } from "node:worker_threads"
import type { BackendName } from "../backend/Backend.ts"
import type { JobRequest, WorkerConfig, WorkerMessage } from "./protocol.ts"
import { CONFIG_ENV } from "./protocol.ts"

export type Transport = "thread" | "process"

export interface Channel {
  readonly send: (job: JobRequest) => void
  readonly onMessage: (f: (message: WorkerMessage) => void) => void
  /** Fired once when the worker can no longer serve (crash, exit, spawn failure). */
  readonly onDeath: (f: (error: Error) => void) => void
  /** Keep the process alive while a job runs; an idle worker must not. */
  readonly setBusy: (busy: boolean) => void
  /** Stops the worker at once, even inside synchronous training code. */
  readonly terminate: () => Promise<void>
}

const bootstrapUrl = new URL("./bootstrap.mjs", import.meta.url)

const threadChannel = (config: WorkerConfig): Channel => {
  const worker = new Worker(bootstrapUrl, { workerData: config })
  worker.unref()
  return {
    send: (job) => worker.postMessage(job),
    onMessage: (f) => void worker.on("message", f),
    onDeath: (f) => {
      worker.on("error", f)
      worker.on("exit", (code: number) => f(new Error(`training worker thread exited with code ${code}`)))
    },
    setBusy: (busy) => (busy ? worker.ref() : worker.unref()),
    terminate: () => worker.terminate().then(() => undefined)
  }
}

const processChannel = (config: WorkerConfig): Channel => {
  const child = fork(fileURLToPath(bootstrapUrl), [], {
    env: { ...process.env, [CONFIG_ENV]: JSON.stringify(config) },
    // Not the parent's flags (a test runner's or `--import tsx`): bootstrap.mjs
    // registers the TypeScript loader itself, exactly as in a thread.
    execArgv: [],
    // Structured clone, like worker threads: typed arrays and nested results survive.
    serialization: "advanced"
  })
  const setBusy = (busy: boolean): void => {
    if (busy) {
      child.ref()
      child.channel?.ref()
    } else {
      child.unref()
      child.channel?.unref()
    }
  }
  setBusy(false)
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()))
  return {
    send: (job) => void child.send(job),
    onMessage: (f) => void child.on("message", (m) => f(m as WorkerMessage)),
    onDeath: (f) => {
      child.on("error", f)
      child.on("exit", (code, signal) =>
        f(new Error(`training worker process exited with ${signal ?? `code ${code}`}`)))
    },
    setBusy,
    terminate: () => {
      // SIGKILL: the child may be deep in synchronous training with no chance to run
      // a handler; checkpoints are written atomically, so nothing is left half-done.
      if (child.exitCode === null && child.signalCode === null) {
        // An idle child is unref'd; waiting on its exit with nothing else keeping the
        // event loop alive would end the parent with code 13 (unsettled await).
        setBusy(true)
        child.kill("SIGKILL")
      }
      return exited
    }
  }
}

export const openChannel = (transport: Transport, config: WorkerConfig): Channel =>
  transport === "thread" ? threadChannel(config) : processChannel(config)

/** The transport for a backend: processes for all, see the module comment. */
export const defaultTransport = (_backend: BackendName): Transport => "process"
