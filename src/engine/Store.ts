/**
 * The content-addressed store (default <project>/cache, `--cache-dir` or GROKFLOW_CACHE):
 *
 *   objects/<2 hex>/<sha256>         immutable blobs, named by their content
 *   entries/<name>/<key>.json        stage manifests (cells: entries/cell.<name>/)
 *   refs/<profile>/<node>.json       the key a node last ran with (for --explain), and
 *                                    the keys of its runs before, with the run and its
 *                                    --set overrides (for `grokflow diff` and `grokflow runs`)
 *   locks/<key>.lock                 per-key locks (Lock.ts)
 *   checkpoints/<key>/               a running cell's checkpoints, removed on commit
 *
 * Every file is written to a temp file in its final directory, fsynced and
 * renamed, blobs before the manifest that names them: a crash leaves either the
 * old state or the new, never half a file. Reads verify digests; a missing or
 * corrupt blob or manifest is a miss with a reason, never a crash.
 */
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { Context, Effect, Layer, Result } from "effect"
import { sha256 } from "./Canonical.ts"
import { writeAtomic } from "./Atomic.ts"
import { StoreError } from "./Errors.ts"
import { withKeyLock } from "./Lock.ts"
import { projectRoot } from "./ProjectRoot.ts"
import { decodeManifest, entryDir } from "./Manifest.ts"
import type { Manifest } from "./Manifest.ts"

export type Lookup =
  | { readonly _tag: "Hit"; readonly manifest: Manifest; readonly bytes: Uint8Array; readonly manifestPath: string }
  /** `problem` is set when something was there but unusable (corrupt, missing blob). */
  | { readonly _tag: "Miss"; readonly problem?: string }

export type BlobCheck = "ok" | "missing" | "corrupt"

export interface Ref {
  readonly key: string
  readonly stage: string
  readonly at: string
  /** The `grokflow run` that recorded it (its start time), shared by every node it ran or reused. */
  readonly run?: string
  /** That run's `--set` overrides. */
  readonly sets?: ReadonlyArray<string>
}

/** How many earlier runs a node's ref remembers (newest first). */
export const REF_HISTORY = 20

const isRef = (x: unknown): x is Ref =>
  typeof x === "object" && x !== null && typeof (x as Partial<Ref>).key === "string" &&
  typeof (x as Partial<Ref>).stage === "string" && typeof (x as Partial<Ref>).at === "string"

/** A ref's own fields (refs written before runs were recorded have no run or sets). */
const refOf = (r: Ref): Ref => ({
  key: r.key,
  stage: r.stage,
  at: r.at,
  ...(typeof r.run === "string" ? { run: r.run } : {}),
  ...(Array.isArray(r.sets) && r.sets.every((s) => typeof s === "string") ? { sets: r.sets } : {})
})

const errorMessage = (cause: unknown) => (cause instanceof Error ? cause.message : String(cause))
const isNotFound = (e: unknown) => (e as NodeJS.ErrnoException | undefined)?.code === "ENOENT"

export { writeAtomic }

export class FileStore {
  constructor(readonly root: string) {}

  blobPath(digest: string): string {
    return path.join(this.root, "objects", digest.slice(0, 2), digest)
  }
  entryPath(kind: "stage" | "cell", name: string, key: string): string {
    return path.join(this.root, "entries", entryDir(kind, name), `${key}.json`)
  }
  refPath(profile: string, node: string): string {
    return path.join(this.root, "refs", profile, `${node}.json`)
  }
  checkpointDir(key: string): string {
    return path.join(this.root, "checkpoints", key)
  }

  private io<A>(file: string, what: string, f: () => Promise<A>): Effect.Effect<A, StoreError> {
    return Effect.tryPromise({
      try: f,
      catch: (cause) => new StoreError({ path: file, message: `${what}: ${errorMessage(cause)}`, cause })
    })
  }

