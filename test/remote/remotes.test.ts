/**
 * Remotes against real backends: a directory and an S3-compatible server (s3rver)
 * on loopback, started here; a read-only HTTP server over a pushed directory. A
 * round trip gives byte-identical stores, a second push transfers nothing, a
 * corrupted remote blob is refused and never stored, a push killed with SIGKILL
 * leaves no manifest without its blob and the next push completes, and an
 * unreachable remote fails with its URL and exit 1.
 */
import { spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { readLockFile } from "../../src/engine/index.ts"
import type { ProfileLock } from "../../src/engine/index.ts"
import { openRemote } from "../../src/remote/Config.ts"
import type { RemoteSpec } from "../../src/remote/Config.ts"
import { blobFile } from "../../src/remote/Remote.ts"
import { fetchEntries, pull, push } from "../../src/remote/Transfer.ts"
import { snapshot, syntheticProject, testFileStore } from "./syntheticStore.ts"

const ROOT = path.resolve(import.meta.dirname, "../..")
const BIN = path.join(ROOT, "bin", "grokflow.js")
const S3_ENV = { AWS_ACCESS_KEY_ID: "S3RVER", AWS_SECRET_ACCESS_KEY: "S3RVER", AWS_REGION: "us-east-1" }

const cli = (cwd: string, args: ReadonlyArray<string>, env: Readonly<Record<string, string>> = {}) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: "utf8", timeout: 120_000, env: { ...process.env, ...env } })
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr }
}

const lockOf = async (file: string): Promise<ProfileLock> => (await Effect.runPromise(readLockFile(file)))!
const run = <A, E>(e: Effect.Effect<A, E>) => Effect.runPromise(e)
const runExit = <A, E>(e: Effect.Effect<A, E>) => Effect.runPromise(Effect.result(e))
const opts = { jobs: 4 }

