/**
 * `grokflow plan calibrate | check` and the dry-run's units, on a store the real
 * stages filled through the synthetic trainer, with cell timings rewritten to a
 * known cost law (the synthetic trainer answers instantly).
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Effect, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { fileStore, loadProfile } from "../../src/engine/index.ts"
import { CalibrationFile } from "../../src/planning/calibration.ts"
import { DEFAULT_PLAN_MODEL, macsPerSeedStep } from "../../src/planning/estimate.ts"
import { planProfile } from "../../src/planning/profilePlan.ts"
import type { CellResult, CellSpec } from "../../src/train/CellSpec.ts"
import { cli } from "../engine/helpers.ts"
import { makeHarness } from "../stages/harness.ts"
import { SYNTHETIC } from "../stages/syntheticTrainer.ts"

/** One worker-second per 2·10⁹ multiply-adds. */
const SECONDS_PER_MAC = 1 / 2e9

const cellFiles = (cache: string) =>
  fs.readdirSync(path.join(cache, "entries"))
    .filter((d) => d.startsWith("cell."))
    .flatMap((d) => fs.readdirSync(path.join(cache, "entries", d)).map((f) => path.join(cache, "entries", d, f)))

describe("plan calibrate, then check", () => {
  const h = makeHarness()
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "grokflow-plan-"))
  const calibration = path.join(dir, "calibration.json")

  it("the dry-run's planned units are the cells the stages train, by label", async () => {
    expect((await h.run("smoke")).failed).toBe(0)
    const stored = cellFiles(h.cacheDir).map((f) => (JSON.parse(fs.readFileSync(f, "utf8")) as { label: string }).label)
    const profile = await Effect.runPromise(loadProfile("smoke"))
    const plan = planProfile(profile, DEFAULT_PLAN_MODEL)
    expect(plan.cells.length).toBe(stored.length)
    const planned = new Set(profile.nodes.flatMap((n) => (n.stage.stage.estimate?.(n.config as never).units ?? []).map((u) => u.label)))
    for (const label of stored) expect(planned).toContain(label)
  })

  for (const name of ["quick", "ops", "faithful-a4", "faithful-b", "faithful-b3"]) {
    it(`${name}: the planned units are the cells its stages train, by label and count`, async () => {
      const other = makeHarness()
      expect((await other.run(name)).failed).toBe(0)
      const stored = cellFiles(other.cacheDir).map((f) => (JSON.parse(fs.readFileSync(f, "utf8")) as { label: string }).label)
      const profile = await Effect.runPromise(loadProfile(name))
      const plan = planProfile(profile, DEFAULT_PLAN_MODEL)
      const planned = new Set(profile.nodes.flatMap((n) => (n.stage.stage.estimate?.(n.config as never).units ?? []).map((u) => u.label)))
      expect(stored.filter((l) => !planned.has(l))).toEqual([])
      expect(plan.cells.length).toBe(stored.length)
    }, 120_000)
  }

  it("calibrate fits the speed and the T_grok law from the stored cells and names them", async () => {
    const store = fileStore(h.cacheDir)
    for (const file of cellFiles(h.cacheDir)) {
      const m = JSON.parse(fs.readFileSync(file, "utf8"))
      const found = await Effect.runPromise(store.lookup("cell", m.name, m.key))
      if (found._tag !== "Hit" || m.name !== "train") continue
      const spec = m.preimage.key as CellSpec
      const result = JSON.parse(new TextDecoder().decode(found.bytes)) as CellResult
      const seedSteps = result.seeds.reduce((a, s) => a + s.stepsTrained, 0)
      m.timings.seconds = seedSteps * macsPerSeedStep(spec) * SECONDS_PER_MAC
      fs.writeFileSync(file, JSON.stringify(m))
    }
    const r = await cli(["plan", "calibrate", "--cache-dir", h.cacheDir, "--calibration", calibration])
    expect(r.stderr).toBe("")
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/wrote .*calibration\.json from \d+ stored training cells/)
    const file = Schema.decodeUnknownSync(CalibrationFile)(JSON.parse(fs.readFileSync(calibration, "utf8")))
    // The CPU model it was measured on, so a dry run elsewhere can say its times may not hold there.
    expect(file.host.cpu).toBe(os.cpus()[0]?.model.trim())
    expect(file.cost.secondsPerMac.mlp).toBeCloseTo(SECONDS_PER_MAC, 15)
    expect(file.cost.secondsPerMac["mlp+LN"]).toBeCloseTo(SECONDS_PER_MAC, 15)
    // The synthetic law: a sustained CE hold delays by exp(α(ρ/τ − 1)), α = 8 (at smoke's one lr, 8e-3).
    const c = file.tGrok.coefficients
    const slope = c["sustained·(ρ/τ−1)"]! + Math.log(8) * c["ln lr·sustained·(ρ/τ−1)"]!
    expect(slope).toBeGreaterThan(SYNTHETIC.alpha - 1.5)
    expect(slope).toBeLessThan(SYNTHETIC.alpha + 1.5)
    expect(file.sources.length).toBe(cellFiles(h.cacheDir).length)
    expect(Object.keys(file.cost.stageSeconds)).toContain("delay-law-fits")
    // --since keeps only later entries; a time that is no time is a usage error.
    const later = await cli(["plan", "calibrate", "--cache-dir", h.cacheDir, "--calibration", path.join(dir, "later.json"), "--since", "2999-01-01T00:00Z"])
    expect(later.stdout).toMatch(/from 0 stored training cells/)
    const bad = await cli(["plan", "calibrate", "--cache-dir", h.cacheDir, "--calibration", path.join(dir, "later.json"), "--since", "soon"])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/--since soon: expected an ISO 8601 time/)
    expect(file.sources[0]!.entry).toMatch(/^cell\.train\/[0-9a-f]{64}$/)
  })

  it("check prints the estimate beside the measured wall time of every profile run, and says when a run was not cold", async () => {
    const r = await cli(["plan", "check", "--cache-dir", h.cacheDir, "--calibration", calibration])
    expect(r.stderr).toBe("")
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^model: .*calibration\.json \(\d+ seeds, \d+ cells/)
    const row = r.stdout.split("\n").find((l) => l.startsWith("smoke "))!
    expect(row).toMatch(/^smoke\s+14 \/ 14\s+[\d.]+ (s|min)\s+\d+ s\s+[\d.]+\s+cold, \d+ workers/)
    // A later warm rerun of one node (its key moved, every cell a hit) does not hide the cold run.
    const store = fileStore(h.cacheDir)
    const ref = (await Effect.runPromise(store.readRef("smoke", "delay-law-fits")))!
    const old = (await Effect.runPromise(store.readManifest("stage", ref.stage, ref.key)))!
    const later = new Date(Date.now() + 3_600_000)
    const warmKey = "f".repeat(64)
    await Effect.runPromise(store.writeManifest({ ...old, key: warmKey, timings: { startedAt: later.toISOString(), finishedAt: new Date(later.getTime() + 500).toISOString(), seconds: 0.5 } }))
    await Effect.runPromise(store.writeRef("smoke", "delay-law-fits", { key: warmKey, stage: ref.stage, at: later.toISOString() }))
    const warm = await cli(["plan", "check", "--cache-dir", h.cacheDir, "--calibration", calibration])
    expect(warm.stdout.split("\n").find((l) => l.startsWith("smoke "))).toBe(row)
    // A cell trained before the run's first stage started was reused, not trained.
    // The longest cell, chosen by its content rather than its key (a code change
    // moves keys): the held-out calibration then prices the run from that one cell.
    const seconds = (f: string): number => (JSON.parse(fs.readFileSync(f, "utf8")) as { timings: { seconds: number } }).timings.seconds
    const first = [...cellFiles(h.cacheDir)].sort((a, b) => seconds(b) - seconds(a))[0]!
    const m = JSON.parse(fs.readFileSync(first, "utf8"))
    m.timings.startedAt = "2020-01-01T00:00:00.000Z"
    fs.writeFileSync(first, JSON.stringify(m))
    const again = await cli(["plan", "check", "--cache-dir", h.cacheDir, "--calibration", calibration])
    expect(again.stdout).toMatch(/smoke\s+13 \/ 13 .*not cold: 1 cell reused, left out of the estimate/)
    // Left out of its own calibration, the run is priced from the one cell outside it
    // (for T_grok and speed) and the defaults: an estimate of another size.
    const holdout = await cli(["plan", "check", "--holdout", "--markdown", "--cache-dir", h.cacheDir, "--calibration", calibration])
    expect(holdout.code).toBe(0)
    expect(holdout.stdout).toMatch(/\nrun held out: priced by a calibration of this store's cells fitted without the cells that run trained\n/)
    expect(holdout.stdout).toMatch(/\| profile \| cells trained \/ planned \| estimate \| measured wall \| estimate\/measured \| run held out \| held out\/measured \| run \|\n\| --- \|/)
    const held = holdout.stdout.split("\n").find((l) => l.startsWith("| smoke "))!.split(" | ")
    const inSample = again.stdout.split("\n").find((l) => l.startsWith("smoke "))!.split(/\s{2,}/)
    expect(held[1]).toBe("13 / 13")
    expect(held[2]).toBe(inSample[2])
    expect(held[5]).not.toBe(inSample[2])
  })

  it("check counts a --split-seeds run's cells as the plan does, its shards as parts of them, and says it was split", async () => {
    const other = makeHarness()
    expect((await other.run("smoke", [], true)).failed).toBe(0)
    const r = await cli(["plan", "check", "--cache-dir", other.cacheDir, "--calibration", calibration])
    expect(r.code).toBe(0)
    expect(r.stdout.split("\n").find((l) => l.startsWith("smoke "))).toMatch(/^smoke\s+14 \/ 14\s.*cold, \d+ workers, --split-seeds/)
  })

  it("check plans what the run trained: a node's config as its entry recorded it, --set included", async () => {
    const other = makeHarness()
    expect((await other.run("smoke", ["clamp-sweep.rhos=[1.2]", "layernorm-control.rhos=[1.0]"])).failed).toBe(0)
    const r = await cli(["plan", "check", "--cache-dir", other.cacheDir, "--calibration", calibration])
    const trained = cellFiles(other.cacheDir).length
    expect(r.stdout).toMatch(new RegExp(`^smoke\\s+${trained} / ${trained}\\s`, "m"))
  })

  it("dry-run: the profile's cells, this machine's expected wall, the makespan on N runners and a critical path of named units", async () => {
    const r = await cli(["run", "--profile", "paper", "--dry-run", "--runners", "8", "--jobs", "2", "--cache-dir", path.join(dir, "empty")])
    expect(r.code).toBe(0)
    // The committed calibration (pipeline/calibration.json), named with what it was fitted on.
    expect(r.stdout).toMatch(/model: pipeline\/calibration\.json \(\d+ seeds, \d+ cells, \d{4}-\d\d-\d\d\)/)
    expect(r.stdout).toMatch(/here \(2 workers\): expected wall ≈ [\d.]+ h/)
    expect(r.stdout).toMatch(/on 8 runners x 2 workers: expected makespan ≈ [\d.]+ h \(\d+ cell units over 16 workers, longest chain first\)/)
    expect(r.stdout).toMatch(/placed by key hash as the cluster places them \(16 shards\): ≈ [\d.]+ h, [\d.]+ h in 9 of 10 placements \(64 drawn\)/)
    expect(r.stdout).toMatch(/critical path [\d.]+ (h|min): [a-z-]+ "[^"]+" \(\d+ seeds, [\d.]+ (h|min)\)/)
    const bad = path.join(dir, "bad.json")
    fs.writeFileSync(bad, "{\"format\": \"nope\"}")
    const broken = await cli(["plan", "check", "--cache-dir", h.cacheDir, "--calibration", bad])
    expect(broken.code).toBe(2)
    expect(broken.stderr).toMatch(/bad\.json: expected a grokflow-calibration\/1 file/)
  })
})
