/**
 * Calibrate, then check, against the real engine's scheduling: the synthetic
 * trainer's answers, each delivered after a wall time proportional to the
 * multiply-adds its seeds computed, through the engine's pool of two workers. The
 * planner sees only what a real run leaves in the store; its estimate of the run
 * must land within ±25% of the run's measured wall time.
 */
import { Effect, Layer } from "effect"
import { describe, expect, it } from "vitest"
import { EnvResolver, Executor, loadProfile, RunLogger, runPipeline, silentLogger, Store } from "../../src/engine/index.ts"
import { makespan } from "../../src/executor/cluster/Makespan.ts"
import { fitCalibration, measuredCells, planModelOf } from "../../src/planning/calibration.ts"
import { macsPerSeedStep } from "../../src/planning/estimate.ts"
import { planProfile } from "../../src/planning/profilePlan.ts"
import { trainingRuns } from "../../src/planning/profileRuns.ts"
import type { CellResult, CellSpec, ForkResult, ForkSpec } from "../../src/train/CellSpec.ts"
import { syntheticTrainer } from "../stages/syntheticTrainer.ts"

/** Wall seconds per multiply-add of the timed trainer: smoke's cells then take ~30 s of worker time, long beside the stage bodies that block the event loop. */
const SECONDS_PER_MAC = 1.2e-11

const seconds = (payload: unknown, result: unknown): number => {
  if (typeof payload === "object" && payload !== null && "base" in payload) {
    const fork = payload as ForkSpec
    const arms = Object.values((result as ForkResult).arms)
    return arms.reduce((a, arm) => a + arm.seeds.reduce((b, s) => b + s.stepsTrained, 0), 0) * macsPerSeedStep(fork.base) * SECONDS_PER_MAC
  }
  const steps = (result as CellResult).seeds.reduce((a, s) => a + s.stepsTrained, 0)
  return steps * macsPerSeedStep(payload as CellSpec) * SECONDS_PER_MAC
}

const timedLayer = Layer.effect(
  Executor,
  Effect.gen(function*() {
    const inner = yield* Executor
    return Executor.of({
      ...inner,
      run: (unit, hooks) => Effect.tap(inner.run(unit, hooks), (result) => Effect.sleep(`${Math.round(seconds(unit.payload, result) * 1000)} millis`))
    })
  })
).pipe(Layer.provide(syntheticTrainer().layer))

describe("the planner against the engine's own schedule", () => {
  it("smoke: the calibrated estimate is within ±25% of the measured wall time", async () => {
    const layer = Layer.mergeAll(
      Store.layerMemory,
      EnvResolver.fixed({ backend: "synthetic", tfjs: "none", precision: "float32" }),
      RunLogger.layer(silentLogger),
      timedLayer
    )
    const result = await Effect.runPromise(
      Effect.gen(function*() {
        const profile = yield* loadProfile("smoke")
        const summary = yield* runPipeline(profile, { jobs: 2 })
        const store = yield* Store
        const measured = yield* measuredCells(store)
        const model = planModelOf(fitCalibration(measured, { hostname: "test", cpus: 2 }, new Date()), "test")
        const run = (yield* trainingRuns(store, "smoke"))[0]!
        const plan = planProfile(profile, model, { nodes: run.nodes, skip: new Set(run.reused) })
        const estimate = makespan([...plan.cells, ...plan.bodies], 1, 2, false, "fifo").hours * 3600
        return { summary, run, estimate }
      }).pipe(Effect.provide(layer))
    )
    expect(result.summary.failed).toBe(0)
    expect(result.run.trained).toBe(14)
    expect(result.run.seconds).toBeGreaterThan(3)
    const ratio = result.estimate / result.run.seconds
    expect(ratio).toBeGreaterThan(0.75)
    expect(ratio).toBeLessThan(1.25)
  }, 120_000)
})
