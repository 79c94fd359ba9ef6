/**
 * What the training benches (train.ts, attention.ts) share: measuring grokflow cells in
 * the worker pool and the PyTorch references in their layouts, the best-of-repeats rule,
 * the printed lines, and the loss cross-check from identical init.
 *
 * Every figure is model-steps (seeds × steps) per wall second and per CPU-second, with
 * how busy all cores were meanwhile and the load average (the machine may be shared).
 * Each measurement first waits (up to GROKFLOW_BENCH_QUIET_WAIT s) for the machine to be
 * nearly idle; with GROKFLOW_BENCH_REPEATS > 1 each configuration is measured that many
 * times, interleaved, and its best wall-clock rate kept — the same rule for both sides.
 */
import { loadavg } from "node:os"
import type { CellResult, CellSpec } from "../src/train/CellSpec.ts"
import type { WorkerPool } from "../src/train/worker/WorkerPool.ts"
import { childrenCpuSeconds, formatBusy, waitForQuiet, withCpuLoad } from "./reference/cpuLoad.ts"
import { torchSpeed, type Reference } from "./reference/pytorch.ts"

/** One measurement: model-steps per wall second and per CPU-second. */
export interface Rate {
  readonly wall: number
  /** undefined where it cannot be attributed (no /proc for worker processes). */
  readonly cpu: number | undefined
  readonly busy: number | undefined
  /** 1-minute load average when the measurement ended. */
  readonly load: number
}

export const envInt = (name: string, fallback: number): number => {
  const value = Number(process.env[name] ?? fallback)
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`)
  return value
}

/** `cells` copies of `spec` at once in the pool: the pool's throughput. */
export const measureGrokflow = async (pool: WorkerPool, spec: CellSpec, cells: number): Promise<Rate> => {
  const c0 = process.cpuUsage()
  const k0 = childrenCpuSeconds()
  const t0 = performance.now()
  const { busy } = await withCpuLoad(() => Promise.all(Array.from({ length: cells }, () => pool.run("train", spec))))
  const seconds = (performance.now() - t0) / 1000
  // Worker processes are this process's children: their CPU comes from /proc.
  const own = process.cpuUsage(c0)
  const k1 = childrenCpuSeconds()
  const children = k0 === undefined || k1 === undefined ? undefined : k1 - k0
  const cpuSeconds = children === undefined ? undefined : children + (own.user + own.system) / 1e6
  const modelSteps = cells * spec.seeds * spec.budget
  return { wall: modelSteps / seconds, cpu: cpuSeconds === undefined ? undefined : modelSteps / cpuSeconds, busy, load: loadavg()[0] }
}

/** `processes` reference processes of `threads` threads each, at once. */
export const measureTorch = async (reference: Reference, manifest: string, processes: number, threads: number, steps: number): Promise<Rate> => {
  const { value, busy } = await withCpuLoad(() =>
    Promise.all(Array.from({ length: processes }, () => torchSpeed(reference, manifest, steps, threads)))
  )
  return {
    wall: value.reduce((a, s) => a + s.modelStepsPerSecond, 0),
    cpu: value.reduce((a, s) => a + (s.seeds * s.steps) / s.cpuSeconds, 0) / processes,
    busy,
    load: loadavg()[0]
  }
}

/** Named measurements, each repeated and kept at its best wall-clock rate. */
export class Runs<Name extends string> {
  private readonly rates = new Map<Name, Array<Rate>>()
  constructor(private readonly quietWait: number) {}
  async note(name: Name, measure: () => Promise<Rate>): Promise<void> {
    if ((await waitForQuiet(this.quietWait)) === false) process.stderr.write(`  (machine still busy after ${this.quietWait} s; measuring anyway)\n`)
    const rate = await measure()
    this.rates.set(name, [...(this.rates.get(name) ?? []), rate])
    // Progress to stderr: on a busy machine a repeat can take many minutes.
    process.stderr.write(`  ${name}: ${rate.wall.toFixed(1)} model-steps/s${formatBusy(rate.busy)}, load ${rate.load.toFixed(2)}\n`)
  }
  best(name: Name): Rate {
    const rates = this.rates.get(name)
    if (rates === undefined) throw new Error(`bench: ${name} was not measured`)
    return rates.reduce((a, b) => (b.wall > a.wall ? b : a))
  }
}

export const line = (label: string, r: Rate): string =>
  `${label.padEnd(54)} ${r.wall.toFixed(1).padStart(6)} model-steps/s   ${(r.cpu?.toFixed(1) ?? "—").padStart(6)} per CPU-s${formatBusy(r.busy)}, load ${r.load.toFixed(2)}`

/** Max over seeds and steps ≤ maxStep of |grokflow − torch| / |torch| of the train loss. */
export const maxRelativeDifference = (result: CellResult, torch: ReadonlyArray<ReadonlyArray<number>>, maxStep: number): { max: number; compared: number } => {
  let max = 0
  let compared = 0
  for (const seed of result.seeds) {
    const { steps, trainLoss } = seed.trajectory
    steps.forEach((step, i) => {
      const reference = torch[step]?.[seed.seed]
      if (reference === undefined || step > maxStep) return
      max = Math.max(max, Math.abs(trainLoss[i] - reference) / Math.abs(reference))
      compared++
    })
  }
  return { max, compared }
}

export const crossCheckLine = (steps: number, check: { max: number; compared: number }, tolerance: number): string => {
  const pass = check.compared > 0 && check.max <= tolerance
  return `cross-check: train loss, steps 0..${steps}, ${check.compared} seed-steps from identical init: max relative difference ${check.max.toExponential(2)} ${pass ? "PASS" : "FAIL"} (tolerance ${tolerance})`
}
