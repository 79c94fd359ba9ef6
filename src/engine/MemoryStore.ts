/**
 * The store in memory, for tests: the same tree of paths as on disk, kept in a
 * Map, so a memory store misses, verifies and lists exactly as a file store does
 * (the same logic reads both, Store.ts). Locks are per-key semaphores: they
 * serialize the fibers of this process, which is all that can share a memory
 * store.
 *
 * Checkpoints cannot live in memory: a cell's checkpoints are written by the
 * executor's worker processes, which see files, not this process's heap. So the
 * memory store hands out directories under one temp directory, made on first
 * use and removed when the layer's scope closes.
 */
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { Effect, Option, Semaphore } from "effect"
import type { Scope } from "effect"
import { StoreError } from "./Errors.ts"
import { TEMP_PREFIX } from "./StoreBackend.ts"
import type { StoreBackend } from "./StoreBackend.ts"

const encoder = new TextEncoder()

/** Children of `dir` among the stored paths: files directly in it, and the directories on the way to deeper ones. */
const children = (paths: Iterable<string>, dir: string, want: "files" | "dirs"): ReadonlyArray<string> => {
  const prefix = `${dir}/`
  const out = new Set<string>()
  for (const p of paths) {
    if (!p.startsWith(prefix)) continue
    const rest = p.slice(prefix.length)
    const slash = rest.indexOf("/")
    if (want === "files" && slash === -1 && !rest.startsWith(TEMP_PREFIX)) out.add(rest)
    if (want === "dirs" && slash > 0) out.add(rest.slice(0, slash))
  }
  return [...out].sort()
}

export const memoryBackend: Effect.Effect<StoreBackend, never, Scope.Scope> = Effect.gen(function*() {
  const files = new Map<string, Uint8Array>()
  const locks = new Map<string, Semaphore.Semaphore>()
  let scratch: string | undefined
  yield* Effect.addFinalizer(() =>
    scratch === undefined ? Effect.void : Effect.promise(() => fs.rm(scratch!, { recursive: true, force: true }))
  )
  const checkpointDir = (key: string) =>
    Effect.tryPromise({
      try: async () => {
        scratch ??= await fs.mkdtemp(path.join(os.tmpdir(), "grokflow-memory-store-"))
        return path.join(scratch, key)
      },
      catch: (cause) => new StoreError({ path: os.tmpdir(), message: `cannot make a checkpoint directory: ${String(cause)}`, cause })
    })
  const lockOf = (key: string) => {
    let lock = locks.get(key)
    if (lock === undefined) locks.set(key, lock = Semaphore.makeUnsafe(1))
    return lock
  }
  return {
    location: "memory",
    where: (rel) => `memory:${rel}`,
    // Copies both ways, as files are: a caller that mutates its bytes cannot change what is stored.
    read: (rel) => Effect.sync(() => (files.has(rel) ? Uint8Array.from(files.get(rel)!) : undefined)),
    write: (rel, bytes) => Effect.sync(() => void files.set(rel, typeof bytes === "string" ? encoder.encode(bytes) : Uint8Array.from(bytes))),
    files: (dir) => Effect.sync(() => children(files.keys(), dir, "files")),
    dirs: (dir) => Effect.sync(() => children(files.keys(), dir, "dirs")),
    withLock: (key, body, onWait) =>
      Effect.suspend(() => {
        const lock = lockOf(key)
        return Effect.flatMap(lock.withPermitsIfAvailable(1)(body), (held) => {
          if (Option.isSome(held)) return Effect.succeed(held.value)
          onWait?.("another fiber of this process")
          return lock.withPermits(1)(body)
        })
      }),
    checkpointDir,
    removeCheckpoint: (key) =>
      Effect.suspend(() => (scratch === undefined ? Effect.void : Effect.promise(() => fs.rm(path.join(scratch!, key), { recursive: true, force: true }))))
  } satisfies StoreBackend
})
