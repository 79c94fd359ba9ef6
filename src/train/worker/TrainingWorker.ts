/**
 * One training worker process with its own tfjs instance, running at
 * most one job at a time. A worker that dies (uncaught error, exit, termination)
 * fails its current job and is never reused; the pool replaces it on demand.
 */
import type { ProgressHook } from "../cellRun.ts"
import type { Channel } from "./channel.ts"
import { openChannel } from "./channel.ts"
import type { OutgoingJob, WorkerConfig, WorkerMessage } from "./protocol.ts"
import { deserializeError } from "./protocol.ts"

interface Active {
  readonly id: number
  readonly onProgress: ProgressHook
  readonly resolve: (value: unknown) => void
  readonly reject: (error: Error) => void
}

export class TrainingWorker {
  private readonly channel: Channel
  private active: Active | undefined
  private alive = true

  constructor(config: WorkerConfig) {
    this.channel = openChannel(config)
    this.channel.onMessage((message) => this.onMessage(message))
    this.channel.onDeath((error) => this.die(error))
  }

  get isAlive(): boolean {
    return this.alive
  }

  get isIdle(): boolean {
    return this.alive && this.active === undefined
  }

  run(job: OutgoingJob, onProgress: ProgressHook): Promise<unknown> {
    if (!this.isIdle) return Promise.reject(new Error("training worker is busy or dead"))
    return new Promise((resolve, reject) => {
      this.active = { id: job.id, onProgress, resolve, reject }
      this.channel.setBusy(true)
      this.channel.send(job)
    })
  }

  /** Stops the worker at once, mid-step if need be, failing its job with `reason`. */
  terminate(reason: Error): Promise<void> {
    this.die(reason)
    return this.channel.terminate()
  }

  private settle(): Active | undefined {
    const active = this.active
    this.active = undefined
    this.channel.setBusy(false)
    return active
  }

  private onMessage(message: WorkerMessage): void {
    const active = this.active
    if (active === undefined || message.id !== active.id) return
    switch (message.type) {
      case "progress":
        active.onProgress(message.done, message.total, message.tally)
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
