/**
 * A store and its lock made without training: `n` cell entries with random output
 * blobs, keyed as the engine keys them (the key hashes the preimage), and a project
 * folder whose pipeline/<profile>.lock names them all.
 */
import { randomBytes } from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileStore, hashValue, LOCK_FORMAT, renderLock } from "../../src/engine/index.ts"
import type { LockEntry, StoreService } from "../../src/engine/index.ts"
import { blobFile, entryFile } from "../../src/engine/StoreBackend.ts"
import { sha256 } from "../../src/engine/Canonical.ts"
import { manifestOf } from "../../src/engine/Manifest.ts"

/** A file store with its directory and the files it keeps, for tests that look at the disk. */
export interface TestFileStore extends StoreService {
  readonly root: string
  readonly blobPath: (digest: string) => string
  readonly entryPath: (kind: "stage" | "cell", name: string, key: string) => string
}

export const testFileStore = (root: string): TestFileStore => ({
  ...fileStore(root),
  root,
  blobPath: (digest) => path.join(root, blobFile(digest)),
  entryPath: (kind, name, key) => path.join(root, entryFile(kind, name, key))
})

export interface SyntheticProject {
  readonly dir: string
  readonly store: TestFileStore
  readonly lockFile: string
  readonly entries: ReadonlyArray<LockEntry>
}

export const syntheticProject = (n: number, blobBytes = 256, profile = "syn"): SyntheticProject => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "grokflow-remote-"))
  fs.mkdirSync(path.join(dir, "pipeline"))
  fs.writeFileSync(path.join(dir, "pipeline", `${profile}.yaml`), "description: synthetic\nstages: {}\n")
  fs.writeFileSync(path.join(dir, "package.json"), "{}\n")
  const store = testFileStore(path.join(dir, "cache"))
  const env = { backend: "synthetic", precision: "float32" }
  const entries: Array<LockEntry> = []
  for (let i = 0; i < n; i++) {
    const preimage = { keyFormat: "grokflow-key/3", kind: "cell", name: "train", code: {}, key: { i, p: 23, seeds: 1 }, env }
    const key = hashValue(preimage)
    const bytes = randomBytes(blobBytes)
    const digest = sha256(bytes)
    const label = `synthetic ${String(i).padStart(5, "0")}`
    // Written as the store writes them, without its fsyncs: hundreds of entries in milliseconds.
    fs.mkdirSync(path.dirname(store.blobPath(digest)), { recursive: true })
    fs.writeFileSync(store.blobPath(digest), bytes)
    const manifest = manifestOf({ kind: "cell", name: "train", key, preimage, digest, bytes: bytes.length, startedAt: new Date(), seconds: 0, label })
    fs.mkdirSync(path.dirname(store.entryPath("cell", "train", key)), { recursive: true })
    fs.writeFileSync(store.entryPath("cell", "train", key), JSON.stringify(manifest, null, 2) + "\n")
    entries.push({ type: "cell", id: "train", name: "train", label, key, output: { digest, bytes: bytes.length }, env, code: hashValue({}), commit: "unknown" })
  }
  const lockFile = path.join(dir, "pipeline", `${profile}.lock`)
  fs.writeFileSync(lockFile, renderLock({ type: "profile", format: LOCK_FORMAT, profile, numerics: "synthetic float32" }, entries))
  return { dir, store, lockFile, entries }
}

/** Every file under `root` (relative, sorted) with its bytes, for byte-identical comparisons. */
export const snapshot = (root: string, sub: ReadonlyArray<string> = ["objects", "entries"]): Record<string, string> => {
  const out: Record<string, string> = {}
  const walk = (d: string) => {
    if (!fs.existsSync(d)) return
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name)
      if (e.isDirectory()) walk(p)
      else out[path.relative(root, p)] = fs.readFileSync(p).toString("base64")
    }
  }
  for (const s of sub) walk(path.join(root, s))
  return out
}
