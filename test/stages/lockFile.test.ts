/**
 * The lock file and what moves away from it, on a real stage (measure-wc) with the
 * synthetic trainer: the lock is sorted lines, a rerun rewrites nothing, and a
 * change of numerics is named as such — for the stage, for every locked cell, and
 * in verify's reason — before anything retrains.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Effect, Layer } from "effect"
import { describe, expect, it } from "vitest"
import {
  cellDrift,
  EnvResolver,
  loadProfile,
  nodeDrift,
  planPipeline,
  readLock,
  RunLogger,
  runPipeline,
  silentLogger,
  Store,
  writeLock
} from "../../src/engine/index.ts"
import { sharedMemoryStore } from "./harness.ts"
import { syntheticTrainer } from "./syntheticTrainer.ts"

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "grokflow-lock-"))
const profileFile = path.join(dir, "lockme.yaml")
fs.writeFileSync(profileFile, [
  "description: one training stage",
  "stages:",
  "  measure-wc:",
  "    config: { moduli: [23], trainFractions: [0.6], lrs: [0.006], seeds: 2, budget: 2000 }",
  ""
].join("\n"))
const trainer = syntheticTrainer()
const store = sharedMemoryStore()
const layerWith = (detail: string) =>
  Layer.mergeAll(store, EnvResolver.fixed({ backend: "wasm", tfjs: "4.22.0", detail, precision: "float32" }), RunLogger.layer(silentLogger), trainer.layer)
const within = <A, E>(detail: string, body: Effect.Effect<A, E, Store | EnvResolver | RunLogger | import("../../src/engine/index.ts").Executor>) =>
  Effect.runPromise(body.pipe(Effect.provide(layerWith(detail))))

describe("the profile lock", () => {
  it("is written sorted, names numerics, survives a rerun unchanged, and names a numerics change", async () => {
    const profile = await Effect.runPromise(loadProfile(profileFile, { sets: [] }))
    await within("simd", Effect.gen(function*() {
      yield* runPipeline(profile, { jobs: 2, splitCells: true })
      yield* writeLock(yield* planPipeline(profile))
    }))
    const lockText = fs.readFileSync(path.join(dir, "lockme.lock"), "utf8")
    const lines = lockText.trim().split("\n").map((l) => JSON.parse(l) as { type: string; numerics?: string; label?: string })
    expect(lines[0]).toEqual({ type: "profile", format: "grokflow-lock/1", profile: "lockme", numerics: "wasm simd float32" })
    expect(lines.slice(1).map((l) => l.type)).toEqual(["stage", "cell", "cell", "cell"])
    const labels = lines.filter((l) => l.type === "cell").map((l) => l.label!)
    expect(labels).toEqual([...labels].sort())

    // A rerun that reuses everything leaves every line as it was.
    const before = fs.statSync(path.join(dir, "lockme.lock")).mtimeMs
    await within("simd", Effect.gen(function*() {
      yield* runPipeline(profile, { jobs: 2 })
      yield* writeLock(yield* planPipeline(profile))
    }))
    expect(fs.readFileSync(path.join(dir, "lockme.lock"), "utf8")).toBe(lockText)
    expect(fs.statSync(path.join(dir, "lockme.lock")).mtimeMs).toBe(before)

    // The same tree under other numerics: nothing is fresh, and the lock says why.
    const { nodes, cells } = await within("simd+openblas:SkylakeX", Effect.gen(function*() {
      const plan = yield* planPipeline(profile)
      const lock = (yield* readLock(profile))!
      return { nodes: yield* nodeDrift(plan, lock), cells: yield* cellDrift(profile, lock) }
    }))
    const wc = nodes.find((n) => n.id === "measure-wc")!
    expect(wc.status).toBe("stale")
    expect(wc.matchesLock).toBe(false)
    expect(wc.reasons.join("; ")).toContain("key differs from")
    expect(wc.reasons.join("; ")).toContain("numerics wasm simd float32 → wasm simd+openblas:SkylakeX float32")
    expect(cells).toHaveLength(3)
    for (const c of cells) expect(c.reasons).toEqual(["numerics wasm simd float32 → wasm simd+openblas:SkylakeX float32"])
  }, 60_000)
})
