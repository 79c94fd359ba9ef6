/**
 * A copy of the repository to run the real CLI in (src/, stages/, pipeline/, bin/
 * copied; node_modules linked), with a tiny real-training profile `tiny` (p = 23,
 * 2 seeds, a 200-step budget) and one claim it tests, so a whole release path —
 * run, push, fresh store, pull, verify, audit — takes seconds.
 */
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

export const ROOT = path.resolve(import.meta.dirname, "../..")

export const TINY_PROFILE = [
  "description: tiny real training for the release tests",
  "stages:",
  "  measure-wc:",
  "    config: { moduli: [23], trainFractions: [0.6], lrs: [0.006], seeds: 2, budget: 200 }",
  ""
].join("\n")

/** A claim the tiny profile tests; its number is computed by the run, the range is only loose. */
export const TINY_CLAIM = [
  "claims:",
  "  - id: T1.tiny-memorizes",
  "    paper: A",
  "    description: tiny profile memorizes its training split (fixture for the release tests)",
  "    paperValue: null",
  "    paperText: \"memorizes\"",
  "    measure: measure-wc:configs[p=23].cell.medianTMem",
  "    tests:",
  "      tiny: { range: [0, 200] }",
  ""
].join("\n")

export interface Project {
  readonly dir: string
  readonly cli: (args: ReadonlyArray<string>, env?: Readonly<Record<string, string>>) => { readonly code: number; readonly stdout: string; readonly stderr: string }
  readonly cache: (name: string) => string
}

export const copyProject = (options: { readonly tiny?: boolean } = {}): Project => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "grokflow-release-"))
  for (const d of ["src", "stages", "pipeline", "bin"]) fs.cpSync(path.join(ROOT, d), path.join(dir, d), { recursive: true })
  for (const f of fs.readdirSync(path.join(dir, "pipeline"))) if (f.endsWith(".lock")) fs.rmSync(path.join(dir, "pipeline", f))
  fs.rmSync(path.join(dir, "release"), { recursive: true, force: true })
  fs.copyFileSync(path.join(ROOT, "package.json"), path.join(dir, "package.json"))
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"))
  if (options.tiny !== false) {
    fs.writeFileSync(path.join(dir, "pipeline", "tiny.yaml"), TINY_PROFILE)
    fs.writeFileSync(path.join(dir, "pipeline", "claims", "tiny-fixture.yaml"), TINY_CLAIM)
  }
  return {
    dir,
    cache: (name) => path.join(dir, "stores", name),
    cli: (args, env = {}) => {
      const r = spawnSync(process.execPath, [path.join(dir, "bin", "grokflow.js"), ...args], {
        cwd: dir,
        encoding: "utf8",
        timeout: 300_000,
        env: { ...process.env, CI: "true", ...env }
      })
      return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr }
    }
  }
}
