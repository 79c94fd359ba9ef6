/**
 * Run from anywhere in the project: the root is found by walking up from the
 * current folder (or named by --project), and `run`, `status`, `show` and
 * `verify` answer from test/ and from a folder outside the repository exactly as
 * from the root. The store is filled by the synthetic trainer, so `run` reuses
 * every node: its keys (code digests included) match only if the stages and the
 * code were found at the root.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { findProjectRoot, projectRoot, resolveCacheDir, useProjectRoot } from "../../src/engine/index.ts"
import { reportDir } from "../../src/report/dir.ts"
import { cli, ROOT, tempDir } from "../engine/helpers.ts"
import { makeHarness } from "../stages/harness.ts"

const original = process.cwd()
afterEach(() => {
  process.chdir(original)
  useProjectRoot(undefined)
})

/** The command's output with its timings (the one thing that differs) blanked. */
const normalized = (s: string) => s.replace(/\d+\.\d+s\b/g, "Xs")

describe("project root", () => {
  it("is the nearest folder with pipeline/ beside package.json or .git (test/fixtures/pipeline is not one)", () => {
    expect(findProjectRoot(ROOT)).toBe(ROOT)
    expect(findProjectRoot(path.join(ROOT, "test", "fixtures"))).toBe(ROOT)
    expect(findProjectRoot(path.join(ROOT, "src", "engine"))).toBe(ROOT)
    expect(findProjectRoot(tempDir())).toBeUndefined()
  })

  it("the default store and reports live under the root; typed paths resolve from the current folder", () => {
    const dir = tempDir()
    useProjectRoot(dir)
    const saved = process.env.GROKFLOW_CACHE
    delete process.env.GROKFLOW_CACHE
    try {
      expect(resolveCacheDir(undefined)).toBe(path.join(dir, "cache"))
      expect(resolveCacheDir("c")).toBe(path.join(process.cwd(), "c"))
    } finally {
      if (saved !== undefined) process.env.GROKFLOW_CACHE = saved
    }
    if (process.env.GROKFLOW_REPORTS === undefined) expect(reportDir("quick")).toBe(path.join(dir, "reports", "quick"))
    expect(projectRoot()).toBe(dir)
  })

  describe("run, status, show and verify from test/ and from outside with --project", () => {
    const h = makeHarness({ cliEnv: true })
    const reports = tempDir("grokflow-reports-")
    const commands = (extra: ReadonlyArray<string>) => [
      // --no-lock: the test must not write pipeline/ops.lock into the repository.
      ["run", "--profile", "ops", "--jobs", "1", "--no-lock", ...extra],
      ["status", "--profile", "ops", ...extra],
      ["show", "wc-vs-op", "--profile", "ops", ...extra],
      ["verify", "--profile", "ops", ...extra]
    ]
    const runAll = async (cwd: string, extra: ReadonlyArray<string>) => {
      process.chdir(cwd)
      const out: Array<{ code: number; stdout: string; stderr: string }> = []
      for (const args of commands(extra)) {
        const r = await cli([...args, "--cache-dir", h.cacheDir], { GROKFLOW_REPORTS: reports })
        out.push({ code: r.code, stdout: normalized(r.stdout), stderr: normalized(r.stderr) })
      }
      return out
    }

    it("answer as from the root", async () => {
      expect((await h.run("ops")).failed).toBe(0)
      const fromRoot = await runAll(ROOT, [])
      expect(fromRoot.map((r) => r.code)).toEqual([0, 0, 0, 0])
      expect(fromRoot[0]!.stdout).toMatch(/^ran 0, reused 1; cells: 0 trained, 0 reused; wall Xs/)
      expect(fromRoot[1]!.stdout).toMatch(/^pipeline\/ops\.yaml: 1 nodes, 1 fresh/)
      // The store is outside the project: its entry prints absolute, never as ../../tmp/…
      expect(fromRoot[2]!.stdout).toContain(`from ${h.cacheDir}/entries/wc-vs-op/`)
      expect(fromRoot[3]!.stdout).toMatch(/ops: \d+ passed/)

      expect(await runAll(path.join(ROOT, "test"), [])).toEqual(fromRoot)
      const outside = tempDir("grokflow-elsewhere-")
      expect(await runAll(outside, ["--project", ROOT])).toEqual(fromRoot)
      expect(await runAll(outside, [`--project=${path.relative(outside, ROOT)}`])).toEqual(fromRoot)
      for (const r of fromRoot) expect(r.stdout).not.toContain("../")
    })

    it("--project naming no folder is a usage error (exit 2), and outside any project a profile name is not found", async () => {
      const outside = tempDir("grokflow-elsewhere-")
      process.chdir(outside)
      const bad = await cli(["status", "--project", path.join(outside, "nope")])
      expect(bad.code).toBe(2)
      expect(bad.stderr).toBe(`grokflow: --project ${path.join(outside, "nope")}: no such folder\n`)
      const none = await cli(["status", "--profile", "ops", "--cache-dir", h.cacheDir])
      expect(none.code).toBe(2)
      expect(fs.existsSync(path.join(outside, "pipeline"))).toBe(false)
    })
  })
})
