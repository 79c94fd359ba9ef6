/** A node's ref keeps its earlier runs (newest first, capped), for `grokflow diff`. */
import * as fs from "node:fs"
import * as path from "node:path"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { fileStore, REF_HISTORY } from "../../src/engine/Store.ts"
import { tempDir } from "./helpers.ts"

describe("refs", () => {
  it("writeRef moves the replaced run into history; readRef still returns the last run", async () => {
    const store = fileStore(tempDir())
    const write = (i: number) => Effect.runPromise(store.writeRef("p", "n", { key: `k${i}`, stage: "s", at: `t${i}` }))
    for (let i = 0; i < REF_HISTORY + 5; i++) await write(i)
    const runs = await Effect.runPromise(store.readRuns("p", "n"))
    expect(runs).toHaveLength(REF_HISTORY + 1)
    expect(runs.slice(0, 3).map((r) => r.key)).toEqual([`k${REF_HISTORY + 4}`, `k${REF_HISTORY + 3}`, `k${REF_HISTORY + 2}`])
    expect((await Effect.runPromise(store.readRef("p", "n")))?.key).toBe(`k${REF_HISTORY + 4}`)
  })

  it("reads a ref written before history existed, and ignores a malformed one", async () => {
    const root = tempDir()
    const store = fileStore(root)
    fs.mkdirSync(path.join(root, "refs", "p"), { recursive: true })
    fs.writeFileSync(path.join(root, "refs", "p", "old.json"), JSON.stringify({ key: "k", stage: "s", at: "t" }))
    fs.writeFileSync(path.join(root, "refs", "p", "bad.json"), "{")
    expect(await Effect.runPromise(store.readRuns("p", "old"))).toEqual([{ key: "k", stage: "s", at: "t" }])
    expect(await Effect.runPromise(store.readRuns("p", "bad"))).toEqual([])
  })
})
