/**
 * How the pool talks to one training worker: a forked child process.
 *
 * Processes, not worker threads: on the 2-core target both trained equally fast
 * within the noise, but tfjs-node's native binding cannot be loaded by a second
 * thread of one process (tensorflow/tfjs#2079, #8388, "Module did not
 * self-register"), a cell that crashes natively or runs out of memory takes down
 * only its own worker, and one transport for every backend means the path tfjs-node
 * users take is the one every test and bench here exercises.
 */
import { fork } from "node:child_process"
import { fileURLToPath } from "node:url"
import { Result, Schema } from "effect"
import type { OutgoingJob, WorkerConfig, WorkerMessage } from "./protocol.ts"
import { CONFIG_ENV } from "./protocol.ts"

/**
 * What a worker may send (protocol.ts's WorkerMessage), decoded as it arrives
 * from the other process. A result's value stays unknown here: the engine decodes
 * it with its cell kind's output Schema.
 */
const WorkerMessageSchema = Schema.Union([
  Schema.Struct({
    type: Schema.Literal("progress"),
    id: Schema.Number,
    done: Schema.Number,
    total: Schema.Number,
    tally: Schema.optional(Schema.Struct({ grokked: Schema.Number, seeds: Schema.Number }))
  }),
  Schema.Struct({ type: Schema.Literal("result"), id: Schema.Number, value: Schema.Unknown }),
  Schema.Struct({
    type: Schema.Literal("error"),
    id: Schema.Number,
    error: Schema.Struct({ name: Schema.String, message: Schema.String, stack: Schema.UndefinedOr(Schema.String) })
  })
])
const decodeMessage: (raw: unknown) => Result.Result<WorkerMessage, Schema.SchemaError> = Schema.decodeUnknownResult(WorkerMessageSchema)

export interface Channel {
  readonly send: (job: OutgoingJob) => void
  readonly onMessage: (f: (message: WorkerMessage) => void) => void
  /** Fired once when the worker can no longer serve (crash, exit, spawn failure). */
  readonly onDeath: (f: (error: Error) => void) => void
  /** Keep the process alive while a job runs; an idle worker must not. */
  readonly setBusy: (busy: boolean) => void
  /** Stops the worker at once, even inside synchronous training code. */
  readonly terminate: () => Promise<void>
}

const bootstrapUrl = new URL("./bootstrap.mjs", import.meta.url)

export const openChannel = (config: WorkerConfig): Channel => {
  const child = fork(fileURLToPath(bootstrapUrl), [], {
    env: { ...process.env, [CONFIG_ENV]: JSON.stringify(config) },
    // Not the parent's flags (a test runner's or `--import tsx`): bootstrap.mjs
    // registers the TypeScript loader itself.
    execArgv: [],
    // Structured clone: typed arrays and nested results survive.
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
  const deaths: Array<(error: Error) => void> = []
  const die = (error: Error): void => deaths.forEach((f) => f(error))
  child.on("error", die)
  child.on("exit", (code, signal) => die(new Error(`training worker process exited with ${signal ?? `code ${code}`}`)))
  const terminate = (): Promise<void> => {
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
  return {
    send: (job) => void child.send(job),
    onMessage: (f) =>
      void child.on("message", (raw) => {
        const message = decodeMessage(raw)
        if (Result.isSuccess(message)) return f(message.success)
        // A worker that breaks the protocol cannot be trusted with its job.
        die(new Error(`training worker sent a message outside the protocol: ${message.failure.message}`))
        void terminate()
      }),
    onDeath: (f) => void deaths.push(f),
    setBusy,
    terminate
  }
}
