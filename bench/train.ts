/**
 * `npm run bench -- train`: training throughput of the paper MLP cell on grokflow's
 * default backend, against PyTorch on the same machine, plus a numerical cross-check
 * of the two from one identical init.
 *
 * grokflow is measured the way the pipeline trains: cells in the worker pool, one
 * single-threaded tfjs per worker, after the workers have started (a pipeline run
 * keeps them for all its cells). Its timing is a whole cell, setup and final
 * evaluation included; the references' exclude their setup and warm-up steps, which
 * can only flatter them. Two references, both with OpenBLAS, measured in the same run:
 * the papers' own algorithm (standard model) and the same with grokflow's folded first
 * layer (mlp_reference.py --folded), the fairest rival.
 *
 * The headline compares equal cores, each side in its best layout: grokflow's worker
 * processes (one per core) against the better of one PyTorch process with one thread
 * per core and one single-threaded PyTorch process per core. The older ratio (grokflow's
 * pool against one PyTorch process) is printed as information.
 *
 * grokflow is measured on its default numerics (the portable GEMM, "f32-fma-kseq-v1")
 * and, where OpenBLAS is installed, on the machine-bound OpenBLAS numerics too, in the
 * same run, so the two paths' ratio is printed beside the PyTorch ratios. A shared
 * machine distorts the PyTorch ratios most (its multi-threaded layout stalls when a
 * thread is descheduled, and each side meets different competition over its minutes);
 * the portable/OpenBLAS ratio compares the same single-threaded workers measured back
 * to back and moves little; per-CPU-second figures are the steadier ones throughout.
 *
 * Environment: GROKFLOW_BENCH_STEPS (timed steps per cell, default 300),
 * GROKFLOW_BENCH_REPEATS (default 1), GROKFLOW_BENCH_QUIET_WAIT (seconds, default
 * 120), GROKFLOW_PYTHON (default /usr/bin/python3). See bench/common.ts.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os"
import { join } from "node:path"
import type { CellSpec } from "../src/train/CellSpec.ts"
import { describeBackend } from "../src/train/backend/Backend.ts"
import { NUMERICS_ENV, type ResolvedBackend } from "../src/train/backend/Backend.ts"
import { resolveBackend } from "../src/train/backend/resolve.ts"
import { WorkerPool } from "../src/train/worker/WorkerPool.ts"
import { crossCheckLine, envInt, line, maxRelativeDifference, measureGrokflow, measureTorch, Runs, type Rate } from "./common.ts"
import { exportCell } from "./reference/exportCell.ts"
import { blasLibrary, probeTorch, pythonPath, torchLosses, type Reference } from "./reference/pytorch.ts"

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

type Name = "single" | "pool" | "blas:single" | "blas:pool" | `${Reference}:${"t1" | "tN" | "procs"}`

/** The OpenBLAS numerics, resolved as `--numerics openblas` would, or why not. */
const resolveOpenBlas = async (): Promise<ResolvedBackend | string> => {
  const saved = process.env[NUMERICS_ENV]
  process.env[NUMERICS_ENV] = "openblas"
  try {
    return await resolveBackend("wasm")
  } catch (e) {
    return e instanceof Error ? e.message : String(e)
  } finally {
    if (saved === undefined) delete process.env[NUMERICS_ENV]
    else process.env[NUMERICS_ENV] = saved
  }
}

const ratio = (a: Rate, b: Rate): string =>
  `${(a.wall / b.wall).toFixed(2)}× (per CPU-s ${a.cpu === undefined || b.cpu === undefined ? "—" : `${(a.cpu / b.cpu).toFixed(2)}×`})`

