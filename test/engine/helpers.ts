/**
 * Engine test helpers: temp dirs, the CLI in-process (fast: one module load per
 * file) or spawned (for kill and concurrency tests), and the fixture counters.
 */
import { spawn } from "node:child_process"
import type { ChildProcess } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { vi } from "vitest"
import { main } from "../../src/cli/main.ts"

export const ROOT = path.resolve(import.meta.dirname, "../..")
export const FIXTURE_STAGES = path.join(ROOT, "test/fixtures/stages")
export const FIXTURE_PIPELINES = path.join(ROOT, "test/fixtures/pipeline")

export const tempDir = (prefix = "grokflow-test-"): string => fs.mkdtempSync(path.join(os.tmpdir(), prefix))

export interface Sandbox {
  readonly dir: string
  readonly cache: string
  readonly counter: string
  /** Writes a profile file into the sandbox and returns its path. */
  readonly profile: (name: string, yaml: string) => string
  /** How many times each fixture unit ran, by counter line. */
  readonly counts: () => Record<string, number>
}

export const sandbox = (): Sandbox => {
  const dir = tempDir()
  const cache = path.join(dir, "cache")
  const counter = path.join(dir, "counter.txt")
  return {
    dir,
    cache,
    counter,
    profile: (name, yaml) => {
      const file = path.join(dir, `${name}.yaml`)
      fs.writeFileSync(file, yaml)
      return file
    },
    counts: () => {
      const out: Record<string, number> = {}
      if (!fs.existsSync(counter)) return out
      for (const line of fs.readFileSync(counter, "utf8").split("\n")) if (line) out[line] = (out[line] ?? 0) + 1
      return out
    }
  }
}

export interface CliResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** Runs `grokflow <args>` in this process, capturing its output. Calls are serialized. */
let queue: Promise<unknown> = Promise.resolve()
export const cli = (args: ReadonlyArray<string>, env: Record<string, string> = {}): Promise<CliResult> => {
  const next = queue.then(async () => {
    const saved: Record<string, string | undefined> = {}
    for (const [k, v] of Object.entries(env)) {
      saved[k] = process.env[k]
      process.env[k] = v
    }
    let stdout = ""
    let stderr = ""
    const outSpy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      stdout += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString()
      return true
    })
    const errSpy = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      stderr += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString()
      return true
    })
    const logSpy = vi.spyOn(console, "log").mockImplementation((...xs: Array<unknown>) => void (stdout += xs.join(" ") + "\n"))
    const errorSpy = vi.spyOn(console, "error").mockImplementation((...xs: Array<unknown>) => void (stderr += xs.join(" ") + "\n"))
    try {
      const code = await main(args)
      return { code, stdout, stderr }
    } finally {
      outSpy.mockRestore()
      errSpy.mockRestore()
      logSpy.mockRestore()
      errorSpy.mockRestore()
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k]
        else process.env[k] = v
      }
    }
  })
  queue = next.catch(() => undefined)
  return next
}

export interface Spawned {
  readonly child: ChildProcess
  readonly done: Promise<CliResult & { readonly signal: NodeJS.Signals | null }>
}

/** Spawns `node bin/grokflow.js <args>` as a real process. */
export const spawnCli = (args: ReadonlyArray<string>, env: Record<string, string> = {}): Spawned => {
  const child = spawn(process.execPath, [path.join(ROOT, "bin/grokflow.js"), ...args], {
    cwd: ROOT,
    env: { ...process.env, CI: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"]
  })
  let stdout = ""
  let stderr = ""
  child.stdout!.on("data", (d: Buffer) => void (stdout += d.toString()))
  child.stderr!.on("data", (d: Buffer) => void (stderr += d.toString()))
  const done = new Promise<CliResult & { readonly signal: NodeJS.Signals | null }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code: code ?? -1, signal, stdout, stderr }))
  )
  return { child, done }
}

/** Resolves once `predicate` holds (polling), or rejects after `ms`. */
export const waitFor = async (predicate: () => boolean, ms = 20_000): Promise<void> => {
  const t0 = Date.now()
  while (!predicate()) {
    if (Date.now() - t0 > ms) throw new Error("waitFor: timed out")
    await new Promise((r) => setTimeout(r, 25))
  }
}

/** Common CLI args for a sandbox. */
export const args = (s: Sandbox, command: ReadonlyArray<string>, profile: string, stagesDir = FIXTURE_STAGES) => [
  ...command,
  "--profile",
  profile,
  "--stages-dir",
  stagesDir,
  "--cache-dir",
  s.cache
]

/** A private copy of the fixture stages (to edit or break), importing the real engine. */
export const copyFixtureStages = (dir: string): string => {
  const stages = path.join(dir, "stages")
  fs.cpSync(FIXTURE_STAGES, stages, { recursive: true })
  for (const f of fs.readdirSync(stages)) {
    const file = path.join(stages, f)
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replaceAll("../../../src/engine/", `${path.join(ROOT, "src/engine")}/`))
  }
  return stages
}
