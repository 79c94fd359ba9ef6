import { Effect, Exit, Fiber } from "effect"
import { describe, expect, it } from "vitest"
import { ExecutionFailure, Executor } from "../../src/engine/Executor.ts"
import type { WorkUnit } from "../../src/engine/Executor.ts"
import { localExecutor } from "../../src/executor/local.ts"
import { resolveBackend } from "../../src/train/backend/resolve.ts"
import { standInRunner, standInSpec } from "../train-runtime/fixtures/specs.ts"
import type { StandInResult } from "../train-runtime/fixtures/standInRunner.ts"

const layer = localExecutor({ backend: "auto", workers: 2, runner: standInRunner })
const run = <A, E>(effect: Effect.Effect<A, E, Executor>): Promise<A> =>
  Effect.runPromise(Effect.provide(effect, layer))
const hooks = { checkpointDir: "", progress: () => undefined }
const unit = (spec: ReturnType<typeof standInSpec>): WorkUnit => ({ kind: "train", key: "k", label: "stand-in", payload: spec as unknown as WorkUnit["payload"] })
const train = (executor: Executor["Service"], spec: ReturnType<typeof standInSpec>) =>
  Effect.map(executor.run(unit(spec), hooks), (r) => r as StandInResult)

describe("the local executor", () => {
  it("runs units concurrently, bounded by the worker count; a throwing unit is an ExecutionFailure", async () => {
    const out = await run(Effect.gen(function*() {
      const executor = yield* Executor
      const results = yield* Effect.all(
        [train(executor, standInSpec(800)), train(executor, standInSpec(800)), train(executor, standInSpec(10))],
        { concurrency: "unbounded" }
      )
      const failure = yield* Effect.flip(train(executor, standInSpec(10, -1)))
      const after = yield* train(executor, standInSpec(10))
      const unknownKind = yield* Effect.flip(executor.run({ ...unit(standInSpec(10)), kind: "nosuch" }, hooks))
      // Decoded with the kind's Schema, not cast: a payload that is no spec never reaches a worker.
      const malformed = yield* Effect.flip(executor.run({ ...unit(standInSpec(10)), payload: { seeds: "four" } }, hooks))
      return { results, failure, after, unknownKind, malformed }
    }))
    // Whatever backend resolves here (wasm, or tfjs-node where it loads) is the one the workers use.
    const backend = (await resolveBackend("auto")).name
    const [a, b, c] = out.results
    expect(new Set([a.worker, b.worker, c.worker]).size).toBe(2)
    // The third waited for a free worker.
    expect(c.startedAt).toBeGreaterThanOrEqual(Math.min(a.endedAt, b.endedAt))
    expect(out.failure).toBeInstanceOf(ExecutionFailure)
    expect(out.failure.message).toMatch(/train failed: stand-in asked to fail/)
    expect(out.after.backend).toBe(backend)
    expect(out.unknownKind.message).toMatch(/not "nosuch"/)
    expect(out.malformed.message).toMatch(/a train unit's payload is not a train spec/)
  })

  it("interruption stops the running cell promptly and releasing the layer ends the workers", async () => {
    let interruptedAt = 0
    const exit = await run(Effect.gen(function*() {
      const executor = yield* Executor
      const fiber = yield* Effect.forkChild(train(executor, standInSpec(60_000)))
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