describe("remotes", () => {
  let s3: { close: () => Promise<void>; port: number } | undefined
  const saved = { ...process.env }

  beforeAll(async () => {
    Object.assign(process.env, S3_ENV)
    const { default: S3rver } = await import("s3rver")
    const server = new S3rver({
      address: "127.0.0.1",
      port: 0,
      silent: true,
      directory: fs.mkdtempSync(path.join(os.tmpdir(), "grokflow-s3rver-")),
      configureBuckets: [{ name: "grokflow" }]
    })
    const { port } = await server.run()
    s3 = { close: () => server.close(), port }
  }, 30_000)

  afterAll(async () => {
    await s3?.close()
    process.env = saved
  })

  const specs = (): Record<string, RemoteSpec> => ({
    directory: { url: "shared" },
    s3: { url: "s3://grokflow/results/v1", endpoint: `http://127.0.0.1:${s3!.port}` }
  })

  for (const backend of ["directory", "s3"] as const) {
    it(`${backend}: push, then pull into a fresh store, is byte-identical; a second push transfers nothing`, async () => {
      const p = syntheticProject(12)
      const remote = openRemote(p.dir, backend, { ...specs()[backend]!, ...(backend === "s3" ? { url: `s3://grokflow/rt-${path.basename(p.dir)}` } : {}) })
      const lock = await lockOf(p.lockFile)
      const first = await run(push(p.store, remote, [lock], opts))
      expect(first.blobs).toMatchObject({ moved: 12, skipped: 0 })
      expect(first.entries).toMatchObject({ moved: 12, skipped: 0 })
      expect(first.locks.moved).toBe(1)
      const second = await run(push(p.store, remote, [lock], opts))
      expect(second).toEqual({ blobs: { moved: 0, skipped: 12, bytes: 0 }, entries: { moved: 0, skipped: 12 }, locks: { moved: 0, skipped: 1 } })

      const fresh = testFileStore(path.join(p.dir, "fresh"))
      const pulled = await run(pull(fresh, remote, [lock], opts))
      expect(pulled.blobs.moved).toBe(12)
      expect(snapshot(fresh.root)).toEqual(snapshot(p.store.root))
      const again = await run(pull(fresh, remote, [lock], opts))
      expect(again.blobs.moved + again.entries.moved).toBe(0)
    }, 60_000)

    it(`${backend}: a corrupted remote blob is refused and never stored`, async () => {
      const p = syntheticProject(3)
      const spec = backend === "s3" ? { ...specs().s3!, url: `s3://grokflow/bad-${path.basename(p.dir)}` } : specs().directory!
      const remote = openRemote(p.dir, backend, spec)
      const lock = await lockOf(p.lockFile)
      await run(push(p.store, remote, [lock], opts))
      const victim = p.entries[1]!.output.digest
      await remote.put(blobFile(victim), new TextEncoder().encode("not the bytes that hash to this name"))
      const fresh = testFileStore(path.join(p.dir, "fresh"))
      const result = await runExit(fetchEntries(fresh, remote, [lock], opts))
      expect(result._tag).toBe("Failure")
      const message = result._tag === "Failure" ? String((result.failure as { rendered?: string }).rendered) : ""
      expect(message).toContain(`${blobFile(victim)} is corrupt on the remote`)
      expect(message).toContain("refused, not stored")
      expect(fs.existsSync(fresh.blobPath(victim))).toBe(false)
      expect(fs.existsSync(fresh.entryPath("cell", "train", p.entries[1]!.key))).toBe(false)
      // The good entries did arrive.
      expect(fs.existsSync(fresh.blobPath(p.entries[0]!.output.digest))).toBe(true)
    }, 60_000)
  }

  it("http (read-only): pull over a pushed directory; a corrupted blob is refused; push is refused", async () => {
    const p = syntheticProject(4)
    const lock = await lockOf(p.lockFile)
    const dirRemote = openRemote(p.dir, "shared", { url: "shared" })
    await run(push(p.store, dirRemote, [lock], opts))
    const served = path.join(p.dir, "shared")
    const server = http.createServer((req, res) => {
      const file = path.join(served, decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname))
      if (!file.startsWith(served) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
        res.writeHead(404).end()
        return
      }
      res.writeHead(200)
      res.end(req.method === "HEAD" ? undefined : fs.readFileSync(file))
    })
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
    try {
      const remote = openRemote(p.dir, "public", { url })
      const fresh = testFileStore(path.join(p.dir, "fresh"))
      await run(pull(fresh, remote, [lock], opts))
      expect(snapshot(fresh.root)).toEqual(snapshot(p.store.root))
      const refused = await runExit(push(p.store, remote, [lock], opts))
      expect(refused._tag).toBe("Failure")
      fs.writeFileSync(path.join(served, blobFile(p.entries[0]!.output.digest)), "garbage")
      const other = testFileStore(path.join(p.dir, "other"))
      const bad = await runExit(fetchEntries(other, remote, [lock], opts))
      expect(bad._tag).toBe("Failure")
      expect(fs.existsSync(other.blobPath(p.entries[0]!.output.digest))).toBe(false)
    } finally {
      server.close()
    }
  }, 60_000)

  it("a push killed with SIGKILL leaves no manifest without its blob; the next push completes", async () => {
    const p = syntheticProject(600, 64)
    fs.writeFileSync(path.join(p.dir, "pipeline", "remotes.yaml"), "default: shared\nremotes:\n  shared: { url: shared }\n")
    const shared = path.join(p.dir, "shared")
    const child = spawn(process.execPath, [BIN, "push", "--profile", "syn", "--cache-dir", p.store.root, "--jobs", "1"], { cwd: p.dir, stdio: "ignore" })
    const count = (sub: string) => (fs.existsSync(path.join(shared, sub)) ? fs.readdirSync(path.join(shared, sub), { recursive: true }).length : 0)
    const t0 = Date.now()
    while (count("objects") < 20 && Date.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 5))
    child.kill("SIGKILL")
    await new Promise((r) => child.once("exit", r))
    const remote = openRemote(p.dir, "shared", { url: "shared" })
    const blobs = new Set(await remote.list("objects/"))
    const manifests = (await remote.list("entries/"))!
    // Killed mid-way: not everything is there.
    expect(blobs.size).toBeLessThan(600)
    for (const e of p.entries) {
      if (manifests.includes(`entries/cell.train/${e.key}.json`)) expect(blobs.has(blobFile(e.output.digest))).toBe(true)
    }
    const resumed = cli(p.dir, ["push", "--profile", "syn", "--cache-dir", p.store.root])
    expect(resumed.code, resumed.stderr).toBe(0)
    expect(resumed.stdout).toMatch(new RegExp(`${600 - blobs.size} blobs .* transferred; ${blobs.size} blobs`))
    const fresh = testFileStore(path.join(p.dir, "fresh"))
    await run(pull(fresh, remote, [await lockOf(p.lockFile)], opts))
    expect(snapshot(fresh.root)).toEqual(snapshot(p.store.root))
  }, 120_000)

  it("an unreachable remote fails loudly, naming the URL, exit 1, no stack trace", async () => {
    const p = syntheticProject(1)
    // A port nothing listens on (fetch refuses the well-known "bad" ports such as 9 outright).
    const probe = http.createServer()
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r))
    const port = (probe.address() as AddressInfo).port
    await new Promise((r) => probe.close(r))
    fs.writeFileSync(path.join(p.dir, "pipeline", "remotes.yaml"), [
      "default: gone",
      "remotes:",
      `  gone: { url: "s3://grokflow/x", endpoint: "http://127.0.0.1:${port}" }`,
      `  web: { url: "http://127.0.0.1:${port}/release/" }`,
      "  nowhere: { url: \"/nonexistent/grokflow-remote\" }",
      ""
    ].join("\n"))
    for (const [args, where] of [
      [["push", "--profile", "syn"], `s3://grokflow/x at http://127.0.0.1:${port}`],
      [["pull", "-r", "web", "--profile", "syn"], `http://127.0.0.1:${port}/release/`],
      [["fetch", "-r", "nowhere", "--profile", "syn"], "/nonexistent/grokflow-remote"],
      [["pull", "-r", "nowhere"], "/nonexistent/grokflow-remote"]
    ] as const) {
      const r = cli(p.dir, [...args, "--cache-dir", p.store.root], S3_ENV)
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(1)
      expect(r.stderr).toContain(where)
      expect(r.stderr).not.toMatch(/internal error|\n\s+at /)
    }
  }, 60_000)

  it("pull without --profile takes the locks the remote holds (a local lock it lacks is not asked for)", () => {
    const p = syntheticProject(3)
    fs.writeFileSync(path.join(p.dir, "pipeline", "remotes.yaml"), "default: shared\nremotes:\n  shared: { url: shared }\n")
    expect(cli(p.dir, ["push", "--profile", "syn", "--cache-dir", p.store.root]).code).toBe(0)
    fs.copyFileSync(p.lockFile, path.join(p.dir, "pipeline", "other.lock"))
    fs.writeFileSync(path.join(p.dir, "pipeline", "other.lock"), fs.readFileSync(p.lockFile, "utf8").replace('"profile":"syn"', '"profile":"other"'))
    fs.rmSync(p.lockFile)
    const fresh = path.join(p.dir, "fresh")
    const r = cli(p.dir, ["pull", "--cache-dir", fresh])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/pull shared \(shared\): 3 blobs/)
    expect(snapshot(fresh)).toEqual(snapshot(p.store.root))
    // pull points the profile's refs only at locked stages; these are cells, so no refs.
    const status = cli(p.dir, ["status", "--profile", "syn", "--remote", "--cache-dir", fresh])
    expect(status.stdout).toContain("3 of 3 locked entries there")
  }, 60_000)

  it("remote add | list | remove edit pipeline/remotes.yaml; a bad URL is exit 2", async () => {
    const p = syntheticProject(0)
    expect(cli(p.dir, ["remote", "add", "lab", "s3://bucket/prefix", "--endpoint", "http://minio:9000"]).code).toBe(0)
    expect(cli(p.dir, ["remote", "add", "shared", "/mnt/shared/grokflow"]).code).toBe(0)
    const list = cli(p.dir, ["remote", "list"])
    expect(list.stdout).toContain("* lab  s3://bucket/prefix  endpoint http://minio:9000")
    expect(list.stdout).toContain("  shared  /mnt/shared/grokflow")
    expect(cli(p.dir, ["remote", "add", "x", "ftp://host/x"]).code).toBe(2)
    expect(cli(p.dir, ["remote", "remove", "lab"]).code).toBe(0)
    expect(fs.readFileSync(path.join(p.dir, "pipeline", "remotes.yaml"), "utf8")).not.toContain("lab")
    fs.writeFileSync(path.join(p.dir, "pipeline", "remotes.yaml"), "remotes:\n  lab: { url: \"s3://b/p\", secretAccessKey: \"x\" }\n")
    const bad = cli(p.dir, ["remote", "list"])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain("remotes.lab.secretAccessKey: credentials never go in the committed config")
  }, 60_000)
})

