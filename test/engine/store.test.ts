/**
 * The Store's contract, run against both layers: what the engine relies on
 * (content-addressed blobs, verified lookups, misses with a reason, refs with
 * their history, run records, per-key locks, checkpoint directories) holds the
 * same in memory as on disk. What only the disk has (a blob corrupted behind the
 * store's back, locks shared between processes) is tested after, file store only.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { Deferred, Effect, Fiber, Layer } from "effect"
import { describe, expect, it } from "vitest"
import { hashValue, sha256 } from "../../src/engine/Canonical.ts"
import { verifyCache } from "../../src/engine/Maintenance.ts"
import { manifestOf } from "../../src/engine/Manifest.ts"
import { readRunRecords } from "../../src/engine/RunRecord.ts"
import type { RunRecord } from "../../src/engine/RunRecord.ts"
import { fileStore, REF_HISTORY, Store } from "../../src/engine/Store.ts"
import { blobFile, entryFile } from "../../src/engine/StoreBackend.ts"
import { tempDir } from "./helpers.ts"

const bytesOf = (text: string) => new TextEncoder().encode(text)

const entryFor = (kind: "stage" | "cell", name: string, config: unknown, output: Uint8Array) => {
  const preimage = { kind, name, config }
  return manifestOf({ kind, name, key: hashValue(preimage), preimage, digest: sha256(output), bytes: output.length, startedAt: new Date(), seconds: 0 })
}

const record = (startedAt: string): RunRecord => ({
  profile: "p",
  startedAt,
  endedAt: startedAt,
  wallSeconds: 1,
  stageSeconds: 1,
  ran: 1,
  reused: 0,
  failed: 0,
  skipped: 0,
  cellsTrained: 0,
  cellsReused: 0,
  nodes: []
})

const layers: ReadonlyArray<readonly [string, () => Layer.Layer<Store>]> = [
  ["file", () => Store.layer(tempDir("grokflow-store-"))],
  ["memory", () => Store.layerMemory]
]

for (const [name, layer] of layers) {
  const run = <A, E>(body: Effect.Effect<A, E, Store>) => Effect.runPromise(Effect.provide(body, layer()))

  describe(`Store (${name} layer)`, () => {
    it("names blobs by their sha256, keeps one copy, and checks them", () =>
      run(Effect.gen(function*() {
        const store = yield* Store
        const bytes = bytesOf('{"value":1}')
        const digest = yield* store.putBlob(bytes)
        expect(digest).toBe(sha256(bytes))
        expect(yield* store.putBlob(bytes)).toBe(digest)
        expect(yield* store.checkBlob(digest)).toBe("ok")
        expect(yield* store.checkBlob("0".repeat(64))).toBe("missing")
        expect(Buffer.from((yield* store.readBlob(digest))!).equals(Buffer.from(bytes))).toBe(true)
        expect(yield* store.readBlob("0".repeat(64))).toBeUndefined()
        expect(yield* store.listBlobs()).toEqual([digest])
        // What a caller does to its bytes afterwards does not reach the store.
        bytes[0] = 0
        expect(yield* store.checkBlob(digest)).toBe("ok")
      })))

    it("a committed entry is a hit with its verified bytes; an absent one a plain miss", () =>
      run(Effect.gen(function*() {
        const store = yield* Store
        const output = bytesOf('{"value":2}')
        const manifest = entryFor("stage", "double", { x: 1 }, output)
        yield* store.putBlob(output)
        const where = yield* store.writeManifest(manifest)
        const found = yield* store.lookup("stage", "double", manifest.key)
        expect(found._tag).toBe("Hit")
        if (found._tag !== "Hit") return
        expect(found.manifest).toEqual(manifest)
        expect(new TextDecoder().decode(found.bytes)).toBe('{"value":2}')
        expect(found.manifestPath).toBe(where)
        expect(found.manifestPath.endsWith(entryFile("stage", "double", manifest.key))).toBe(true)
        expect(yield* store.readManifest("stage", "double", manifest.key)).toEqual(manifest)
        expect(yield* store.lookup("stage", "double", "f".repeat(64))).toEqual({ _tag: "Miss" })
        expect(yield* store.lookup("cell", "double", manifest.key)).toEqual({ _tag: "Miss" })
        expect(yield* store.readManifest("stage", "double", "f".repeat(64))).toBeUndefined()
      })))

    it("an unusable entry is a miss that says why, never a failure", () =>
      run(Effect.gen(function*() {
        const store = yield* Store
        const output = bytesOf('{"value":3}')
        // The manifest without its blob: what a crash between the two writes would leave, were the order reversed.
        const orphan = entryFor("cell", "train", { seed: 1 }, output)
        yield* store.writeManifest(orphan)
        const missing = yield* store.lookup("cell", "train", orphan.key)
        expect(missing).toEqual({ _tag: "Miss", problem: `entry cell.train/${orphan.key.slice(0, 12)} blob ${orphan.output.digest.slice(0, 12)} missing` })
        const key = "a".repeat(64)
        yield* store.writeEntryBytes("stage", "s", key, bytesOf("{ not json"))
        expect(yield* store.lookup("stage", "s", key)).toEqual({ _tag: "Miss", problem: `entry s/${key.slice(0, 12)} manifest is not JSON` })
        expect(yield* store.readManifest("stage", "s", key)).toBeUndefined()
        // A good manifest filed under another key is not that key's entry.
        yield* store.putBlob(output)
        const good = entryFor("stage", "t", { y: 1 }, output)
        yield* store.writeEntryBytes("stage", "t", key, bytesOf(JSON.stringify(good)))
        expect(yield* store.lookup("stage", "t", key)).toEqual({ _tag: "Miss", problem: `entry t/${key.slice(0, 12)} manifest is malformed` })
      })))

    it("lists entries, all or one name's, with the reason a broken one is unusable", () =>
      run(Effect.gen(function*() {
        const store = yield* Store
        const output = bytesOf('{"value":4}')
        yield* store.putBlob(output)
        const a = entryFor("stage", "a", {}, output)
        const c = entryFor("cell", "train", {}, output)
        yield* store.writeManifest(a)
        yield* store.writeManifest(c)
        yield* store.writeEntryBytes("stage", "a", "b".repeat(64), bytesOf("[]"))
        const rows = yield* store.listEntries()
        expect(rows.map((r) => [r.file, r.manifest?.key, r.problem])).toEqual(
          [
            [entryFile("stage", "a", a.key), a.key, undefined],
            [entryFile("stage", "a", "b".repeat(64)), undefined, "manifest is malformed"],
            [entryFile("cell", "train", c.key), c.key, undefined]
          ].sort((x, y) => String(x[0]).localeCompare(String(y[0])))
        )
        expect((yield* store.listEntries({ kind: "cell", name: "train" })).map((r) => r.manifest?.key)).toEqual([c.key])
        expect(yield* store.listEntries({ kind: "stage", name: "none" })).toEqual([])
        expect(yield* verifyCache()).toEqual({ checkedEntries: 3, checkedBlobs: 1, problems: [`${entryFile("stage", "a", "b".repeat(64))}: manifest is malformed`] })
      })))

    it("moves a manifest byte for byte (what remotes rely on)", () =>
      run(Effect.gen(function*() {
        const store = yield* Store
        const text = bytesOf('{ "odd":  "spacing" }\n')
        yield* store.writeEntryBytes("cell", "train", "c".repeat(64), text)
        expect(Buffer.from((yield* store.readEntryBytes("cell", "train", "c".repeat(64)))!).equals(Buffer.from(text))).toBe(true)
        expect(yield* store.readEntryBytes("cell", "train", "d".repeat(64))).toBeUndefined()
      })))

    it("a ref keeps the runs before it, newest first, capped", () =>
      run(Effect.gen(function*() {
        const store = yield* Store
        expect(yield* store.readRef("p", "n")).toBeUndefined()
        expect(yield* store.refProfiles()).toEqual([])
        for (let i = 0; i < REF_HISTORY + 5; i++) yield* store.writeRef("p", "n", { key: `k${i}`, stage: "s", at: `t${i}`, run: `r${i}`, sets: ["a=1"] })
        yield* store.writeRef("q", "m", { key: "k", stage: "s", at: "t" })
        const runs = yield* store.readRuns("p", "n")
        expect(runs).toHaveLength(REF_HISTORY + 1)
        expect(runs[0]).toEqual({ key: `k${REF_HISTORY + 4}`, stage: "s", at: `t${REF_HISTORY + 4}`, run: `r${REF_HISTORY + 4}`, sets: ["a=1"] })
        expect(runs.slice(1, 3).map((r) => r.key)).toEqual([`k${REF_HISTORY + 3}`, `k${REF_HISTORY + 2}`])
        expect((yield* store.readRef("q", "m"))).toEqual({ key: "k", stage: "s", at: "t" })
        expect(yield* store.refProfiles()).toEqual(["p", "q"])
        expect(yield* store.refNodes("p")).toEqual(["n"])
        expect(yield* store.refNodes("none")).toEqual([])
      })))

    it("keeps run records, newest first", () =>
      run(Effect.gen(function*() {
        const store = yield* Store
        expect(yield* readRunRecords(store, "p")).toEqual([])
        yield* store.writeRunRecord("p", "one", record("2024-01-01T00:00:00.000Z"))
        yield* store.writeRunRecord("p", "two", record("2024-02-01T00:00:00.000Z"))
        yield* store.writeRunRecord("p", "junk", { not: "a record" })
        expect((yield* readRunRecords(store, "p")).map((r) => r.startedAt)).toEqual(["2024-02-01T00:00:00.000Z", "2024-01-01T00:00:00.000Z"])
        expect(yield* readRunRecords(store, "other")).toEqual([])
      })))

    it("a key's lock admits one holder at a time, tells the waiter once, and is released on failure", () =>
      run(Effect.gen(function*() {
        const store = yield* Store
        const order: Array<string> = []
        const waits: Array<string> = []
        const inside = yield* Deferred.make<void>()
        const first = yield* Effect.forkChild(
          Effect.exit(store.withLock("k", Effect.gen(function*() {
            order.push("first in")
            yield* Deferred.succeed(inside, undefined)
            yield* Effect.sleep(100)
            order.push("first out")
            return yield* Effect.fail("boom")
          })))
        )
        yield* Deferred.await(inside)
        // Another key is not held up.
        expect(yield* store.withLock("other", Effect.succeed("free"))).toBe("free")
        const second = yield* store.withLock("k", Effect.sync(() => order.push("second in")), (holder) => waits.push(holder))
        yield* Fiber.join(first)
        expect(second).toBe(3)
        expect(order).toEqual(["first in", "first out", "second in"])
        expect(waits).toHaveLength(1)
      })))

    it("gives a running cell a real checkpoint directory and removes it", () =>
      run(Effect.gen(function*() {
        const store = yield* Store
        const dir = yield* store.checkpointDir("k")
        fs.mkdirSync(dir, { recursive: true })
        fs.writeFileSync(path.join(dir, "state.bin"), "x")
        expect(yield* store.checkpointDir("k")).toBe(dir)
        yield* store.removeCheckpoint("k")
        expect(fs.existsSync(dir)).toBe(false)
        yield* store.removeCheckpoint("never-made")
      })))
  })
}

describe("Store (file layer only)", () => {
  it("a blob corrupted on disk is a miss that says so, and putBlob repairs it", async () => {
    const root = tempDir("grokflow-store-")
    const store = fileStore(root)
    const output = bytesOf('{"value":5}')
    const manifest = entryFor("stage", "double", {}, output)
    await Effect.runPromise(store.putBlob(output))
    await Effect.runPromise(store.writeManifest(manifest))
    fs.writeFileSync(path.join(root, blobFile(manifest.output.digest)), '{"value":7}')
    expect(await Effect.runPromise(store.checkBlob(manifest.output.digest))).toBe("corrupt")
    expect(await Effect.runPromise(store.lookup("stage", "double", manifest.key))).toEqual({
      _tag: "Miss",
      problem: `entry double/${manifest.key.slice(0, 12)} blob ${manifest.output.digest.slice(0, 12)} corrupt`
    })
    await Effect.runPromise(store.putBlob(output))
    expect((await Effect.runPromise(store.lookup("stage", "double", manifest.key)))._tag).toBe("Hit")
  })

  it("lays the store out as it always has: objects/, entries/, refs/, runs/", async () => {
    const root = tempDir("grokflow-store-")
    const store = fileStore(root)
    const output = bytesOf('{"value":6}')
    const manifest = entryFor("cell", "train", {}, output)
    await Effect.runPromise(store.putBlob(output))
    expect(await Effect.runPromise(store.writeManifest(manifest))).toBe(path.join(root, "entries", "cell.train", `${manifest.key}.json`))
    await Effect.runPromise(store.writeRef("p", "n", { key: "k", stage: "s", at: "t" }))
    await Effect.runPromise(store.writeRunRecord("p", "id", record("2024-01-01T00:00:00.000Z")))
    expect(fs.readFileSync(path.join(root, "objects", manifest.output.digest.slice(0, 2), manifest.output.digest), "utf8")).toBe('{"value":6}')
    expect(fs.readFileSync(path.join(root, "entries", "cell.train", `${manifest.key}.json`), "utf8")).toBe(JSON.stringify(manifest, null, 2) + "\n")
    expect(JSON.parse(fs.readFileSync(path.join(root, "refs", "p", "n.json"), "utf8"))).toEqual({ key: "k", stage: "s", at: "t", history: [] })
    expect(fs.existsSync(path.join(root, "runs", "p", "id.json"))).toBe(true)
    expect(await Effect.runPromise(store.checkpointDir("k"))).toBe(path.join(root, "checkpoints", "k"))
  })

  it("reads a ref written before history existed, and ignores a malformed one", async () => {
    const root = tempDir("grokflow-store-")
    const store = fileStore(root)
    fs.mkdirSync(path.join(root, "refs", "p"), { recursive: true })
    fs.writeFileSync(path.join(root, "refs", "p", "old.json"), JSON.stringify({ key: "k", stage: "s", at: "t" }))
    fs.writeFileSync(path.join(root, "refs", "p", "bad.json"), "{")
    expect(await Effect.runPromise(store.readRuns("p", "old"))).toEqual([{ key: "k", stage: "s", at: "t" }])
    expect(await Effect.runPromise(store.readRuns("p", "bad"))).toEqual([])
  })

  it("two stores on one directory share its locks (two processes, one cache)", async () => {
    const root = tempDir("grokflow-store-")
    const [a, b] = [fileStore(root), fileStore(root)]
    const waits: Array<string> = []
    const program = Effect.gen(function*() {
      const inside = yield* Deferred.make<void>()
      const first = yield* Effect.forkChild(a.withLock("k", Effect.andThen(Deferred.succeed(inside, undefined), Effect.sleep(100))))
      yield* Deferred.await(inside)
      yield* b.withLock("k", Effect.void, (holder) => waits.push(holder))
      yield* Fiber.join(first)
    })
    await Effect.runPromise(program)
    expect(waits).toHaveLength(1)
    expect(waits[0]).toContain(`pid ${process.pid}`)
  })

})

describe("Store (memory layer only)", () => {
  it("is a new, empty store each time the layer is built", async () => {
    const put = Effect.gen(function*() {
      return yield* (yield* Store).putBlob(bytesOf("x"))
    })
    const list = Effect.gen(function*() {
      return yield* (yield* Store).listBlobs()
    })
    await Effect.runPromise(Effect.provide(put, Store.layerMemory))
    expect(await Effect.runPromise(Effect.provide(list, Store.layerMemory))).toEqual([])
  })
})
