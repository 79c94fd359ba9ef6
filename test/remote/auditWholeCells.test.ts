/**
 * An audit of a lock made without --split-seeds: its units are the seeds of whole
 * cells, each retrained alone to the step its cell kept it training (shards.ts) and
 * compared with the bytes of its part of the stored cell. The tiny config groks
 * within its budget and, at these settings, one seed finishes before the cell's
 * freeze step, so the extension path is exercised (its shard alone would stop early).
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { copyProject } from "./project.ts"

describe("audit of whole cells", () => {
  it("retrains each seed of a whole cell and matches the stored bytes", () => {
    const p = copyProject({ tiny: false })
    fs.writeFileSync(path.join(p.dir, "pipeline", "grok.yaml"), [
      "description: a tiny cell that groks",
      "stages:",
      "  measure-wc:",
      "    config: { moduli: [23], trainFractions: [0.8], lrs: [0.01], seeds: 3, budget: 1500 }",
      ""
    ].join("\n"))
    const cache = p.cache("whole")
    const run = p.cli(["run", "--profile", "grok", "--jobs", "2", "--cache-dir", cache])
    expect(run.code, run.stderr).toBe(0)
    const audit = p.cli(["audit", "--profile", "grok", "--sample", "3", "--seed", "1", "--cache-dir", cache])
    expect(audit.code, audit.stdout + audit.stderr).toBe(0)
    for (const i of [0, 1, 2]) expect(audit.stdout).toMatch(new RegExp(`match {5}free=ce p=23 .* \\[seed ${i} of the whole cell\\]`))
    expect(audit.stdout).toContain("3 of 3 units reproduce their released bytes")
  }, 300_000)
})
