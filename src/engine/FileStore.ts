/**
 * The store on disk (default <project>/cache, `--cache-dir` or GROKFLOW_CACHE),
 * laid out as StoreBackend.ts says, plus what only a directory has:
 *
 *   locks/<key>.lock                 per-key locks (Lock.ts), shared by every process
 *   checkpoints/<key>/               a running cell's checkpoints, removed on commit
 *
 * Every file is written to a temp file in its final directory, fsynced and
 * renamed (Atomic.ts); the store writes blobs before the manifest that names
 * them, so a crash leaves either the old state or the new, never half a file.
 */
import type { Dirent } from "node:fs"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { Context, Effect } from "effect"
import { writeAtomic } from "./Atomic.ts"
import { StoreError } from "./Errors.ts"
import { withKeyLock } from "./Lock.ts"
import { TEMP_PREFIX } from "./StoreBackend.ts"
import type { StoreBackend } from "./StoreBackend.ts"

/**
 * The file store's directory, for the one operation that is about files rather
 * than contents: `cache gc`, which also sweeps temp files, dead lock files and
 * leftover checkpoints. Only `Store.layer(dir)` provides it.
 */
export class StoreDir extends Context.Service<StoreDir, { readonly root: string }>()("grokflow/engine/StoreDir") {}

const errorMessage = (cause: unknown) => (cause instanceof Error ? cause.message : String(cause))
const isNotFound = (e: unknown) => (e as NodeJS.ErrnoException | undefined)?.code === "ENOENT"

export const fileBackend = (root: string): StoreBackend => {
  const abs = (rel: string) => path.join(root, rel)
  const io = <A>(rel: string, what: string, f: () => Promise<A>): Effect.Effect<A, StoreError> =>
    Effect.tryPromise({
      try: f,
      catch: (cause) => new StoreError({ path: abs(rel), message: `${what}: ${errorMessage(cause)}`, cause })
    })
  /** A missing directory lists as empty: the store creates its directories on first write. */
  const list = (dir: string, keep: (d: Dirent) => boolean) =>
    io(dir, "cannot list", async () => {
      try {
        return (await fs.readdir(abs(dir), { withFileTypes: true })).filter(keep).map((d) => d.name).sort()
      } catch (e) {
        if (isNotFound(e)) return []
        throw e
      }
    })
  return {
    location: root,
    where: abs,
    read: (rel) =>
      io(rel, "cannot read", async () => {
        try {
          return await fs.readFile(abs(rel))
        } catch (e) {
          if (isNotFound(e)) return undefined
          throw e
        }
      }),
    write: (rel, bytes) => io(rel, "cannot write", () => writeAtomic(abs(rel), bytes)),
    files: (dir) => list(dir, (d) => d.isFile() && !d.name.startsWith(TEMP_PREFIX)),
    dirs: (dir) => list(dir, (d) => d.isDirectory()),
    withLock: (key, body, onWait) => withKeyLock(root, key, body, onWait),
    checkpointDir: (key) => Effect.succeed(abs(path.join("checkpoints", key))),
    removeCheckpoint: (key) => Effect.promise(() => fs.rm(abs(path.join("checkpoints", key)), { recursive: true, force: true }))
  }
}
