/**
 * One worker thread with its own tfjs instance, running at most one job at a time.
 * A worker that dies (uncaught error, exit, termination) fails its current job and
 * is never reused; the pool replaces it on demand.
 */
import { Worker } from "node:worker_threads"
import type { JobRequest, WorkerConfig, WorkerMessage } from "./protocol.ts"
import { deserializeError } from "./protocol.ts"

const bootstrapUrl = new URL("./bootstrap.mjs", import.meta.url)

interface Active {
  readonly id: number
  readonly onProgress: (done: number, total: number) => void
  readonly resolve: (value: unknown) => void
  readonly reject: (error: Error) => void
}

export class TrainingWorker {
  private readonly worker: Worker
  private active: Active | undefined
  private alive = true

  constructor(config: WorkerConfig) {
    this.worker = new Worker(bootstrapUrl, { workerData: config })
    // An idle worker must not keep the process alive: a pool that was never closed
    // (a script that forgot its scope) would otherwise hang at exit.
    this.worker.unref()
    this.worker.on("message", (message: WorkerMessage) => this.onMessage(message))
    this.worker.on("error", (error: Error) => this.die(error))
    this.worker.on("exit", (code: number) => this.die(new Error(`training worker exited with code ${code}`)))
  }

  get isAlive(): boolean {
    return this.alive
  }

  get isIdle(): boolean {
    return this.alive && this.active === undefined
  }

  run(job: JobRequest, onProgress: (done: number, total: number) => void): Promise<unknown> {
    if (!this.isIdle) return Promise.reject(new Error("training worker is busy or dead"))
    return new Promise((resolve, reject) => {
      this.active = { id: job.id, onProgress, resolve, reject }
      this.worker.ref()
      this.worker.postMessage(job)
    })
  }

  /** Stops the thread at once, mid-step if need be: wasm execution is interruptible. */
  terminate(reason: Error): Promise<void> {
    this.die(reason)
    return this.worker.terminate().then(() => undefined)
  }

  private settle(): Active | undefined {
    const active = this.active
    this.active = undefined
    this.worker.unref()
    return active
  }

  private onMessage(message: WorkerMessage): void {
    const active = this.active
    if (active === undefined || message.id !== active.id) return
    switch (message.type) {
      case "progress":
        active.onProgress(message.done, message.total)
        return
      case "result":
        this.settle()?.resolve(message.value)
        return
      case "error":
        this.settle()?.reject(deserializeError(message.error))
        return
    }
  }

  private die(error: Error): void {
    if (!this.alive) return
    this.alive = false
    this.settle()?.reject(error)
  }
}
