/**
 * `npm run bench -- attention`: training throughput of the papers' attention model
 * (paper A §7: p=59, fraction 0.4, d=128, 4 heads, MLP width 512, no LayerNorm, lr 5e-4,
 * λ=1, CE) on grokflow's default backend against a PyTorch reference of the standard,
 * unfolded model (bench/reference/attention_reference.py), plus the loss cross-check of
 * the two from one identical exported init over 200 steps.
 *
 * Measured as bench/train.ts measures the MLP (bench/common.ts): grokflow cells in the
 * worker pool (1 worker alone, then one cell per worker), the reference with 1 thread,
 * one process × all threads and one single-threaded process per core. The speed target
 * is per CPU-second (one single-threaded process per core is the deployment).
 *
 * Environment: GROKFLOW_BENCH_STEPS (timed steps per cell, default 40),
 * GROKFLOW_BENCH_SEEDS (default 12), GROKFLOW_BENCH_REPEATS, GROKFLOW_BENCH_QUIET_WAIT,
 * GROKFLOW_PYTHON (see bench/common.ts).
 */
import { mkdtempSync, rmSync } from "node:fs"
import { availableParallelism, cpus, tmpdir } from "node:os"
import { join } from "node:path"
import type { CellSpec } from "../src/train/CellSpec.ts"
import { describeBackend } from "../src/train/backend/Backend.ts"
import { resolveBackend } from "../src/train/backend/resolve.ts"
import { WorkerPool } from "../src/train/worker/WorkerPool.ts"
import { crossCheckLine, envInt, line, maxRelativeDifference, measureGrokflow, measureTorch, Runs } from "./common.ts"
import { exportCell } from "./reference/exportCell.ts"
import { blasLibrary, probeTorch, pythonPath, torchLosses } from "./reference/pytorch.ts"

const CHECK_STEPS = 200
const CHECK_SEEDS = 2
const CHECK_TOLERANCE = 1e-3
/** The attention model before the fold (docs/training-speed.md), model-steps per CPU-second. */
const UNFOLDED_PER_CPU_SECOND = 7

const attentionCell = (seeds: number, budget: number, evalEvery: number): CellSpec => ({
  task: { p: 59, op: "add", trainFraction: 0.4 },
  model: { kind: "attention", d: 128, heads: 4, mlpWidth: 512, preLayerNorm: false },
  optimizer: { lr: 5e-4, weightDecay: 1, beta1: 0.9, beta2: 0.999, eps: 1e-8, decayOrder: "before" },
  loss: "ce",
  tau: 1,
  seeds,
  budget,
  evaluation: { kind: "every", every: evalEvery },
  thresholds: { mem: 0.99, grok: 0.9, extra: [] },
  intervention: { kind: "none" },
  stopWhenAllGrokked: false,
  numerics: "float32"
})

type Name = "single" | "pool" | "t1" | "tN" | "procs"

export async function main(): Promise<void> {
  const steps = envInt("GROKFLOW_BENCH_STEPS", 40)
  const seeds = envInt("GROKFLOW_BENCH_SEEDS", 12)
  const repeats = envInt("GROKFLOW_BENCH_REPEATS", 1)
  const quietWait = envInt("GROKFLOW_BENCH_QUIET_WAIT", 120)
  const workers = availableParallelism()
  const backend = await resolveBackend("auto")
  const cell = attentionCell(seeds, steps, steps)
  console.log(`attention bench: p=59 fraction 0.4 d=128 heads 4 M=512, no LayerNorm, ${seeds} seeds, lr 5e-4, λ=1, CE, τ=1; ${steps} steps per cell, best of ${repeats}`)
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
    const { manifest } = exportCell(cell, mkdtempSync(join(dir, "speed-")))
    const checkManifest = exportCell(attentionCell(CHECK_SEEDS, CHECK_STEPS, 1), mkdtempSync(join(dir, "check-"))).manifest
    await Promise.all(Array.from({ length: workers }, () => pool.run("train", attentionCell(1, 2, 2))))

    const runs = new Runs<Name>(quietWait)
    for (let r = 0; r < repeats; r++) {
      await runs.note("single", () => measureGrokflow(pool, cell, 1))
      await runs.note("pool", () => measureGrokflow(pool, cell, workers))
      if ("reason" in torch) continue
      await runs.note("t1", () => measureTorch("attention", manifest, 1, 1, steps))
      await runs.note("tN", () => measureTorch("attention", manifest, 1, workers, steps))
      await runs.note("procs", () => measureTorch("attention", manifest, workers, 1, steps))
    }
    const single = runs.best("single")
    const poolRate = runs.best("pool")
    console.log(line("grokflow, 1 worker (one cell alone)", single))
    console.log(line(`grokflow, ${workers} worker processes (${workers} cells at once)`, poolRate))
    const perCpu = single.cpu ?? poolRate.cpu
    if (perCpu !== undefined) console.log(`grokflow attention: ${perCpu.toFixed(1)} model-steps per CPU-second, ${(perCpu / UNFOLDED_PER_CPU_SECOND).toFixed(1)}× the unfolded model's ~${UNFOLDED_PER_CPU_SECOND}`)
    const check = await pool.run("train", attentionCell(CHECK_SEEDS, CHECK_STEPS, 1))
    await pool.close()
    if ("reason" in torch) return

    const t1 = runs.best("t1")
    const tN = runs.best("tN")
    const procs = runs.best("procs")
    console.log(line("pytorch, papers' transformer, 1 thread", t1))
    console.log(line(`pytorch, papers' transformer, 1 process × ${workers} threads`, tN))
    console.log(line(`pytorch, papers' transformer, ${workers} processes × 1 thread`, procs))
    const losses = await torchLosses("attention", checkManifest, CHECK_STEPS)
    console.log(crossCheckLine(CHECK_STEPS, maxRelativeDifference(check, losses, CHECK_STEPS), CHECK_TOLERANCE))
    const best = procs.wall >= tN.wall ? procs : tN
    console.log(`info: grokflow 1 worker / pytorch 1 thread ${(single.wall / t1.wall).toFixed(2)}×; per CPU-second ${single.cpu !== undefined && t1.cpu !== undefined ? (single.cpu / t1.cpu).toFixed(2) : "—"}×`)
    console.log(`attention speed vs pytorch (equal cores): ${(poolRate.wall / best.wall).toFixed(2)}×`)
  } finally {
    await pool.close()
    rmSync(dir, { recursive: true, force: true })
  }
}
