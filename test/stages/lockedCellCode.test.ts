/**
 * The committed locks pin the training cells of the released results. A cell's
 * key is its kind's code digest, its payload and the environment; refactors move
 * no payload and no environment, so a locked cell keeps its key exactly when its
 * kind's code digest today (for its model) is the one the lock recorded. This holds every
 * refactor outside the training core to "no cell retrains", without a store.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { cellKindsOf, hashValue, Keyer, loadProfile, readLock } from "../../src/engine/index.ts"

const ROOT = path.resolve(import.meta.dirname, "../..")
const locked = fs.readdirSync(path.join(ROOT, "pipeline")).filter((f) => f.endsWith(".lock")).map((f) => f.slice(0, -".lock".length))

describe("the committed locks' training cells", () => {
  it("there is at least one committed lock", () => expect(locked.length).toBeGreaterThan(0))

  it.each(locked)("%s: every locked cell's code digest is today's", async (name) => {
    const { profile, lock } = await Effect.runPromise(Effect.gen(function*() {
      const profile = yield* loadProfile(path.join(ROOT, "pipeline", `${name}.yaml`), { sets: [] })
      return { profile, lock: yield* readLock(profile) }
    }))
    const kinds = cellKindsOf(profile)
    const keyer = Keyer.make(profile)
    const cells = (lock?.entries ?? []).filter((e) => e.type === "cell")
    expect(cells.length).toBeGreaterThan(0)
    const moved: Array<string> = []
    for (const entry of cells) {
      const kind = kinds.get(entry.name)
      if (kind === undefined) {
        moved.push(`${entry.label ?? entry.key}: no stage declares cell kind ${entry.name}`)
        continue
      }
      // A lock names no payload, so no model: the entry holds if one model's code is the one it recorded.
      const codes = await Effect.runPromise(keyer.variantCodes(kind))
      if (!codes.some((code) => hashValue(code) === entry.code)) moved.push(`${entry.label ?? entry.key}: code digest moved`)
    }
    expect(moved).toEqual([])
  })
})
