/**
 * A fixed number of training-worker processes fed from a FIFO queue. Workers start
 * lazily (a pool that never trains costs nothing) and each runs one job at a time,
 * so the pool's size bounds concurrency. Aborting a queued job just drops it;
 * aborting a running job terminates its worker (the next job in that slot gets a
 * fresh one) — training holds no state worth saving beyond its own checkpoints.
 */
import type { ResolvedBackend } from "../backend/Backend.ts"
import type { ProgressHook } from "../cellRun.ts"
import { defaultRunnerUrl } from "./runnerModule.ts"
import type { JobKind, JobKinds, WorkerConfig } from "./protocol.ts"
import { TrainingWorker } from "./TrainingWorker.ts"

export interface PoolOptions {
  /** Number of worker processes, each single-threaded: one per core is the design. */
  readonly size: number
  readonly backend: ResolvedBackend
  /** Module implementing CellRunner; defaults to the real training core. */
  readonly runner?: URL
}

export interface JobOptions {
  readonly checkpointDir?: string
  readonly progress?: ProgressHook
  readonly signal?: AbortSignal
}

interface Queued {
  readonly id: number
  readonly kind: JobKind
  readonly spec: JobKinds[JobKind]["spec"]
  readonly options: JobOptions
  readonly resolve: (value: unknown) => void
  readonly reject: (error: Error) => void
  readonly detach: () => void
}

interface Slot {
  worker: TrainingWorker | undefined
  busy: boolean
}

export class PoolClosedError extends Error {
  override readonly name = "PoolClosedError"
}

const abortError = (signal: AbortSignal): Error =>
  signal.reason instanceof Error ? signal.reason : new Error("training job aborted")

export class WorkerPool {
  private readonly config: WorkerConfig
  private readonly slots: Array<Slot>
  private readonly queue: Array<Queued> = []
  private nextId = 1
  private closed = false
  private spawned = 0

  constructor(options: PoolOptions) {
    if (!Number.isInteger(options.size) || options.size < 1) {
      throw new Error(`worker pool size must be a positive integer, got ${options.size}`)
    }
    this.config = { backend: options.backend, runner: (options.runner ?? defaultRunnerUrl).href }
    this.slots = Array.from({ length: options.size }, () => ({ worker: undefined, busy: false }))
  }

  get size(): number {
    return this.slots.length
  }

  /** Worker processes started so far, replacements included (for tests and diagnostics). */
  get workersSpawned(): number {
    return this.spawned
  }

  run<K extends JobKind>(kind: K, spec: JobKinds[K]["spec"], options: JobOptions = {}): Promise<JobKinds[K]["result"]> {
    if (this.closed) return Promise.reject(new PoolClosedError("worker pool is closed"))
    const signal = options.signal
    if (signal?.aborted === true) return Promise.reject(abortError(signal))
    // Results are the worker's structured clone of what the runner returned for this
    // kind; the runner's signature (CellRunner) is what types them.
    return new Promise<unknown>((resolve, reject) => {
      const id = this.nextId++
      const onAbort = (): void => this.abort(id, abortError(signal as AbortSignal))
      signal?.addEventListener("abort", onAbort, { once: true })
      const detach = (): void => signal?.removeEventListener("abort", onAbort)
      this.queue.push({ id, kind, spec, options, resolve, reject, detach })
      this.dispatch()
    }) as Promise<JobKinds[K]["result"]>
  }

  /** Terminates every worker and fails every queued or running job. */
  async close(): Promise<void> {
    this.closed = true
    const reason = new PoolClosedError("worker pool is closed")
    for (const job of this.queue.splice(0)) {
      job.detach()
      job.reject(reason)
    }
    await Promise.all(this.slots.map((slot) => {
      const worker = slot.worker
      slot.worker = undefined
      return worker?.terminate(reason)
    }))
  }

  private readonly running = new Map<number, Slot>()

  private dispatch(): void {
    for (const slot of this.slots) {
      if (this.closed || this.queue.length === 0) return
      if (slot.busy) continue
      const job = this.queue.shift() as Queued
      this.start(slot, job)
    }
  }

  private start(slot: Slot, job: Queued): void {
    if (slot.worker === undefined || !slot.worker.isAlive) {
      slot.worker = new TrainingWorker(this.config)
      this.spawned++
    }
    slot.busy = true
    this.running.set(job.id, slot)
    const request = { type: "job" as const, id: job.id, kind: job.kind, spec: job.spec, checkpointDir: job.options.checkpointDir }
    const progress = job.options.progress ?? ((): void => undefined)
    slot.worker.run(request, progress).then(
      (value) => this.finish(slot, job, () => job.resolve(value)),
      (error: Error) => this.finish(slot, job, () => job.reject(error))
    )
  }

  private finish(slot: Slot, job: Queued, settle: () => void): void {
    this.running.delete(job.id)
    job.detach()
    slot.busy = false
    settle()
    this.dispatch()
  }

  private abort(id: number, reason: Error): void {
    const index = this.queue.findIndex((job) => job.id === id)
    if (index >= 0) {
      const [job] = this.queue.splice(index, 1)
      job.detach()
      job.reject(reason)
      return
    }
    const slot = this.running.get(id)
    const worker = slot?.worker
    if (slot === undefined || worker === undefined) return
    slot.worker = undefined
    // Terminating rejects the job through the worker's death, which frees the slot.
    void worker.terminate(reason)
  }
}
