/**
 * `npm run bench -- train`: training throughput of the paper MLP cell on grokflow's
 * default backend, against the papers' own PyTorch algorithm on the same machine,
 * plus a numerical cross-check of the two from one identical init.
 *
 * grokflow is measured the way the pipeline trains: cells in the worker pool, one
 * single-threaded tfjs per worker, after the workers have started (a pipeline run
 * keeps them for all its cells). Its timing is a whole cell, setup and final
 * evaluation included; the reference's excludes its setup and warm-up steps, which
 * can only flatter the reference. The reference gets OpenBLAS and its better thread
 * count (1 or 2); one single-threaded process per core is shown too.
 *
 * The machine may be shared, so every figure carries how busy all cores were while
 * it was taken, and model-steps per CPU-second (less sensitive to other load).
 * Each measurement first waits (up to GROKFLOW_BENCH_QUIET_WAIT s) for the machine to
 * be nearly idle. With GROKFLOW_BENCH_REPEATS > 1 each configuration is measured that
 * many times, interleaved, and its best wall-clock rate kept — the same rule for both
 * sides.
 *
 * Environment: GROKFLOW_BENCH_STEPS (timed steps per cell, default 300),
 * GROKFLOW_BENCH_REPEATS (default 1), GROKFLOW_BENCH_QUIET_WAIT (seconds, default
 * 120), GROKFLOW_PYTHON (default /usr/bin/python3).
 */
import { mkdtempSync, rmSync } from "node:fs"
import { availableParallelism, cpus, tmpdir } from "node:os"
import { join } from "node:path"
import type { CellResult, CellSpec } from "../src/train/CellSpec.ts"
import { describeBackend } from "../src/train/backend/Backend.ts"
import { resolveBackend } from "../src/train/backend/resolve.ts"
import { WorkerPool } from "../src/train/worker/WorkerPool.ts"
import { childrenCpuSeconds, formatBusy, waitForQuiet, withCpuLoad } from "./reference/cpuLoad.ts"
import { exportCell } from "./reference/exportCell.ts"
import { blasLibrary, probeTorch, pythonPath, torchLosses, torchSpeed } from "./reference/pytorch.ts"

const SEEDS = 12
const CHECK_STEPS = 200
const CHECK_TOLERANCE = 1e-3

const paperCell = (budget: number, evalEvery: number): CellSpec => ({
  task: { p: 59, op: "add", trainFraction: 0.4 },
  model: { kind: "mlp", d: 128, hidden: 256, layerNorm: false },
  optimizer: { lr: 1e-3, weightDecay: 1, beta1: 0.9, beta2: 0.999, eps: 1e-8, decayOrder: "before" },
  loss: "ce",
  tau: 1,
  seeds: SEEDS,
  budget,
  evaluation: { kind: "every", every: evalEvery },
  thresholds: { mem: 0.99, grok: 0.9, extra: [] },
  intervention: { kind: "none" },
  stopWhenAllGrokked: false,
  numerics: "float32"
})

/** One measurement: model-steps per wall second and per CPU-second. */
interface Rate {
  readonly wall: number
  /** undefined where it cannot be attributed (no /proc for worker processes). */
  readonly cpu: number | undefined
  readonly busy: number | undefined
}

