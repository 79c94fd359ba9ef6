/**
 * No source file can change a stored result without changing some key. Every file
 * under src/ and stages/ is in the import closure of a stage key or a cell key (as
 * the engine computes them), or on the list below of files that cannot change an
 * output, each with its reason. A new file that is neither fails this test.
 */
import fg from "fast-glob"
import * as fs from "node:fs"
import * as path from "node:path"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { stageRegistry } from "../../src/engine/Pipeline.ts"
import { allCellCode } from "../../src/engine/CellKind.ts"
import { CodeHasher } from "../../src/engine/Key.ts"
import { importsOf, ROOT } from "./imports.ts"

/** Files no key covers, by glob, and why none needs to. */
export const KEY_NEUTRAL: ReadonlyArray<readonly [glob: string, reason: string]> = [
  ["src/**/*.md", "documentation"],
  ["src/figures/ci-deps.sh", "installs fonts and chromium for CI"],
  ["src/cli/**", "the command line: parses flags, calls the engine and prints; it computes nothing that is stored"],
  ["src/engine/**", "how results are keyed, scheduled and stored, not what they are; a change in what a key or a stored entry means bumps KEY_FORMAT or ENTRY_FORMAT (the engine's own tests pin both)"],
  ["src/executor/**", "where a unit runs, not what it computes: units come back as the same JSON from every executor (test/executor, test/cluster)"],
  ["src/train/worker/{WorkerPool,TrainingWorker,channel}.ts", "the main-process side of the pool: queues jobs and moves messages; the numbers come from the worker closure (entry.ts, cellRunner.ts), which every cell key covers"],
  ["src/train/worker/{bootstrap.mjs,runnerModule.ts}", "starts a worker's TypeScript loader / declares the runner's type; no number passes through either"],
  ["src/train/modelKernel.ts", "type declarations only: erased before anything runs"],
  ["src/train/backend/{resolve,Backend}.ts", "chooses the backend; the chosen backend, its tfjs version and precision are in every training key's env"],
  ["src/remote/**", "moves stored entries between stores byte for byte, checking every digest on arrival; it computes nothing"],
  ["src/planning/{calibration,profilePlan,profileRuns}.ts", "the planner's calibration and `plan check`: they read manifests to estimate times, and nothing they compute is stored or feeds a stage"],
  ["src/planning/{estimate,tGrokModel}.ts", "the planner's prices (@grokflow-planning): stages call them only from their `estimate` (the dry-run), never from `run` (test/architecture/imports.test.ts)"],
  ["src/audit/**", "retrains units through the Executor and compares their bytes with stored ones; it never writes the store"],
  ["src/verify/**", "`grokflow verify` recomputes every verdict from stored outputs on each call; nothing it computes is cached"],
  ["src/report/**", "`grokflow report` assembles the HTML file from stored outputs, the verdicts and the drawn figures on each call; nothing it computes is cached"],
  ["src/figures/**", "figures are drawn by `grokflow report` and keyed by their full Vega-Lite spec (data and theme inlined), the renderer's code digest (draw.ts closure) and versions (src/figures/render.ts)"]
]

describe("every source file is covered by some key or listed with its reason", () => {
  it("walks src/ and stages/", async () => {
    const registry = await Effect.runPromise(stageRegistry({ root: ROOT }))
    const stages = [...registry.byName.values()]
    const stageFiles = new Set(stages.map((s) => s.relFile))
    const cellCode = [...new Set(stages.flatMap((s) => (s.stage.cells ?? []).flatMap(allCellCode)))]
    const hasher = new CodeHasher(ROOT, [...stageFiles, ...cellCode], (f) => stageFiles.has(f))
    const covered = new Set<string>()
    for (const s of stages) for (const f of await hasher.closure([s.relFile, ...(s.stage.cells ?? []).flatMap(allCellCode)])) covered.add(f)
    for (const f of await hasher.closure(cellCode)) covered.add(f)

    const files = await fg(["src/**/*", "stages/**/*"], { cwd: ROOT, onlyFiles: true })
    const neutral = new Map(KEY_NEUTRAL.map(([glob]) => [glob, new Set(fg.sync(glob, { cwd: ROOT }))]))
    const uncovered = files.filter((f) => !covered.has(f) && ![...neutral.values()].some((set) => set.has(f))).sort()
    expect(uncovered).toEqual([])
    // Every listed glob still names a file (a stale entry would hide nothing, but mislead).
    expect([...neutral.entries()].filter(([, set]) => set.size === 0).map(([g]) => g)).toEqual([])
    // The training core is covered by keys, not excused by the list.
    for (const core of ["src/train/adamw.ts", "src/train/models/mlp.ts", "src/train/models/attentionMix.ts", "src/train/worker/entry.ts", "src/analysis/ols.ts"]) {
      expect(covered.has(core), core).toBe(true)
    }
  })

  it("a stage module imports other stage modules only for their default export (their stage value)", () => {
    // Discovered stage modules only: `_`-prefixed helpers (stages/_figures) are plain code.
    const stages = fg.sync("stages/*.ts", { cwd: ROOT, ignore: ["stages/_*.ts"] })
    const offending: Array<string> = []
    for (const f of stages) {
      const text = fs.readFileSync(path.join(ROOT, f), "utf8")
      for (const m of text.matchAll(/import\s+([^"']*?)\s+from\s+["'](\.\/[^"']+)["']/g)) {
        // `import name from "./x.ts"` (or types): a named value import would be code the closure stops at.
        const what = m[1]!.trim()
        if (m[2]!.startsWith("./_")) continue // a helper module, not a stage
        if (!/^[A-Za-z_$][\w$]*$/.test(what) && !what.startsWith("type ")) offending.push(`${f}: import ${what} from ${m[2]}`)
      }
    }
    expect(offending).toEqual([])
    expect(importsOf("stages/mediation-fits.ts")).toContain("stages/temperature-grid.ts")
  })
})
