/**
 * Per-key lock files: `locks/<key>.lock`, created with O_EXCL (`wx`) and holding
 * {pid, host, token, since}. Never a store-wide lock: two runs share the store and
 * only serialize on the keys they both need. A waiter polls; when the holder is a
 * dead process on this host (SIGKILL, power cut) the lock is stale and removed.
 *
 * Limits: staleness is only detectable on the same host (a lock from another host
 * on a shared disk is waited on), and a recycled pid looks alive (then the lock
 * is waited on until that process exits).
 */
import { randomBytes } from "node:crypto"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { Effect, Option } from "effect"
import { StoreError } from "./Errors.ts"

interface LockInfo {
  readonly pid: number
  readonly host: string
  readonly token: string
  readonly since: string
}

/** Whether a process with this pid is alive on this host (EPERM: alive, not ours). */
export const pidAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM"
  }
}

/** Seconds a lock file may stay empty (holder between create and write) before it counts as stale. */
const EMPTY_GRACE_MS = 10_000

const storeError = (file: string, what: string) => (cause: unknown) =>
  new StoreError({ path: file, message: `${what}: ${cause instanceof Error ? cause.message : String(cause)}`, cause })

export const lockPath = (storeRoot: string, key: string): string => path.join(storeRoot, "locks", `${key}.lock`)

const tryCreate = (file: string): Effect.Effect<Option.Option<LockInfo>, StoreError> =>
  Effect.tryPromise({
    try: async () => {
      const info: LockInfo = { pid: process.pid, host: os.hostname(), token: randomBytes(8).toString("hex"), since: new Date().toISOString() }
      let handle: fs.FileHandle
      try {
        handle = await fs.open(file, "wx")
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code
        if (code === "EEXIST") return Option.none<LockInfo>()
        if (code === "ENOENT") {
          await fs.mkdir(path.dirname(file), { recursive: true })
          return Option.none<LockInfo>()
        }
        throw e
      }
      try {
        await handle.writeFile(JSON.stringify(info))
      } finally {
        await handle.close()
      }
      return Option.some(info)
    },
    catch: storeError(file, "cannot create lock")
  })

const release = (file: string, info: LockInfo): Effect.Effect<void> =>
  Effect.promise(async () => {
    try {
      const current = JSON.parse(await fs.readFile(file, "utf8")) as Partial<LockInfo>
      if (current.token === info.token) await fs.unlink(file)
    } catch {
      // Already gone (a gc, or a waiter that judged it stale): nothing to release.
    }
  })

/** Removes the lock if its holder is provably gone. Returns a description of the holder otherwise. */
const checkStale = (file: string): Effect.Effect<string | undefined> =>
  Effect.promise(async () => {
    let text: string
    let mtimeMs: number
    try {
      text = await fs.readFile(file, "utf8")
      mtimeMs = (await fs.stat(file)).mtimeMs
    } catch {
      return undefined // released meanwhile
    }
    let info: Partial<LockInfo> | undefined
    try {
      info = JSON.parse(text) as Partial<LockInfo>
    } catch {
      info = undefined
    }
    const stale = info === undefined || typeof info.pid !== "number"
      ? Date.now() - mtimeMs > EMPTY_GRACE_MS
      : info.host === os.hostname() && !pidAlive(info.pid)
    if (stale) {
      try {
        // Only remove what we judged: if the file changed since, someone re-took it.
        if ((await fs.readFile(file, "utf8")) === text) await fs.unlink(file)
      } catch {
        // gone already
      }
      return undefined
    }
    return info === undefined ? "a process starting up" : `pid ${info.pid} on ${info.host} since ${info.since}`
  })

/**
 * Runs `body` holding the lock for `key`. Waiting is interruptible; the lock is
 * released whether `body` succeeds, fails or is interrupted. `onWait` is called
 * once, the first time the lock is found taken.
 */
export const withKeyLock = <A, E, R>(
  storeRoot: string,
  key: string,
  body: Effect.Effect<A, E, R>,
  onWait?: (holder: string) => void
): Effect.Effect<A, E | StoreError, R> => {
  const file = lockPath(storeRoot, key)
  const attempt = Effect.acquireUseRelease(
    tryCreate(file),
    (held) => (Option.isSome(held) ? Effect.map(body, Option.some) : Effect.succeed(Option.none<A>())),
    (held) => (Option.isSome(held) ? release(file, held.value) : Effect.void)
  )
  const loop = (delay: number, waited: boolean): Effect.Effect<A, E | StoreError, R> =>
    Effect.flatMap(attempt, (result) => {
      if (Option.isSome(result)) return Effect.succeed(result.value)
      return Effect.flatMap(checkStale(file), (holder) => {
        if (holder !== undefined && !waited && onWait) onWait(holder)
        const wait = holder === undefined ? Effect.void : Effect.sleep(delay)
        return Effect.flatMap(wait, () => loop(Math.min(delay * 2, 500), waited || holder !== undefined))
      })
    })
  return Effect.suspend(() => loop(20, false))
}
