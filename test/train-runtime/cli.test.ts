/**
 * The real binary, training for real: the path CI's smoke run takes (bundle, worker
 * processes, pool shutdown). A command that trains must end on its own with 0, and
 * a cell killed mid-run and resumed from its checkpoint must store the same bytes
 * as one trained without interruption (one result, one digest).
 */
import { spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { describe, expect, it } from "vitest"

const ROOT = path.resolve(import.meta.dirname, "../..")
const BIN = path.join(ROOT, "bin/grokflow.js")

const tinyProfile = (dir: string, budget: number): string => {
  const profile = path.join(dir, "tiny.yaml")
  fs.writeFileSync(profile, [
    "description: one small real cell",
    "stages:",
    "  measure-wc:",
    `    config: { moduli: [31], trainFractions: [0.6], lrs: [0.006], seeds: 1, budget: ${budget} }`,
    ""
  ].join("\n"))
  return profile
}

const runArgs = (profile: string, cache: string) => [BIN, "run", "--profile", profile, "--cache-dir", cache, "--jobs", "1"]

/** Output digests of every stored training cell, by key. */
const cellDigests = (cache: string): Record<string, string> => {
  const dir = path.join(cache, "entries", "cell.train")
  const out: Record<string, string> = {}
  for (const f of fs.readdirSync(dir)) {
    const m = JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")) as { key: string; output: { digest: string } }
    out[m.key] = m.output.digest
  }
  return out
}

describe("grokflow run with real training", () => {
  it("trains one small cell, logs its progress on a pipe, and exits 0 after closing its workers", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "grokflow-cli-train-"))
    // stderr is a pipe (no TTY): the plain logger. The cell trains for several
    // progress intervals (0.5 s here, 30 s by default), so lines must appear.
    const startedAt = Date.now()
    const done = spawnSync(process.execPath, runArgs(tinyProfile(dir, 4000), path.join(dir, "cache")), {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 120_000,
      env: { ...process.env, GROKFLOW_PROGRESS_SECONDS: "0.5" }
    })
    const seconds = (Date.now() - startedAt) / 1000
    expect(done.stderr).not.toMatch(/internal error/)
    expect(done.stdout + done.stderr).toMatch(/cells: 1 trained/)
    expect(done.status).toBe(0)
    const cell = /cell done measure-wc (.+) \((\d+\.?\d*)s\)/.exec(done.stderr)
    expect(cell, done.stderr).not.toBeNull()
    const lines = done.stderr.split("\n").filter((l) => l.startsWith("[grokflow] progress measure-wc "))
    // Printed while the cell ran: at least one line per interval after the first
    // report, less start-up and a second of slack on a loaded machine.
    expect(lines.length, done.stderr).toBeGreaterThanOrEqual(Math.max(1, Math.floor(Number(cell?.[2]) / 0.5) - 3))
    const measured = lines.filter((l) => /: step \d+\/4000 \(\d+%\), [01]\/1 seeds grokked, eta ≤ \d+s, running \d+s$/.test(l))
    expect(measured.length, lines.join("\n")).toBeGreaterThanOrEqual(1)
    // An ETA in seconds from a measured rate (its arithmetic: test/engine/progress.test.ts);
    // on a loaded machine the rate moves, so only its form and scale are checked here.
    const last = Number(/eta ≤ (\d+)s/.exec(measured.at(-1) ?? "")?.[1])
    expect(Number.isInteger(last) && last < 10 * seconds).toBe(true)
    fs.rmSync(dir, { recursive: true, force: true })
  }, 150_000)

  it("a cell killed mid-run and resumed stores the same output digest as an uninterrupted one", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "grokflow-cli-resume-"))
    // Enough steps that the kill lands mid-cell; p=31 never groks this early.
    const profile = tinyProfile(dir, 4000)
    const env = { ...process.env, GROKFLOW_CHECKPOINT_SECONDS: "0.2" }
    const whole = path.join(dir, "whole")
    const uninterrupted = spawnSync(process.execPath, runArgs(profile, whole), { cwd: ROOT, encoding: "utf8", timeout: 150_000, env })
    expect(uninterrupted.status).toBe(0)

    const resumedCache = path.join(dir, "resumed")
    const child = spawn(process.execPath, runArgs(profile, resumedCache), { cwd: ROOT, env, stdio: "ignore" })
    const checkpoints = path.join(resumedCache, "checkpoints")
    const hasCheckpoint = () =>
      fs.existsSync(checkpoints) && fs.readdirSync(checkpoints).some((k) => fs.readdirSync(path.join(checkpoints, k)).some((f) => f.endsWith(".bin")))
    const deadline = Date.now() + 120_000
    while (!hasCheckpoint() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
    expect(hasCheckpoint()).toBe(true)
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_code, signal) => resolve(signal)))
    child.kill("SIGKILL")
    expect(await exited).toBe("SIGKILL")
    expect(fs.existsSync(path.join(resumedCache, "entries", "cell.train"))).toBe(false)

    const resumed = spawnSync(process.execPath, runArgs(profile, resumedCache), { cwd: ROOT, encoding: "utf8", timeout: 150_000, env })
    expect(resumed.status).toBe(0)
    expect(resumed.stdout + resumed.stderr).toMatch(/cells: 1 trained/)
    const a = cellDigests(whole)
    expect(Object.keys(a)).toHaveLength(1)
    expect(cellDigests(resumedCache)).toEqual(a)
  }, 300_000)
})
