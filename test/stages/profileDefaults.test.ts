/**
 * quick.yaml and smoke.yaml were rewritten with a `defaults:` block so that no
 * training field is repeated. The rewrite must change no node's config and no
 * training cell: test/fixtures/profiles/*-before-defaults.yaml are the profiles as
 * they were, verbatim.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { loadProfile, planPipeline, Store } from "../../src/engine/index.ts"
import type { Profile } from "../../src/engine/index.ts"
import { makeHarness } from "./harness.ts"

const ROOT = path.resolve(import.meta.dirname, "../..")
const before = (name: string) => path.join(ROOT, "test/fixtures/profiles", `${name}-before-defaults.yaml`)
const load = (nameOrPath: string): Promise<Profile> => Effect.runPromise(loadProfile(nameOrPath))

/** Training fields that a rewritten profile may state once, under `defaults`, only. */
const TRAINING_FIELDS = ["p", "moduli", "trainFraction", "lr", "lrs", "tInt", "seeds", "budget"]

describe.each(["quick", "smoke"])("%s.yaml with defaults", (name) => {
  it("decodes to the same config for every node", async () => {
    const [old, now] = await Promise.all([load(before(name)), load(name)])
    expect(now.nodes.map((n) => n.id).sort()).toEqual(old.nodes.map((n) => n.id).sort())
    for (const node of old.nodes) expect(now.byId.get(node.id)?.configJson, node.id).toEqual(node.configJson)
  })

  it("states each shared training field once", () => {
    const text = fs.readFileSync(path.join(ROOT, "pipeline", `${name}.yaml`), "utf8")
    // A layernorm-control variant carries its own lr and tInt (each variant may differ).
    const stages = text.slice(text.indexOf("\nstages:")).replace(/\n\s+- \{ name: .*\}/g, "")
    for (const field of TRAINING_FIELDS) {
      // Per-node overrides that differ from the default are allowed (forking-arms'
      // budget, mse-contrast's tInt, measure-wc-mse's lrs); the default's value is not repeated.
      const defaultValue = new RegExp(`\\n  ${field}: (.*)`).exec(text.slice(0, text.indexOf("\nstages:")))?.[1]
      expect(defaultValue, `${field} in defaults`).toBeDefined()
      expect(stages.includes(`${field}: ${defaultValue}`), `${field}: ${defaultValue} repeated under stages`).toBe(false)
    }
  })
})

describe("quick with defaults trains exactly the cells it trained before", () => {
  it("same cell count and cell keys; every stage but the fits sink keeps its key", async () => {
    const h = makeHarness({ store: "memory" })
    const cellEntries = async () =>
      (await h.entries()).map((r) => r.file.slice("entries/".length)).filter((f) => f.startsWith("cell.")).sort()
    expect((await h.run(before("quick"))).failed).toBe(0)
    const trained = h.trainer.trained.length
    const cellsBefore = await cellEntries()
    expect(cellsBefore.length).toBe(trained)

    const summary = await h.run("quick")
    expect(summary.failed).toBe(0)
    expect(h.trainer.trained.length).toBe(trained)
    expect(await cellEntries()).toEqual(cellsBefore)
    // The cells the new profile's nodes name are exactly those.
    const used = await Effect.runPromise(
      Effect.gen(function*() {
        const store = yield* Store
        const plan = yield* planPipeline(yield* loadProfile("quick"))
        const names = new Set<string>()
        for (const node of plan.nodes) {
          const manifest = node.key === undefined ? undefined : yield* store.readManifest("stage", node.stage, node.key)
          for (const c of manifest?.cells ?? []) names.add(`cell.${c.name}/${c.key}.json`)
        }
        return [...names].sort()
      }).pipe(Effect.provide(h.layer))
    )
    expect(used).toEqual(cellsBefore)
    // The snapshot, loaded today, binds no optional input (they bind only when
    // named), so delay-law-fits lacks inputs there that quick.yaml names: it is
    // recomputed from cached inputs; every training stage is a hit.
    expect(summary.outcomes.filter((o) => o.status !== "hit").map((o) => o.id).sort()).toEqual(["delay-law-fits"])
  }, 120_000)
})
