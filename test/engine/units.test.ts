import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Effect, Fiber } from "effect"
import { describe, expect, it } from "vitest"
import { canonicalJson, hashValue } from "../../src/engine/Canonical.ts"
import { diffPreimages } from "../../src/engine/Explain.ts"
import { KEY_FORMAT } from "../../src/engine/Key.ts"
import type { StagePreimage } from "../../src/engine/Key.ts"
import { lockPath, withKeyLock } from "../../src/engine/Lock.ts"
import { args, cli, sandbox } from "./helpers.ts"

describe("canonical hashing", () => {
  it("ignores key order and undefined fields, keeps array order", () => {
    expect(canonicalJson({ b: 1, a: { d: [2, 1], c: undefined } })).toBe('{"a":{"d":[2,1]},"b":1}')
    expect(hashValue({ x: 1, y: 2 })).toBe(hashValue({ y: 2, x: 1 }))
    expect(hashValue([1, 2])).not.toBe(hashValue([2, 1]))
  })

  it("refuses values JSON cannot carry instead of silently merging keys", () => {
    expect(() => canonicalJson({ lr: Number.NaN })).toThrow(/non-finite number at lr/)
    expect(() => canonicalJson({ f: () => 1 })).toThrow(/cannot encode function/)
  })
})

describe("explain", () => {
  const base: StagePreimage = {
    keyFormat: KEY_FORMAT,
    kind: "stage",
    stage: "clamp-sweep",
    version: 1,
    code: { "stages/clamp-sweep.ts": "a", "src/train/x.ts": "b" },
    config: { rhos: [0.85, 1, 1.15], p: 59 },
    inputs: { wc: "d1" },
    env: { backend: "wasm" }
  }
  it("names changed config fields, code files, inputs and env", () => {
    const after: StagePreimage = {
      ...base,
      code: { ...base.code, "stages/clamp-sweep.ts": "z" },
      config: { rhos: [0.85, 1, 1.15, 1.3], p: 59 },
      inputs: { wc: "d2" },
      env: { backend: "tensorflow" }
    }
    expect(diffPreimages(base as unknown as Record<string, unknown>, after, [], () => "measure-wc")).toEqual([
      "code: stages/clamp-sweep.ts changed",
      "config.rhos changed [0.85,1,1.15] -> [0.85,1,1.15,1.3]",
      "inputs.wc changed (output of measure-wc differs)",
      'env.backend changed "wasm" -> "tensorflow"'
    ])
  })
})

describe("per-key locks", () => {
  const dir = () => fs.mkdtempSync(path.join(os.tmpdir(), "grokflow-lock-"))

  it("a lock left by a dead process is stale and taken over", async () => {
    const root = dir()
    const file = lockPath(root, "k1")
    fs.mkdirSync(path.dirname(file), { recursive: true })
    // pid 2^22 + 1 is above Linux's pid_max default: no such process.
    fs.writeFileSync(file, JSON.stringify({ pid: 4194305, host: os.hostname(), token: "x", since: "then" }))
    const result = await Effect.runPromise(withKeyLock(root, "k1", Effect.succeed("ran")))
    expect(result).toBe("ran")
    expect(fs.existsSync(file)).toBe(false)
  })

  it("a live holder is waited for; the lock is released even when the body fails", async () => {
    const root = dir()
    const order: Array<string> = []
    const program = Effect.gen(function*() {
      const first = yield* Effect.forkChild(
        withKeyLock(root, "k2", Effect.gen(function*() {
          order.push("first in")
          yield* Effect.sleep(150)
          order.push("first out")
          return yield* Effect.fail("boom")
        }))
      )
      // Wait until the first holder is inside (a fixed sleep races on a loaded machine).
      while (!order.includes("first in")) yield* Effect.sleep(5)
      const waited: Array<string> = []
      yield* withKeyLock(root, "k2", Effect.sync(() => order.push("second in")), (holder) => waited.push(holder))
      yield* Fiber.await(first)
      return waited
    })
    const waited = await Effect.runPromise(program)
    expect(order).toEqual(["first in", "first out", "second in"])
    expect(waited).toHaveLength(1)
    expect(fs.readdirSync(path.join(root, "locks"))).toEqual([])
  })
})

describe("scheduler", () => {
  it("does not deadlock with one job: a stage waiting on its cells holds no cell slot", async () => {
    const s = sandbox()
    const p = s.profile("one", `stages:
  sweep: { config: { points: [1, 2, 3] } }
  source: {}
  double: {}
  parity: {}
  summary: {}
`)
    const r = await cli([...args(s, ["run"], p), "--jobs", "1"], { GROKFLOW_FIXTURE_COUNTER: s.counter })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain("ran 5, reused 0; cells: 3 trained")
  })
})
