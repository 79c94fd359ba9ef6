import { Effect, Exit, Fiber } from "effect"
import { describe, expect, it } from "vitest"
import { Trainer, TrainFailure } from "../../src/train/Trainer.ts"
import { TrainerLive } from "../../src/train/TrainerLive.ts"
import { standInRunner, standInSpec } from "./fixtures/specs.ts"
import type { StandInResult } from "./fixtures/standInRunner.ts"

const layer = TrainerLive({ backend: "auto", workers: 2, runner: standInRunner })
const run = <A, E>(effect: Effect.Effect<A, E, Trainer>): Promise<A> =>
  Effect.runPromise(Effect.provide(effect, layer))

describe("TrainerLive", () => {
  it("trains cells concurrently, bounded by the worker count, and reports a throwing cell as TrainFailure", async () => {
    const out = await run(Effect.gen(function*() {
      const trainer = yield* Trainer
      const results = yield* Effect.all(
        [trainer.train(standInSpec(800)), trainer.train(standInSpec(800)), trainer.train(standInSpec(10))],
        { concurrency: "unbounded" }
      )
      const failure = yield* Effect.flip(trainer.train(standInSpec(10, -1)))
      const after = yield* trainer.train(standInSpec(10))
      return { backend: trainer.backend, results: results as unknown as ReadonlyArray<StandInResult>, failure, after }
    }))
    expect(out.backend).toBe("wasm")
    const [a, b, c] = out.results
    expect(new Set([a.worker, b.worker, c.worker]).size).toBe(2)
    // The third waited for a free worker.
    expect(c.startedAt).toBeGreaterThanOrEqual(Math.min(a.endedAt, b.endedAt))
    expect(out.failure).toBeInstanceOf(TrainFailure)
    expect(out.failure.message).toMatch(/train failed: stand-in asked to fail/)
    expect(out.after.backend).toBe("wasm")
  })

  it("interruption stops the running cell promptly and releasing the layer ends the workers", async () => {
    let interruptedAt = 0
    const exit = await run(Effect.gen(function*() {
      const trainer = yield* Trainer
      const fiber = yield* Effect.forkChild(trainer.train(standInSpec(60_000)))
      yield* Effect.sleep("2 seconds")
      interruptedAt = performance.now()
      yield* Fiber.interrupt(fiber)
      return yield* Effect.exit(Fiber.join(fiber))
    }))
    expect(Exit.hasInterrupts(exit)).toBe(true)
    // Layer released too (the run resolved), well before the 60 s cell would end.
    expect(performance.now() - interruptedAt).toBeLessThan(2000)
  })
})
