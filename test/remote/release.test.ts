/**
 * The release path end to end, with real training at a tiny size: run → push to a
 * release directory → a fresh store → pull → verify PASSes without training → the
 * audit retrains a unit and matches its bytes. Then, in the same copy of the
 * repository: a comment-only edit to a training file changes no key, and a
 * numerics-changing edit makes verify and audit fail naming the release as stale,
 * with the command that refreshes it.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { beforeAll, describe, expect, it } from "vitest"
import { copyProject } from "./project.ts"

describe("a release: run, push, pull into a fresh store, verify, audit", () => {
  const p = copyProject()
  const trained = p.cache("trained")
  const fresh = p.cache("fresh")
  const adamw = path.join(p.dir, "src/train/adamw.ts")
  const original = fs.readFileSync(adamw, "utf8")

  beforeAll(() => {
    const run = p.cli(["run", "--profile", "tiny", "--split-seeds", "--jobs", "2", "--cache-dir", trained])
    expect(run.stderr).not.toMatch(/internal error/)
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/lock: pipeline\/tiny\.lock \(\d+ entries, numerics /)
  }, 300_000)

  it("the lock is sorted JSON lines naming key, output, numerics, code and commit", () => {
    const lines = fs.readFileSync(path.join(p.dir, "pipeline/tiny.lock"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(lines[0]).toMatchObject({ type: "profile", format: "grokflow-lock/1", profile: "tiny" })
    const entries = lines.slice(1)
    expect(entries.filter((e) => e.type === "stage").map((e) => e.id)).toEqual(["measure-wc"])
    // The whole cell and its two seed shards.
    expect(entries.filter((e) => e.type === "cell")).toHaveLength(3)
    for (const e of entries) expect(Object.keys(e)).toEqual(expect.arrayContaining(["key", "output", "env", "code", "commit"]))
  })

  it("push fills the release; a second push transfers nothing; pull into a fresh store; verify passes without training", () => {
    const first = p.cli(["push", "-r", "release", "--profile", "tiny", "--cache-dir", trained])
    expect(first.code, first.stderr).toBe(0)
    expect(first.stdout).toMatch(/push release \(release\): 4 blobs .*, 4 entries, 1 locks transferred/)
    expect(fs.existsSync(path.join(p.dir, "release/locks/tiny.lock"))).toBe(true)
    const second = p.cli(["push", "-r", "release", "--profile", "tiny", "--cache-dir", trained])
    expect(second.stdout).toMatch(/0 blobs .*, 0 entries, 0 locks transferred; 4 blobs and 4 entries already there/)

    const emptyVerify = p.cli(["verify", "--profile", "tiny", "--cache-dir", fresh])
    expect(emptyVerify.code).toBe(1)
    expect(emptyVerify.stdout).toMatch(/T1\.tiny-memorizes: measure-wc: its locked entry [0-9a-f]{12} is not in this store \(grokflow pull\)/)

    const pulled = p.cli(["pull", "--profile", "tiny", "--cache-dir", fresh])
    expect(pulled.code, pulled.stderr).toBe(0)
    const verify = p.cli(["verify", "--profile", "tiny", "--cache-dir", fresh])
    expect(verify.code, verify.stdout).toBe(0)
    expect(verify.stdout).toMatch(/T1\.tiny-memorizes .*PASS/)
    // Nothing trained: the fresh store holds exactly what was pulled.
    expect(fs.readdirSync(path.join(fresh, "entries", "cell.train"))).toHaveLength(3)
    const status = p.cli(["status", "--profile", "tiny", "--cache-dir", fresh, "--locked"])
    expect(status.code, status.stdout).toBe(0)
    expect(status.stdout).toMatch(/the working tree reproduces it — 1 of 1 stages, 3 of 3 cells/)
  }, 120_000)

  it("the audit retrains a unit from the pulled store and matches its bytes", () => {
    const a = p.cli(["audit", "--profile", "tiny", "--sample", "1", "--seed", "7", "--cache-dir", fresh])
    expect(a.code, a.stdout + a.stderr).toBe(0)
    expect(a.stdout).toMatch(/audit tiny: seed 7 \(replay: grokflow audit --profile tiny --sample 1 --seed 7\)/)
    expect(a.stdout).toMatch(/match {5}free=ce p=23 .* seed [01] /)
    expect(a.stdout).toMatch(/1 of 1 units reproduce their released bytes/)
  }, 120_000)

  it("a comment-only edit to a training file changes no key", () => {
    fs.writeFileSync(adamw, `// a comment-only edit\n${original.replace("const bc1 =", "/* why */ const bc1 =")}\n`)
    const status = p.cli(["status", "--profile", "tiny", "--cache-dir", fresh, "--locked"])
    expect(status.code, status.stdout).toBe(0)
    expect(status.stdout).toMatch(/fresh\s+measure-wc/)
    expect(p.cli(["verify", "--profile", "tiny", "--cache-dir", fresh]).code).toBe(0)
    fs.writeFileSync(adamw, original)
  }, 60_000)

  it("a numerics-changing edit makes verify and audit fail, naming the release stale and the refresh command", () => {
    fs.writeFileSync(adamw, original.replace("const decay = 1 - lr * weightDecay", "const decay = 1 - lr * weightDecay * 1.5"))
    const refresh = "grokflow run --profile tiny --split-seeds && grokflow push -r release --profile tiny"
    const verify = p.cli(["verify", "--profile", "tiny", "--cache-dir", fresh])
    expect(verify.code).toBe(1)
    expect(verify.stdout).toContain("the release of tiny is stale")
    expect(verify.stdout).toContain("code: src/train/adamw.ts changed")
    expect(verify.stdout).toContain(refresh)
    const status = p.cli(["status", "--profile", "tiny", "--cache-dir", fresh, "--locked"])
    expect(status.code).toBe(1)
    expect(status.stdout).toMatch(/changes {5}3 cells: code: src\/train\/adamw\.ts changed/)
    const a = p.cli(["audit", "--profile", "tiny", "--sample", "1", "--seed", "7", "--cache-dir", fresh])
    expect(a.code).toBe(1)
    expect(a.stdout).toMatch(/MISMATCH {2}free=ce p=23 .*: first difference at seeds\[0\]\./)
    expect(a.stdout).toContain("the release of tiny is stale")
    expect(a.stdout).toContain(refresh)
    fs.writeFileSync(adamw, original)
  }, 120_000)
})
