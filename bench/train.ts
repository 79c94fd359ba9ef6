/**
 * `npm run bench -- train`: training throughput of the paper MLP cell on grokflow's
 * default backend, against the papers' own PyTorch algorithm on the same machine,
 * plus a numerical cross-check of the two from one identical init.
 *
 * grokflow is measured the way the pipeline trains: cells in the worker pool, one
 * single-threaded tfjs per worker, after the workers have started (a pipeline run
 * keeps them for all its cells). Its timing is a whole cell, setup and final
 * evaluation included; the reference's excludes its setup and warm-up steps, which
 * can only flatter the reference.
 *
 * Environment: GROKFLOW_BENCH_STEPS (timed steps per cell, default 300),
 * GROKFLOW_PYTHON (interpreter with torch, default /usr/bin/python3).
 */
import { mkdtempSync, rmSync } from "node:fs"
import { availableParallelism, cpus, tmpdir } from "node:os"
import { join } from "node:path"
import type { CellResult, CellSpec } from "../src/train/CellSpec.ts"
import { describeBackend } from "../src/train/backend/Backend.ts"
import { resolveBackend } from "../src/train/backend/resolve.ts"
import { WorkerPool } from "../src/train/worker/WorkerPool.ts"
import { formatBusy, withCpuLoad } from "./reference/cpuLoad.ts"
import { exportCell } from "./reference/exportCell.ts"
import { blasLibrary, probeTorch, pythonPath, torchLosses, torchSpeed, type TorchSpeed } from "./reference/pytorch.ts"

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

const fmt = (x: number): string => x.toFixed(1)

const timed = async <A>(f: () => Promise<A>): Promise<{ value: A; seconds: number; busy: number | undefined }> => {
  const t0 = performance.now()
  const { value, busy } = await withCpuLoad(f)
  return { value, seconds: (performance.now() - t0) / 1000, busy }
}

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
  const steps = Number(process.env.GROKFLOW_BENCH_STEPS ?? 300)
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`GROKFLOW_BENCH_STEPS must be a positive integer`)
  const workers = availableParallelism()
  const backend = await resolveBackend("auto")
  console.log(`train bench: paper MLP p=59 fraction 0.4 d=128 H=256, ${SEEDS} seeds, lr 1e-3, λ=1, CE, τ=1; ${steps} steps per cell`)
  console.log(`machine: ${workers} cores (${cpus()[0]?.model.trim() ?? "?"}); grokflow backend ${describeBackend(backend)}`)

  const dir = mkdtempSync(join(tmpdir(), "grokflow-bench-"))
  const pool = new WorkerPool({ size: workers, backend })
  try {
    const cell = exportCell(paperCell(steps, steps), dir)
    // Start every worker (thread, tfjs, wasm compile) outside the timings.
    await Promise.all(Array.from({ length: workers }, () => pool.run("train", paperCell(2, 2))))

    const single = await timed(() => pool.run("train", paperCell(steps, steps)))
    const singleRate = (SEEDS * steps) / single.seconds
    console.log(`grokflow, one cell alone (1 worker):        ${fmt(singleRate)} model-steps/s${formatBusy(single.busy)}`)
    const concurrent = await timed(() =>
      Promise.all(Array.from({ length: workers }, () => pool.run("train", paperCell(steps, steps))))
    )
    const poolRate = (workers * SEEDS * steps) / concurrent.seconds
    console.log(`grokflow, ${workers} cells at once (${workers} workers):    ${fmt(poolRate)} model-steps/s${formatBusy(concurrent.busy)}`)
    const check = await pool.run("train", paperCell(CHECK_STEPS, 1))
    await pool.close()

    const torch = await probeTorch()
    if ("reason" in torch) {
      console.log(`pytorch reference unavailable (${pythonPath()}: ${torch.reason});`)
      console.log(`  install it with: apt-get install -y python3-torch libopenblas0-pthread`)
      console.log(`train speed vs pytorch: n/a (no torch)`)
      return
    }
    console.log(`pytorch ${torch.version}, BLAS: ${await blasLibrary()}`)
    const speeds: Array<TorchSpeed> = []
    for (const threads of [1, 2]) {
      const { value, busy } = await withCpuLoad(() => torchSpeed(cell.manifest, steps, threads))
      speeds.push(value)
      console.log(`pytorch reference, ${threads} thread${threads > 1 ? "s" : ""}:             ${fmt(value.modelStepsPerSecond)} model-steps/s${formatBusy(busy)}`)
    }
    const best = speeds.reduce((a, b) => (b.modelStepsPerSecond > a.modelStepsPerSecond ? b : a))
    // Informational: the reference given the whole machine the way grokflow uses it
    // (one single-threaded process per core, cells side by side).
    const side = await withCpuLoad(() =>
      Promise.all(Array.from({ length: workers }, () => torchSpeed(cell.manifest, steps, 1)))
    )
    const sideRate = side.value.reduce((a, s) => a + s.modelStepsPerSecond, 0)
    console.log(`pytorch reference, ${workers} processes × 1 thread: ${fmt(sideRate)} model-steps/s (total)${formatBusy(side.busy)}`)

    const losses = await torchLosses(cell.manifest, CHECK_STEPS)
    const { max, compared } = maxRelativeDifference(check, losses)
    const pass = compared > 0 && max <= CHECK_TOLERANCE
    console.log(`cross-check, train loss over steps 0..${CHECK_STEPS} (${compared} seed-steps, identical init): max relative difference ${max.toExponential(2)} — ${pass ? "PASS" : "FAIL"} (tolerance ${CHECK_TOLERANCE})`)

    console.log(`pytorch best: ${best.threads} thread${best.threads > 1 ? "s" : ""} (${fmt(best.modelStepsPerSecond)}); grokflow pool / pytorch ${workers} processes: ${(poolRate / sideRate).toFixed(2)}×; grokflow 1 worker / pytorch 1 thread: ${(singleRate / (speeds[0]?.modelStepsPerSecond ?? NaN)).toFixed(2)}×`)
    console.log(`train speed vs pytorch: ${(poolRate / best.modelStepsPerSecond).toFixed(2)}×`)
  } finally {
    await pool.close()
    rmSync(dir, { recursive: true, force: true })
  }
}