describe("verify cannot pass on nothing", () => {
  it("verify --profile smoke on an empty cache exits 1 and lists the NOT RUN claims it tests, with why", () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), "grokflow-empty-"))
    const r = cli(ROOT, ["verify", "--profile", "smoke", "--cache-dir", empty])
    expect(r.code).toBe(1)
    expect(r.stdout).toContain("not run (tested by this profile):")
    expect(r.stdout).toMatch(/A2\.alpha-quick: delay-law-fits waits on .*measure-wc: never ran/)
    expect(r.stdout).toMatch(/smoke: 0 passed, 0 failed; \d+ tested but not run/)
    const allowed = cli(ROOT, ["verify", "--profile", "smoke", "--cache-dir", empty, "--allow-missing"])
    expect(allowed.code).toBe(0)
    const json = cli(ROOT, ["verify", "--profile", "smoke", "--cache-dir", empty, "--json"])
    expect(json.code).toBe(1)
    const data = JSON.parse(json.stdout) as { ok: boolean; missing: Array<string>; rows: Array<{ id: string; status: string; reason: string }> }
    expect(data.ok).toBe(false)
    expect(data.missing).toContain("A2.alpha-quick")
    expect(data.rows.find((row) => row.id === "A2.alpha-quick")?.reason).toMatch(/never ran/)
  }, 60_000)
})
