import { spawnSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import { afterAll, describe, expect, it } from "vitest"
import { resolveBackend } from "../../src/train/backend/resolve.ts"
import { WorkerPool } from "../../src/train/worker/WorkerPool.ts"
import { standInRunner, standInSpec } from "./fixtures/specs.ts"
import type { StandInResult } from "./fixtures/standInRunner.ts"

const backend = await resolveBackend("wasm")

describe("WorkerPool of worker processes", () => {
  const pool = new WorkerPool({ size: 2, backend, runner: standInRunner })
  afterAll(() => pool.close())

  const train = (budgetMs: number, seeds = 1, signal?: AbortSignal, progress?: (d: number, t: number) => void) =>
    pool.run("train", standInSpec(budgetMs, seeds), { ...(signal ? { signal } : {}), ...(progress ? { progress } : {}) }) as Promise<StandInResult>

  it("spawns no worker until the first job", () => {
    expect(pool.workersSpawned).toBe(0)
  })

  it("runs two cells concurrently on two workers of the requested backend", async () => {
    const seen: Array<number> = []
    const [a, b] = await Promise.all([train(1500, 1, undefined, (d) => seen.push(d)), train(1500)])
    expect(a.backend).toBe("wasm")
    expect(a.checksum).toBe(54)
    expect(a.worker).not.toBe(b.worker)
    // Overlapping lifetimes: each started before the other ended.
    expect(a.startedAt).toBeLessThan(b.endedAt)
    expect(b.startedAt).toBeLessThan(a.endedAt)
    expect(seen.length).toBeGreaterThan(1)
    expect(seen.at(-1)).toBe(1500)
    expect(pool.workersSpawned).toBe(2)
  })

  it("turns a throwing cell into a rejection carrying the worker's stack, and survives", async () => {
    const error = await train(10, -1).then(() => undefined, (e: unknown) => e)
    expect(error).toBeInstanceOf(Error)
    expect((error as Error).name).toBe("RangeError")
    expect((error as Error).message).toMatch(/asked to fail/)
    expect((error as Error).stack).toMatch(/standInRunner\.ts/)
    const ok = await train(10)
    expect(ok.checksum).toBe(54)
    expect(pool.workersSpawned).toBe(2)
  })

  it("answers a job whose spec does not decode with the Schema's error, and carries on", async () => {
    const bad = { ...standInSpec(10, 1), seeds: "three" }
    const error = await pool.run("train", bad as never).then(() => undefined, (e: unknown) => e)
    expect((error as Error).message).toMatch(/cannot decode this job/)
    expect((error as Error).message).toMatch(/seeds/)
    expect((await train(10)).checksum).toBe(54)
    expect(pool.workersSpawned).toBe(2)
  })

  it("queues beyond its size and drops an aborted queued job", async () => {
    const controller = new AbortController()
    const running = [train(300), train(300)]
    const queued = train(10, 1, controller.signal)
    controller.abort(new Error("not wanted"))
    await expect(queued).rejects.toThrow("not wanted")
    await Promise.all(running)
    expect(pool.workersSpawned).toBe(2)
  })

  it("aborting a running job terminates its worker promptly; the slot gets a fresh one", async () => {
    const controller = new AbortController()
    const long = train(60_000, 1, controller.signal)
    await new Promise((r) => setTimeout(r, 300))
    const t0 = performance.now()
    controller.abort(new Error("interrupted"))
    await expect(long).rejects.toThrow("interrupted")
    expect(performance.now() - t0).toBeLessThan(1000)
    const [a, b] = await Promise.all([train(10), train(10)])
    expect(a.checksum + b.checksum).toBe(108)
    expect(pool.workersSpawned).toBe(3)
  })
  it("closing the pool lets the owning process exit 0 on its own (no unsettled await, code 13)", () => {
    const script = fileURLToPath(new URL("./fixtures/closeAfterJob.ts", import.meta.url))
    const done = spawnSync(process.execPath, ["--import", "tsx", script], { encoding: "utf8", timeout: 60_000 })
    expect(done.stdout).toBe("closed\n")
    expect(done.status).toBe(0)
  })
})
