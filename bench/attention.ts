/**
 * `npm run bench -- attention`: training throughput of the papers' attention model
 * (paper A §7: p=59, fraction 0.4, d=128, 4 heads, MLP width 512, λ=1, CE; no LayerNorm
 * at lr 5e-4, and the pre-LN variant at lr 1e-3) on grokflow's default backend against
 * a PyTorch reference of the standard, unfolded model
 * (bench/reference/attention_reference.py), plus the loss cross-check of the two from
 * one identical exported init over 200 steps, for both variants.
 *
 * Measured as bench/train.ts measures the MLP (bench/common.ts): grokflow cells in the
 * worker pool (1 worker alone, then one cell per worker), the reference with 1 thread,
 * one process × all threads and one single-threaded process per core (the pre-LN
 * variant: 1 worker and 1 thread only). The speed target is per CPU-second (one
 * single-threaded process per core is the deployment).
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
import { crossCheckLine, envInt, line, maxRelativeDifference, measureGrokflow, measureTorch, Runs, type Rate } from "./common.ts"
import { exportCell } from "./reference/exportCell.ts"
import { blasLibrary, probeTorch, pythonPath, torchLosses } from "./reference/pytorch.ts"

const CHECK_STEPS = 200
const CHECK_SEEDS = 2
const CHECK_TOLERANCE = 1e-3
/** The attention model before the fold (docs/training-speed.md), model-steps per CPU-second. */
const UNFOLDED_PER_CPU_SECOND = 7
/**
 * The no-LN model before issue #18's work on it (quiet machine, 2026-12), model-steps
 * per CPU-second; the issue asks for twice that.
 */
const BEFORE_18_PER_CPU_SECOND = 57

const attentionCell = (seeds: number, budget: number, evalEvery: number, preLayerNorm = false): CellSpec => ({
  task: { p: 59, op: "add", trainFraction: 0.4 },
  model: { kind: "attention", d: 128, heads: 4, mlpWidth: 512, preLayerNorm },
  optimizer: { lr: preLayerNorm ? 1e-3 : 5e-4, weightDecay: 1, beta1: 0.9, beta2: 0.999, eps: 1e-8, decayOrder: "before" },
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

type Name = "single" | "pool" | "singleLn" | "t1" | "tN" | "procs" | "t1Ln"

export async function main(): Promise<void> {
  const steps = envInt("GROKFLOW_BENCH_STEPS", 40)
  const seeds = envInt("GROKFLOW_BENCH_SEEDS", 12)
  const repeats = envInt("GROKFLOW_BENCH_REPEATS", 1)
  const quietWait = envInt("GROKFLOW_BENCH_QUIET_WAIT", 120)
  const workers = availableParallelism()
  const backend = await resolveBackend("auto")
  const cell = attentionCell(seeds, steps, steps)
  const cellLn = attentionCell(seeds, steps, steps, true)
  console.log(`attention bench: p=59 fraction 0.4 d=128 heads 4 M=512, ${seeds} seeds, λ=1, CE, τ=1; no LayerNorm (lr 5e-4) and pre-LN (lr 1e-3); ${steps} steps per cell, best of ${repeats}`)
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
    const manifestLn = exportCell(cellLn, mkdtempSync(join(dir, "speed-ln-"))).manifest
    const checkCell = (preLN: boolean) => attentionCell(CHECK_SEEDS, CHECK_STEPS, 1, preLN)
    const checkManifest = exportCell(checkCell(false), mkdtempSync(join(dir, "check-"))).manifest
    const checkManifestLn = exportCell(checkCell(true), mkdtempSync(join(dir, "check-ln-"))).manifest
    await Promise.all(Array.from({ length: workers }, () => pool.run("train", attentionCell(1, 2, 2))))

    const runs = new Runs<Name>(quietWait)
    for (let r = 0; r < repeats; r++) {
      await runs.note("single", () => measureGrokflow(pool, cell, 1))
      await runs.note("pool", () => measureGrokflow(pool, cell, workers))
      await runs.note("singleLn", () => measureGrokflow(pool, cellLn, 1))
      if ("reason" in torch) continue
      await runs.note("t1", () => measureTorch("attention", manifest, 1, 1, steps))
      await runs.note("tN", () => measureTorch("attention", manifest, 1, workers, steps))
      await runs.note("procs", () => measureTorch("attention", manifest, workers, 1, steps))
      await runs.note("t1Ln", () => measureTorch("attention", manifestLn, 1, 1, steps))
    }
    const single = runs.best("single")
    const poolRate = runs.best("pool")
    const singleLn = runs.best("singleLn")
    console.log(line("grokflow, no LN, 1 worker (one cell alone)", single))
    console.log(line(`grokflow, no LN, ${workers} worker processes (${workers} cells at once)`, poolRate))
    console.log(line("grokflow, pre-LN, 1 worker (one cell alone)", singleLn))
    const perCpu = single.cpu ?? poolRate.cpu
    if (perCpu !== undefined) {
      console.log(`grokflow attention (no LN): ${perCpu.toFixed(1)} model-steps per CPU-second, ${(perCpu / UNFOLDED_PER_CPU_SECOND).toFixed(1)}× the unfolded model's ~${UNFOLDED_PER_CPU_SECOND}, ${(perCpu / BEFORE_18_PER_CPU_SECOND).toFixed(2)}× the ${BEFORE_18_PER_CPU_SECOND} before issue #18 (a quiet-machine figure: compare at a similar load)`)
    }
    const check = await pool.run("train", checkCell(false))
    const checkLn = await pool.run("train", checkCell(true))
    await pool.close()
    if ("reason" in torch) return

    const t1 = runs.best("t1")
    const tN = runs.best("tN")
    const procs = runs.best("procs")
    const t1Ln = runs.best("t1Ln")
    console.log(line("pytorch, papers' transformer, no LN, 1 thread", t1))
    console.log(line(`pytorch, papers' transformer, no LN, 1 process × ${workers} threads`, tN))
    console.log(line(`pytorch, papers' transformer, no LN, ${workers} processes × 1 thread`, procs))
    console.log(line("pytorch, papers' transformer, pre-LN, 1 thread", t1Ln))
    const losses = await torchLosses("attention", checkManifest, CHECK_STEPS)
    console.log(`no LN ${crossCheckLine(CHECK_STEPS, maxRelativeDifference(check, losses, CHECK_STEPS), CHECK_TOLERANCE)}`)
    const lossesLn = await torchLosses("attention", checkManifestLn, CHECK_STEPS)
    console.log(`pre-LN ${crossCheckLine(CHECK_STEPS, maxRelativeDifference(checkLn, lossesLn, CHECK_STEPS), CHECK_TOLERANCE)}`)
    const best = procs.wall >= tN.wall ? procs : tN
    const perCpuRatio = (a: Rate, b: Rate): string => (a.cpu !== undefined && b.cpu !== undefined ? (a.cpu / b.cpu).toFixed(2) : "—")
    console.log(`info: no LN, grokflow 1 worker / pytorch 1 thread ${(single.wall / t1.wall).toFixed(2)}×; per CPU-second ${perCpuRatio(single, t1)}×`)
    console.log(`info: pre-LN, grokflow 1 worker / pytorch 1 thread ${(singleLn.wall / t1Ln.wall).toFixed(2)}×; per CPU-second ${perCpuRatio(singleLn, t1Ln)}×`)
    console.log(`attention speed vs pytorch (no LN, equal cores): ${(poolRate.wall / best.wall).toFixed(2)}×`)
  } finally {
    await pool.close()
    rmSync(dir, { recursive: true, force: true })
  }
}