const envInt = (name: string, fallback: number): number => {
  const value = Number(process.env[name] ?? fallback)
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`)
  return value
}

const measureGrokflow = async (pool: WorkerPool, cells: number, steps: number): Promise<Rate> => {
  const c0 = process.cpuUsage()
  const k0 = childrenCpuSeconds()
  const t0 = performance.now()
  const { busy } = await withCpuLoad(() =>
    Promise.all(Array.from({ length: cells }, () => pool.run("train", paperCell(steps, steps))))
  )
  const seconds = (performance.now() - t0) / 1000
  // Worker processes are this process's children: their CPU comes from /proc.
  const own = process.cpuUsage(c0)
  const k1 = childrenCpuSeconds()
  const children = k0 === undefined || k1 === undefined ? undefined : k1 - k0
  const cpuSeconds = children === undefined ? undefined : children + (own.user + own.system) / 1e6
  const modelSteps = cells * SEEDS * steps
  return { wall: modelSteps / seconds, cpu: cpuSeconds === undefined ? undefined : modelSteps / cpuSeconds, busy }
}

const measureTorch = async (manifest: string, processes: number, threads: number, steps: number): Promise<Rate> => {
  const { value, busy } = await withCpuLoad(() =>
    Promise.all(Array.from({ length: processes }, () => torchSpeed(manifest, steps, threads)))
  )
  return {
    wall: value.reduce((a, s) => a + s.modelStepsPerSecond, 0),
    cpu: value.reduce((a, s) => a + (s.seeds * s.steps) / s.cpuSeconds, 0) / processes,
    busy
  }
}

const best = (rates: ReadonlyArray<Rate>): Rate => rates.reduce((a, b) => (b.wall > a.wall ? b : a))

const line = (label: string, r: Rate): string =>
  `${label.padEnd(50)} ${r.wall.toFixed(1).padStart(6)} model-steps/s   ${(r.cpu?.toFixed(1) ?? "—").padStart(6)} per CPU-s${formatBusy(r.busy)}`

/** Max over seeds and common steps of |grokflow − torch| / |torch|. */
const maxRelativeDifference = (result: CellResult, torch: ReadonlyArray<ReadonlyArray<number>>): { max: number; compared: number } => {
  let max = 0
  let compared = 0
  for (const seed of result.seeds) {
    const { steps, trainLoss } = seed.trajectory
    steps.forEach((step, i) => {
      const reference = torch[step]?.[seed.seed]
      if (reference === undefined || step > CHECK_STEPS) return
      max = Math.max(max, Math.abs(trainLoss[i] - reference) / Math.abs(reference))
      compared++
    })
  }
  return { max, compared }
}

export async function main(): Promise<void> {
  const steps = envInt("GROKFLOW_BENCH_STEPS", 300)
  const repeats = envInt("GROKFLOW_BENCH_REPEATS", 1)
  const quietWait = envInt("GROKFLOW_BENCH_QUIET_WAIT", 120)
  const workers = availableParallelism()
  const backend = await resolveBackend("auto")
  console.log(`train bench: paper MLP p=59 fraction 0.4 d=128 H=256, ${SEEDS} seeds, lr 1e-3, λ=1, CE, τ=1; ${steps} steps per cell, best of ${repeats}`)
  console.log(`machine: ${workers} cores (${cpus()[0]?.model.trim() ?? "?"}); grokflow backend ${describeBackend(backend)}`)

  const torch = await probeTorch()
  if ("reason" in torch) {
    console.log(`pytorch reference unavailable (${pythonPath()}: ${torch.reason}); measuring grokflow only.`)
    console.log(`  (Debian: apt-get install -y python3-torch libopenblas0-pthread)`)
  } else {
    console.log(`pytorch ${torch.version}; BLAS loaded: ${await blasLibrary()}`)
  }

  const dir = mkdtempSync(join(tmpdir(), "grokflow-bench-"))
  const pool = new WorkerPool({ size: workers, backend })
  try {
    const { manifest } = exportCell(paperCell(steps, steps), dir)
    // Start every worker (process, tfjs, wasm compile) outside the timings.
    await Promise.all(Array.from({ length: workers }, () => pool.run("train", paperCell(2, 2))))

    const runs: Record<"single" | "pool" | "t1" | "t2" | "tProcs", Array<Rate>> = { single: [], pool: [], t1: [], t2: [], tProcs: [] }
    // Progress to stderr: on a busy machine a repeat can take many minutes.
    const note = async (name: keyof typeof runs, measure: () => Promise<Rate>): Promise<void> => {
      if ((await waitForQuiet(quietWait)) === false) process.stderr.write(`  (machine still busy after ${quietWait} s; measuring anyway)\n`)
      const rate = await measure()
      runs[name].push(rate)
      process.stderr.write(`  ${name}: ${rate.wall.toFixed(1)} model-steps/s${formatBusy(rate.busy)}\n`)
    }
    for (let r = 0; r < repeats; r++) {
      await note("single", () => measureGrokflow(pool, 1, steps))
      await note("pool", () => measureGrokflow(pool, workers, steps))
      if ("reason" in torch) continue
      await note("t1", () => measureTorch(manifest, 1, 1, steps))
      await note("t2", () => measureTorch(manifest, 1, 2, steps))
      await note("tProcs", () => measureTorch(manifest, workers, 1, steps))
    }
    const single = best(runs.single)
    const poolRate = best(runs.pool)
    console.log(line("grokflow, 1 worker (one cell alone)", single))
    console.log(line(`grokflow, ${workers} worker processes (${workers} cells at once)`, poolRate))
    const check = await pool.run("train", paperCell(CHECK_STEPS, 1))
    await pool.close()
    if ("reason" in torch) {
      console.log(`train speed vs pytorch: n/a (no torch)`)
      return
    }

    const t1 = best(runs.t1)
    const t2 = best(runs.t2)
    const tProcs = best(runs.tProcs)
    console.log(line("pytorch reference, 1 thread", t1))
    console.log(line("pytorch reference, 2 threads", t2))
    console.log(line(`pytorch reference, ${workers} processes × 1 thread (info)`, tProcs))
    const reference = t2.wall > t1.wall ? { threads: 2, rate: t2 } : { threads: 1, rate: t1 }

    const losses = await torchLosses(manifest, CHECK_STEPS)
    const { max, compared } = maxRelativeDifference(check, losses)
    const pass = compared > 0 && max <= CHECK_TOLERANCE
    console.log(`cross-check: train loss, steps 0..${CHECK_STEPS}, ${compared} seed-steps from identical init: max relative difference ${max.toExponential(2)} ${pass ? "PASS" : "FAIL"} (tolerance ${CHECK_TOLERANCE})`)
    console.log(`pytorch best: ${reference.threads} thread(s). Other ratios: grokflow 1 worker / pytorch 1 thread ${(single.wall / t1.wall).toFixed(2)}×, grokflow ${workers} workers / pytorch ${workers} processes ${(poolRate.wall / tProcs.wall).toFixed(2)}×`)
    console.log(`train speed vs pytorch: ${(poolRate.wall / reference.rate.wall).toFixed(2)}×`)
  } finally {
    await pool.close()
    rmSync(dir, { recursive: true, force: true })
  }
}