  /** Stores bytes under their sha256; an existing good copy is kept, a corrupt one replaced. */
  putBlob(bytes: Uint8Array): Effect.Effect<string, StoreError> {
    const digest = sha256(bytes)
    const file = this.blobPath(digest)
    return this.io(file, "cannot write blob", async () => {
      if ((await this.checkBlobAsync(digest)) !== "ok") await writeAtomic(file, bytes)
      return digest
    })
  }

  private async checkBlobAsync(digest: string): Promise<BlobCheck> {
    try {
      return sha256(await fs.readFile(this.blobPath(digest))) === digest ? "ok" : "corrupt"
    } catch (e) {
      if (isNotFound(e)) return "missing"
      throw e
    }
  }

  checkBlob(digest: string): Effect.Effect<BlobCheck, StoreError> {
    return this.io(this.blobPath(digest), "cannot read blob", () => this.checkBlobAsync(digest))
  }

  /** The manifest and its verified output bytes, or a miss saying what was wrong. */
  lookup(kind: "stage" | "cell", name: string, key: string): Effect.Effect<Lookup, StoreError> {
    const manifestPath = this.entryPath(kind, name, key)
    return this.io(manifestPath, "cannot read entry", async (): Promise<Lookup> => {
      let text: string
      try {
        text = await fs.readFile(manifestPath, "utf8")
      } catch (e) {
        if (isNotFound(e)) return { _tag: "Miss" }
        throw e
      }
      const label = `${entryDir(kind, name)}/${key.slice(0, 12)}`
      let json: unknown
      try {
        json = JSON.parse(text)
      } catch {
        return { _tag: "Miss", problem: `entry ${label} manifest is not JSON` }
      }
      const decoded = decodeManifest(json)
      if (Result.isFailure(decoded) || decoded.success.key !== key) {
        return { _tag: "Miss", problem: `entry ${label} manifest is malformed` }
      }
      const manifest = decoded.success
      const digest = manifest.output.digest
      let bytes: Uint8Array
      try {
        bytes = await fs.readFile(this.blobPath(digest))
      } catch (e) {
        if (isNotFound(e)) return { _tag: "Miss", problem: `entry ${label} blob ${digest.slice(0, 12)} missing` }
        throw e
      }
      if (sha256(bytes) !== digest) return { _tag: "Miss", problem: `entry ${label} blob ${digest.slice(0, 12)} corrupt` }
      return { _tag: "Hit", manifest, bytes, manifestPath }
    })
  }

  /** Commits an entry: its blobs must already be written (putBlob). */
  writeManifest(manifest: Manifest): Effect.Effect<string, StoreError> {
    const file = this.entryPath(manifest.kind, manifest.name, manifest.key)
    return this.io(file, "cannot write entry", async () => {
      await writeAtomic(file, JSON.stringify(manifest, null, 2) + "\n")
      return file
    })
  }

  /** Records a node's run; the run it replaces moves to the front of `history`. */
  writeRef(profile: string, node: string, ref: Ref): Effect.Effect<void, StoreError> {
    const file = this.refPath(profile, node)
    return this.io(file, "cannot write ref", async () => {
      const runs = await this.readRunsAsync(file)
      const history = runs.slice(0, REF_HISTORY)
      await writeAtomic(file, JSON.stringify({ ...refOf(ref), history }) + "\n")
    })
  }

  readRef(profile: string, node: string): Effect.Effect<Ref | undefined> {
    return Effect.map(this.readRuns(profile, node), (runs) => runs[0])
  }

  /** The node's runs in this profile, newest first: its last run, then the ones before. */
  readRuns(profile: string, node: string): Effect.Effect<ReadonlyArray<Ref>> {
    return Effect.promise(() => this.readRunsAsync(this.refPath(profile, node)))
  }

