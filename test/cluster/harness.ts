/**
 * Processes for the cluster tests: a throwaway PostgreSQL server on loopback in a
 * temporary directory, runners and coordinators started through the real binary.
 * Every process started here is recorded and killed by `stopAll`, and the server
 * is stopped, whatever the test did.
 */
import { spawn, spawnSync } from "node:child_process"
import type { ChildProcess } from "node:child_process"
import * as fs from "node:fs"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"

export const ROOT = path.resolve(import.meta.dirname, "../..")

/** The newest PostgreSQL server binaries (Debian's layout), or undefined. */
export const postgresBin = (): string | undefined => {
  const base = "/usr/lib/postgresql"
  let versions: Array<string>
  try {
    versions = fs.readdirSync(base)
  } catch {
    return undefined
  }
  const found = versions
    .filter((v) => fs.existsSync(path.join(base, v, "bin", "initdb")) && fs.existsSync(path.join(base, v, "bin", "pg_ctl")))
    .sort((a, b) => Number(b) - Number(a))
  return found.length === 0 ? undefined : path.join(base, found[0], "bin")
}

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })

const isRoot = typeof process.getuid === "function" && process.getuid() === 0

/** initdb refuses to run as root: as root, the server runs as the `postgres` user. */
const asServerUser = (bin: string, args: ReadonlyArray<string>) =>
  isRoot ? spawnSync("runuser", ["-u", "postgres", "--", bin, ...args], { encoding: "utf8", timeout: 60_000 }) : spawnSync(bin, args, { encoding: "utf8", timeout: 60_000 })

export interface Postgres {
  readonly url: (database: string) => string
  readonly createDatabase: (name: string) => void
  readonly stop: () => void
}

export const startPostgres = async (bin: string): Promise<Postgres> => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "grokflow-pg-"))
  if (isRoot) spawnSync("chown", ["postgres", dir])
  const data = path.join(dir, "data")
  const port = await freePort()
  const init = asServerUser(path.join(bin, "initdb"), ["-A", "trust", "-U", "postgres", "-D", data])
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`)
  // Loopback only, and the socket in the temp dir: nothing outside this machine sees it.
  const started = asServerUser(path.join(bin, "pg_ctl"), ["-D", data, "-o", `-h 127.0.0.1 -p ${port} -k ${dir}`, "-l", path.join(dir, "log"), "start", "-w"])
  if (started.status !== 0) throw new Error(`pg_ctl start failed: ${started.stderr}${fs.readFileSync(path.join(dir, "log"), "utf8")}`)
  const psql = (sql: string) => {
    const done = spawnSync(path.join(bin, "psql"), ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres", "-d", "postgres", "-c", sql], { encoding: "utf8", timeout: 30_000 })
    if (done.status !== 0) throw new Error(`psql ${sql}: ${done.stderr}`)
  }
  return {
    url: (database) => `postgres://postgres@127.0.0.1:${port}/${database}`,
    createDatabase: (name) => psql(`CREATE DATABASE ${name}`),
    stop: () => {
      asServerUser(path.join(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "stop", "-w"])
      fs.rmSync(dir, { recursive: true, force: true })
    }
  }
}

/** A started grokflow process and everything it printed so far. */
export interface Proc {
  readonly child: ChildProcess
  readonly output: () => string
  readonly exited: Promise<number | null>
  /** SIGKILL to its whole process group: the process and its training workers, like a host that dies. */
  readonly kill: () => void
}

const started: Array<Proc> = []

/** Starts the real binary; `env` adds to (or, with undefined, removes from) this process's environment. */
export const grokflow = (args: ReadonlyArray<string>, env: Readonly<Record<string, string | undefined>> = {}): Proc => {
  const child = spawn(process.execPath, [path.join(ROOT, "bin/grokflow.js"), ...args], {
    cwd: ROOT,
    // Its own process group, so a kill takes its training workers with it.
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: Object.fromEntries(Object.entries({ ...process.env, CI: "true", ...env }).filter((e): e is [string, string] => e[1] !== undefined))
  })
  let text = ""
  child.stdout?.on("data", (d: Buffer) => (text += d.toString()))
  child.stderr?.on("data", (d: Buffer) => (text += d.toString()))
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)))
  const proc: Proc = {
    child,
    output: () => text,
    exited,
    kill: () => {
      if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return
      try {
        process.kill(-child.pid, "SIGKILL")
      } catch {
        // already gone
      }
    }
  }
  started.push(proc)
  return proc
}

export const stopAll = async (): Promise<void> => {
  for (const p of started.splice(0)) {
    p.kill()
    await Promise.race([p.exited, new Promise((r) => setTimeout(r, 5_000))])
  }
}

/** Polls until `f` returns a value; fails after `ms` with `what` and the given output. */
export const waitFor = async <A>(what: string, ms: number, f: () => A | undefined, context: () => string = () => ""): Promise<A> => {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    const value = f()
    if (value !== undefined) return value
    await new Promise((r) => setTimeout(r, 200))
  }
  throw new Error(`timed out after ${ms / 1000}s waiting for ${what}\n${context()}`)
}

/** `{ "<entry dir>/<key>": output digest }` of every entry (stages and cells) in the store at `cacheDir`. */
export const storedEntries = (cacheDir: string): Record<string, string> => {
  const root = path.join(cacheDir, "entries")
  const out: Record<string, string> = {}
  for (const sub of fs.existsSync(root) ? fs.readdirSync(root) : []) {
    for (const file of fs.readdirSync(path.join(root, sub))) {
      if (!file.endsWith(".json")) continue
      const manifest = JSON.parse(fs.readFileSync(path.join(root, sub, file), "utf8")) as { key: string; output: { digest: string } }
      out[`${sub}/${manifest.key}`] = manifest.output.digest
    }
  }
  return out
}

export const trainCells = (entries: Record<string, string>): Array<string> => Object.keys(entries).filter((k) => k.startsWith("cell.train/"))

/** The unit keys of a runner's log lines of one event, in order. */
const keysOf = (log: string, event: "start" | "done"): Array<string> => [...log.matchAll(new RegExp(`\\] \\S+ ${event} ([0-9a-f]{12}) `, "g"))].map((m) => m[1])

/** Keys a runner started training (a start cut short by a shard move shows here and not in doneKeys). */
export const startedKeys = (log: string): Array<string> => keysOf(log, "start")

/** Keys a runner finished training and answered. */
export const doneKeys = (log: string): Array<string> => keysOf(log, "done")
