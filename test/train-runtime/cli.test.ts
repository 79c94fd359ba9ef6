/**
 * The real binary, training for real: the path CI's smoke run takes (bundle, worker
 * processes, pool shutdown). A command that trains must end on its own with 0.
 */
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { describe, expect, it } from "vitest"

const ROOT = path.resolve(import.meta.dirname, "../..")

describe("grokflow run with real training", () => {
  it("trains one small cell and exits 0 after closing its workers", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "grokflow-cli-train-"))
    const profile = path.join(dir, "tiny.yaml")
    fs.writeFileSync(profile, [
      "description: one small real cell",
      "stages:",
      "  measure-wc:",
      "    config: { moduli: [31], trainFractions: [0.6], lrs: [0.006], seeds: 1, budget: 1500 }",
      ""
    ].join("\n"))
    const done = spawnSync(process.execPath, [path.join(ROOT, "bin/grokflow.js"), "run", "--profile", profile, "--cache-dir", path.join(dir, "cache"), "--jobs", "1"], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 120_000
    })
    expect(done.stderr).not.toMatch(/internal error/)
    expect(done.stdout + done.stderr).toMatch(/cells: 1 trained/)
    expect(done.status).toBe(0)
  }, 150_000)
})
