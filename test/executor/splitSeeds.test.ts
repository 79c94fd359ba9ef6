/**
 * Seed shards through the real binary: one 8-seed cell trained whole and trained
 * as seed shards (`--split-seeds`) is one and the same entry — same key, same
 * output bytes — while the shards keep both local workers busy; adding a seed to a
 * split cell trains only that seed alone (plus the extensions a new freeze step
 * asks for).
 */
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { describe, expect, it } from "vitest"

const ROOT = path.resolve(import.meta.dirname, "../..")

interface Entry {
  readonly key: string
  readonly output: { readonly digest: string }
  readonly preimage: { readonly key: { readonly seeds: number; readonly firstSeed?: number; readonly minSteps?: number } }
  readonly timings: { readonly startedAt: string; readonly finishedAt: string }
}

const entries = (cache: string): Array<Entry> => {
  const dir = path.join(cache, "entries", "cell.train")
  return fs.readdirSync(dir).map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")) as Entry)
}

const run = (dir: string, cache: string, seeds: number, split: boolean): void => {
  const profile = path.join(dir, `p${seeds}.yaml`)
  fs.writeFileSync(profile, [
    "description: one cell of small real models",
    "stages:",
    "  measure-wc:",
    `    config: { moduli: [31], trainFractions: [0.6], lrs: [0.006], seeds: ${seeds}, budget: 1500 }`,
    ""
  ].join("\n"))
  const args = [path.join(ROOT, "bin/grokflow.js"), "run", "--profile", profile, "--cache-dir", cache, "--jobs", "2", ...(split ? ["--split-seeds"] : [])]
  const done = spawnSync(process.execPath, args, { cwd: ROOT, encoding: "utf8", timeout: 400_000 })
  expect(done.stderr).not.toMatch(/internal error/)
  expect(done.status).toBe(0)
}

/** The most units whose [start, finish] intervals overlap at one instant. */
const peakConcurrency = (xs: ReadonlyArray<Entry>): number => {
  const events = xs.flatMap((e) => [[Date.parse(e.timings.startedAt), 1], [Date.parse(e.timings.finishedAt), -1]] as const)
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1])
  let now = 0
  let peak = 0
  for (const [, d] of events) peak = Math.max(peak, (now += d))
  return peak
}

const isShard = (e: Entry) => e.preimage.key.firstSeed !== undefined

describe("seed shards (--split-seeds)", () => {
  it("store the same cell as whole training, keep both workers busy, and train only added seeds", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "grokflow-split-"))
    run(dir, path.join(dir, "whole"), 8, false)
    run(dir, path.join(dir, "split"), 8, true)
    const whole = entries(path.join(dir, "whole"))
    const split = entries(path.join(dir, "split"))
    expect(whole).toHaveLength(1)
    // The recombined cell: the whole cell's key and its exact bytes.
    const recombined = split.filter((e) => !isShard(e))
    expect(recombined.map((e) => [e.key, e.output.digest])).toEqual([[whole[0]!.key, whole[0]!.output.digest]])
    const shards = split.filter(isShard)
    expect(shards.filter((e) => e.preimage.key.minSteps === undefined)).toHaveLength(8)
    expect(peakConcurrency(shards)).toBe(2)

    run(dir, path.join(dir, "split"), 9, true)
    const after = entries(path.join(dir, "split")).filter((e) => isShard(e) && e.preimage.key.minSteps === undefined)
    expect(after).toHaveLength(9)
    expect(after.filter((e) => !shards.some((s) => s.key === e.key)).map((e) => e.preimage.key.firstSeed)).toEqual([8])
  }, 900_000)
})