  private async readRunsAsync(file: string): Promise<ReadonlyArray<Ref>> {
    let json: unknown
    try {
      json = JSON.parse(await fs.readFile(file, "utf8"))
    } catch {
      return []
    }
    if (!isRef(json)) return []
    const history = (json as { readonly history?: unknown }).history
    return [refOf(json), ...(Array.isArray(history) ? history.filter(isRef).map(refOf) : [])]
  }

  /** The profiles with recorded runs (directories under refs/). */
  refProfiles(): Effect.Effect<ReadonlyArray<string>> {
    return Effect.promise(async () => {
      try {
        return (await fs.readdir(path.join(this.root, "refs"), { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort()
      } catch {
        return []
      }
    })
  }

  /** A manifest without touching its blob (for explain: the previous preimage). */
  readManifest(kind: "stage" | "cell", name: string, key: string): Effect.Effect<Manifest | undefined> {
    const file = this.entryPath(kind, name, key)
    return Effect.promise(async () => {
      try {
        const decoded = decodeManifest(JSON.parse(await fs.readFile(file, "utf8")))
        return Result.isSuccess(decoded) ? decoded.success : undefined
      } catch {
        return undefined
      }
    })
  }

  /** Every manifest file under entries/, parsed or with the reason it is unreadable. */
  listEntries(): Effect.Effect<ReadonlyArray<{ readonly file: string; readonly manifest?: Manifest; readonly problem?: string }>, StoreError> {
    const dir = path.join(this.root, "entries")
    return this.io(dir, "cannot list entries", async () => {
      let subdirs: Array<string>
      try {
        subdirs = await fs.readdir(dir)
      } catch (e) {
        if (isNotFound(e)) return []
        throw e
      }
      const out: Array<{ file: string; manifest?: Manifest; problem?: string }> = []
      for (const sub of subdirs.sort()) {
        const files = (await fs.readdir(path.join(dir, sub))).filter((f) => f.endsWith(".json")).sort()
        for (const f of files) {
          const file = path.join(dir, sub, f)
          try {
            const decoded = decodeManifest(JSON.parse(await fs.readFile(file, "utf8")))
            if (Result.isFailure(decoded)) out.push({ file, problem: "manifest is malformed" })
            else out.push({ file, manifest: decoded.success })
          } catch {
            out.push({ file, problem: "manifest is not JSON" })
          }
        }
      }
      return out
    })
  }

  /** Every blob digest present under objects/. */
  listBlobs(): Effect.Effect<ReadonlyArray<string>, StoreError> {
    const dir = path.join(this.root, "objects")
    return this.io(dir, "cannot list objects", async () => {
      let prefixes: Array<string>
      try {
        prefixes = await fs.readdir(dir)
      } catch (e) {
        if (isNotFound(e)) return []
        throw e
      }
      const out: Array<string> = []
      for (const p of prefixes.sort()) {
        for (const f of (await fs.readdir(path.join(dir, p))).sort()) if (!f.startsWith(".tmp-")) out.push(f)
      }
      return out
    })
  }

  removeCheckpoint(key: string): Effect.Effect<void> {
    return Effect.promise(() => fs.rm(this.checkpointDir(key), { recursive: true, force: true }))
  }

  withLock<A, E, R>(key: string, body: Effect.Effect<A, E, R>, onWait?: (holder: string) => void) {
    return withKeyLock(this.root, key, body, onWait)
  }
}

/** The store a command works on. */
export class Store extends Context.Service<Store, FileStore>()("grokflow/engine/Store") {
  static readonly layer = (root: string): Layer.Layer<Store> => Layer.succeed(Store, new FileStore(path.resolve(root)))
}

/** `--cache-dir`, else GROKFLOW_CACHE (both as typed, from the current folder), else <project>/cache. */
export const resolveCacheDir = (flag: string | undefined): string => {
  const given = flag ?? process.env.GROKFLOW_CACHE
  return given === undefined ? path.join(projectRoot(), "cache") : path.resolve(given)
}