export async function main(): Promise<void> {
  const steps = envInt("GROKFLOW_BENCH_STEPS", 300)
  const repeats = envInt("GROKFLOW_BENCH_REPEATS", 1)
  const quietWait = envInt("GROKFLOW_BENCH_QUIET_WAIT", 120)
  const workers = availableParallelism()
  const backend = await resolveBackend("auto")
  const blasBackend = await resolveOpenBlas()
  console.log(`train bench: paper MLP p=59 fraction 0.4 d=128 H=256, ${SEEDS} seeds, lr 1e-3, λ=1, CE, τ=1; ${steps} steps per cell, best of ${repeats}`)
  console.log(`machine: ${workers} cores (${cpus()[0]?.model.trim() ?? "?"}); load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}`)
  console.log(`grokflow backend ${describeBackend(backend)}; OpenBLAS path: ${typeof blasBackend === "string" ? `unavailable (${blasBackend})` : describeBackend(blasBackend)}`)

  const torch = await probeTorch()
  if ("reason" in torch) {
    console.log(`pytorch reference unavailable (${pythonPath()}: ${torch.reason}); measuring grokflow only.`)
    console.log(`  (Debian: apt-get install -y python3-torch libopenblas0-pthread)`)
  } else {
    console.log(`pytorch ${torch.version}; BLAS loaded: ${await blasLibrary()}`)
  }

  const dir = mkdtempSync(join(tmpdir(), "grokflow-bench-"))
  const pool = new WorkerPool({ size: workers, backend })
  const blasPool = typeof blasBackend === "string" ? undefined : new WorkerPool({ size: workers, backend: blasBackend })
  const references: ReadonlyArray<Reference> = ["mlp", "mlp-folded"]
  try {
    const { manifest } = exportCell(paperCell(steps, steps), dir)
    // Start every worker (process, tfjs, wasm compile) outside the timings.
    await Promise.all(Array.from({ length: workers }, () => pool.run("train", paperCell(2, 2))))
    if (blasPool !== undefined) await Promise.all(Array.from({ length: workers }, () => blasPool.run("train", paperCell(2, 2))))

    const runs = new Runs<Name>(quietWait)
    for (let r = 0; r < repeats; r++) {
      await runs.note("single", () => measureGrokflow(pool, paperCell(steps, steps), 1))
      await runs.note("pool", () => measureGrokflow(pool, paperCell(steps, steps), workers))
      if (blasPool !== undefined) {
        await runs.note("blas:single", () => measureGrokflow(blasPool, paperCell(steps, steps), 1))
        await runs.note("blas:pool", () => measureGrokflow(blasPool, paperCell(steps, steps), workers))
      }
      if ("reason" in torch) continue
      for (const ref of references) {
        await runs.note(`${ref}:t1`, () => measureTorch(ref, manifest, 1, 1, steps))
        await runs.note(`${ref}:tN`, () => measureTorch(ref, manifest, 1, workers, steps))
        await runs.note(`${ref}:procs`, () => measureTorch(ref, manifest, workers, 1, steps))
      }
    }
    const single = runs.best("single")
    const poolRate = runs.best("pool")
    console.log(line("grokflow portable, 1 worker (one cell alone)", single))
    console.log(line(`grokflow portable, ${workers} worker processes`, poolRate))
    const blas = blasPool === undefined ? undefined : { single: runs.best("blas:single"), pool: runs.best("blas:pool") }
    if (blas !== undefined) {
      console.log(line("grokflow OpenBLAS, 1 worker (one cell alone)", blas.single))
      console.log(line(`grokflow OpenBLAS, ${workers} worker processes`, blas.pool))
      console.log(`portable / OpenBLAS: 1 worker ${ratio(single, blas.single)}; ${workers} workers ${ratio(poolRate, blas.pool)}`)
    }
    const check = await pool.run("train", paperCell(CHECK_STEPS, 1))
    await pool.close()
    await blasPool?.close()
    if ("reason" in torch) {
      console.log(`train speed vs pytorch (equal cores): n/a (no torch)`)
      return
    }

    const bestLayout = (ref: Reference): { rate: Rate; layout: string } => {
      const procs = runs.best(`${ref}:procs`)
      const threads = runs.best(`${ref}:tN`)
      return procs.wall >= threads.wall ? { rate: procs, layout: `${workers} processes × 1 thread` } : { rate: threads, layout: `1 process × ${workers} threads` }
    }
    for (const ref of references) {
      const label = ref === "mlp" ? "pytorch, papers' model" : "pytorch, folded model"
      console.log(line(`${label}, 1 thread`, runs.best(`${ref}:t1`)))
      console.log(line(`${label}, 1 process × ${workers} threads`, runs.best(`${ref}:tN`)))
      console.log(line(`${label}, ${workers} processes × 1 thread`, runs.best(`${ref}:procs`)))
    }

    const losses = await torchLosses("mlp", manifest, CHECK_STEPS)
    console.log(crossCheckLine(CHECK_STEPS, maxRelativeDifference(check, losses, CHECK_STEPS), CHECK_TOLERANCE))
    const foldedLosses = await torchLosses("mlp-folded", manifest, CHECK_STEPS)
    console.log(`folded reference ${crossCheckLine(CHECK_STEPS, maxRelativeDifference(check, foldedLosses, CHECK_STEPS), CHECK_TOLERANCE)}`)
    const standard = bestLayout("mlp")
    const folded = bestLayout("mlp-folded")
    const t1 = runs.best("mlp:t1")
    const tN = runs.best("mlp:tN")
    const oneProcess = Math.max(t1.wall, tN.wall)
    console.log(`info: grokflow 1 worker / pytorch 1 thread ${(single.wall / t1.wall).toFixed(2)}×; grokflow ${workers} workers / one pytorch process (its better thread count; the old headline) ${(poolRate.wall / oneProcess).toFixed(2)}×`)
    console.log(`pytorch best layouts at ${workers} cores: papers' model ${standard.layout}, folded model ${folded.layout}`)
    console.log(`train speed vs folded pytorch (equal cores): ${ratio(poolRate, folded.rate)}`)
    console.log(`train speed vs pytorch (equal cores): ${ratio(poolRate, standard.rate)}`)
    if (blas !== undefined) console.log(`OpenBLAS path vs pytorch (equal cores): ${ratio(blas.pool, standard.rate)}`)
    console.log(`load average at the end ${loadavg().map((l) => l.toFixed(2)).join(" ")}: on a shared machine the pytorch ratios move most; portable / OpenBLAS and per CPU-s least`)
  } finally {
    await pool.close()
    await blasPool?.close()
    rmSync(dir, { recursive: true, force: true })
  }
}
