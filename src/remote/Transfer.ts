/**
 * push, fetch and pull between the local store and a remote, driven by locks:
 * a lock names every entry (manifest) and output (blob) a profile's results
 * need. Both directions skip what the other side already holds, so a second
 * push transfers nothing and an interrupted transfer resumes where it stopped.
 *
 * - push: every blob before any manifest, the lock last; a remote that holds a
 *   manifest therefore holds its blob, even after a SIGKILL mid-push.
 * - fetch: into the local store; every blob's sha256 and every manifest's key
 *   (the hash of its preimage) is checked on arrival, and what does not match is
 *   refused, never stored. Nothing that says which run is current changes.
 * - pull: fetch, then point the profile's refs at the locked keys, as a run
 *   would have (so `status --explain` and `diff` compare with the locked runs).
 */
import * as fs from "node:fs/promises"
import { Effect, Result } from "effect"
import { hashValue } from "../engine/index.ts"
import type { LockEntry, ProfileLock, StoreService } from "../engine/index.ts"
import { sha256 } from "../engine/Canonical.ts"
import { decodeManifest, entryDir } from "../engine/Manifest.ts"
import { progress } from "./Progress.ts"
import { blobFile, entryFile, errorText, lockFile, RemoteError } from "./Remote.ts"
import type { Remote } from "./Remote.ts"

export interface Counts {
  readonly blobs: { readonly moved: number; readonly skipped: number; readonly bytes: number }
  readonly entries: { readonly moved: number; readonly skipped: number }
  readonly locks: { readonly moved: number; readonly skipped: number }
}

export interface TransferOptions {
  /** Files in flight at once. */
  readonly jobs: number
}

const remoteError = (remote: Remote, e: unknown) =>
  e instanceof RemoteError ? e : new RemoteError({ remote: remote.name, url: remote.url, message: errorText(e) })

/** A remote call as an Effect failing with RemoteError (naming the remote and its URL). */
export const attempt = <A>(remote: Remote, f: () => Promise<A>) => Effect.tryPromise({ try: f, catch: (e) => remoteError(remote, e) })

const entryKind = (e: LockEntry) => e.type
const manifestFile = (e: LockEntry) => entryFile(entryDir(entryKind(e), e.name), e.key)

/** Each entry once, and each blob once, over all the locks. */
const wanted = (locks: ReadonlyArray<ProfileLock>) => {
  const entries = new Map<string, LockEntry>()
  const blobs = new Map<string, number>()
  for (const lock of locks) {
    for (const e of lock.entries) {
      entries.set(manifestFile(e), e)
      blobs.set(e.output.digest, e.output.bytes)
    }
  }
  return { entries, blobs }
}

/** What the remote holds under `prefix`: listed when it can list, else asked file by file. */
const presence = (remote: Remote, prefix: string, files: ReadonlyArray<string>, jobs: number) =>
  Effect.gen(function*() {
    const listed = yield* attempt(remote, () => remote.list(prefix))
    if (listed !== undefined) return new Set(listed)
    const found = yield* Effect.forEach(files, (f) => attempt(remote, () => remote.has(f)).pipe(Effect.map((h) => (h ? [f] : []))), { concurrency: jobs })
    return new Set(found.flat())
  })

const readLocal = (file: string) => fs.readFile(file).catch((e: NodeJS.ErrnoException) => (e.code === "ENOENT" ? undefined : Promise.reject(e)))

const lockText = (lock: ProfileLock) => fs.readFile(lock.file)

export const push = (store: StoreService, remote: Remote, locks: ReadonlyArray<ProfileLock>, options: TransferOptions) =>
  Effect.gen(function*() {
    if (!remote.writable) return yield* new RemoteError({ remote: remote.name, url: remote.url, message: "is read-only (HTTP): push to a directory or S3 remote" })
    yield* attempt(remote, () => remote.probe(true))
    const { entries, blobs } = wanted(locks)
    // Everything pushed must be whole here first: a push never spreads a hole.
    for (const [file, e] of entries) {
      const local = yield* store.readEntryBytes(e.type, e.name, e.key)
      if (local === undefined) {
        return yield* new RemoteError({ remote: remote.name, url: remote.url, message: `cannot push ${file} (${e.label ?? e.id}): not in the local store ${store.location}; run the profile first` })
      }
      const check = yield* store.checkBlob(e.output.digest)
      if (check !== "ok") return yield* new RemoteError({ remote: remote.name, url: remote.url, message: `cannot push ${blobFile(e.output.digest)}: ${check} in the local store ${store.location}` })
    }
    const haveBlobs = yield* presence(remote, "objects/", [...blobs.keys()].map(blobFile), options.jobs)
    const sendBlobs = [...blobs.keys()].filter((d) => !haveBlobs.has(blobFile(d)))
    const barBlobs = progress(`push ${remote.name} blobs`, sendBlobs.length)
    let bytes = 0
    yield* Effect.forEach(sendBlobs, (digest) =>
      Effect.gen(function*() {
        const data = yield* store.readBlob(digest)
        if (data === undefined || sha256(data) !== digest) return yield* new RemoteError({ remote: remote.name, url: remote.url, message: `local blob ${digest.slice(0, 12)} changed while pushing` })
        yield* attempt(remote, () => remote.put(blobFile(digest), data))
        bytes += data.length
        barBlobs.tick(data.length)
      }), { concurrency: options.jobs, discard: true })
    barBlobs.done()
    const haveEntries = yield* presence(remote, "entries/", [...entries.keys()], options.jobs)
    const sendEntries = [...entries.entries()].filter(([f]) => !haveEntries.has(f))
    const barEntries = progress(`push ${remote.name} entries`, sendEntries.length)
    yield* Effect.forEach(sendEntries, ([file, e]) =>
      Effect.gen(function*() {
        const data = yield* store.readEntryBytes(e.type, e.name, e.key)
        if (data === undefined) return yield* new RemoteError({ remote: remote.name, url: remote.url, message: `local entry ${file} vanished while pushing` })
        yield* attempt(remote, () => remote.put(file, data))
        barEntries.tick(data.length)
      }), { concurrency: options.jobs, discard: true })
    barEntries.done()
    let locksMoved = 0
    for (const lock of locks) {
      const mine = yield* attempt(remote, () => lockText(lock))
      const theirs = yield* attempt(remote, () => remote.get(lockFile(lock.header.profile)))
      if (theirs !== undefined && Buffer.from(theirs).equals(mine)) continue
      yield* attempt(remote, () => remote.put(lockFile(lock.header.profile), mine))
      locksMoved++
    }
    return {
      blobs: { moved: sendBlobs.length, skipped: blobs.size - sendBlobs.length, bytes },
      entries: { moved: sendEntries.length, skipped: entries.size - sendEntries.length },
      locks: { moved: locksMoved, skipped: locks.length - locksMoved }
    } satisfies Counts
  })

/** Why a downloaded manifest is not the locked one, or undefined when it is. */
const manifestProblem = (data: Uint8Array, e: LockEntry): string | undefined => {
  let json: unknown
  try {
    json = JSON.parse(Buffer.from(data).toString("utf8"))
  } catch {
    return "is not JSON"
  }
  const decoded = decodeManifest(json)
  if (Result.isFailure(decoded)) return "is not a grokflow manifest"
  const m = decoded.success
  if (m.key !== e.key || hashValue(m.preimage) !== e.key) return `does not hash to its key ${e.key.slice(0, 12)}`
  if (m.output.digest !== e.output.digest) return `names output ${m.output.digest.slice(0, 12)}, the lock ${e.output.digest.slice(0, 12)}`
  return undefined
}

export const fetchEntries = (store: StoreService, remote: Remote, locks: ReadonlyArray<ProfileLock>, options: TransferOptions) =>
  Effect.gen(function*() {
    yield* attempt(remote, () => remote.probe(false))
    const { entries, blobs } = wanted(locks)
    const needBlobs: Array<string> = []
    for (const digest of blobs.keys()) if ((yield* store.checkBlob(digest)) !== "ok") needBlobs.push(digest)
    const needEntries: Array<[string, LockEntry]> = []
    for (const [file, e] of entries) {
      if ((yield* store.readEntryBytes(e.type, e.name, e.key)) === undefined) needEntries.push([file, e])
    }
    const problems: Array<string> = []
    const failed = new Set<string>()
    const bar = progress(`fetch ${remote.name} blobs`, needBlobs.length)
    let bytes = 0
    yield* Effect.forEach(needBlobs, (digest) =>
      Effect.gen(function*() {
        const data = yield* attempt(remote, () => remote.get(blobFile(digest)))
        if (data === undefined) {
          problems.push(`${blobFile(digest)} is missing on the remote`)
          failed.add(digest)
        } else if (sha256(data) !== digest) {
          problems.push(`${blobFile(digest)} is corrupt on the remote (sha256 ${sha256(data).slice(0, 12)}…): refused, not stored`)
          failed.add(digest)
        } else {
          yield* store.putBlob(data)
          bytes += data.length
        }
        bar.tick(data?.length ?? 0)
      }), { concurrency: options.jobs, discard: true })
    bar.done()
    const barEntries = progress(`fetch ${remote.name} entries`, needEntries.length)
    let moved = 0
    yield* Effect.forEach(needEntries, ([file, e]) =>
      Effect.gen(function*() {
        // A manifest is stored only over its blob, as a run stores it.
        if (failed.has(e.output.digest)) return barEntries.tick(0)
        const data = yield* attempt(remote, () => remote.get(file))
        const problem = data === undefined ? "is missing on the remote" : manifestProblem(data, e)
        if (data === undefined || problem !== undefined) problems.push(`${file} ${problem ?? ""}${data === undefined ? "" : ": refused, not stored"}`)
        else {
          yield* store.writeEntryBytes(e.type, e.name, e.key, data)
          moved++
        }
        barEntries.tick(data?.length ?? 0)
      }), { concurrency: options.jobs, discard: true })
    barEntries.done()
    if (problems.length > 0) {
      const shown = problems.slice(0, 5).join("; ")
      return yield* new RemoteError({ remote: remote.name, url: remote.url, message: `${problems.length} file${problems.length === 1 ? "" : "s"} could not be fetched: ${shown}${problems.length > 5 ? "; …" : ""}` })
    }
    return {
      blobs: { moved: needBlobs.length, skipped: blobs.size - needBlobs.length, bytes },
      entries: { moved, skipped: entries.size - needEntries.length },
      locks: { moved: 0, skipped: 0 }
    } satisfies Counts
  })

/** fetch, then the profile's refs point at the locked keys. */
export const pull = (store: StoreService, remote: Remote, locks: ReadonlyArray<ProfileLock>, options: TransferOptions) =>
  Effect.gen(function*() {
    const counts = yield* fetchEntries(store, remote, locks, options)
    const at = new Date().toISOString()
    for (const lock of locks) {
      for (const e of lock.entries) {
        if (e.type !== "stage") continue
        const ref = yield* store.readRef(lock.header.profile, e.id)
        if (ref?.key !== e.key) yield* store.writeRef(lock.header.profile, e.id, { key: e.key, stage: e.name, at })
      }
    }
    return counts
  })

/** Per lock: how many entries the remote holds whole, and how many this store lacks. */
export const remoteCounts = (store: StoreService, remote: Remote, lock: ProfileLock, options: TransferOptions) =>
  Effect.gen(function*() {
    yield* attempt(remote, () => remote.probe(false))
    const { entries } = wanted([lock])
    const files = [...entries.keys()]
    const blobsThere = yield* presence(remote, "objects/", [...entries.values()].map((e) => blobFile(e.output.digest)), options.jobs)
    const entriesThere = yield* presence(remote, "entries/", files, options.jobs)
    let onRemote = 0
    let local = 0
    for (const [file, e] of entries) {
      if (entriesThere.has(file) && blobsThere.has(blobFile(e.output.digest))) onRemote++
      const here = (yield* store.readEntryBytes(e.type, e.name, e.key)) !== undefined && (yield* store.checkBlob(e.output.digest)) === "ok"
      if (here) local++
    }
    const lockThere = yield* attempt(remote, () => remote.get(lockFile(lock.header.profile)))
    // The lock may itself have come from the remote (none in the tree): then it matches by definition.
    const mine = yield* attempt(remote, () => readLocal(lock.file))
    return { total: entries.size, onRemote, local, lockMatches: lockThere !== undefined && (mine === undefined || Buffer.from(lockThere).equals(mine)), lockThere: lockThere !== undefined }
  })

export const describeCounts = (verb: string, remote: Remote, c: Counts): string =>
  `${verb} ${remote.name} (${remote.url}): ${c.blobs.moved} blobs (${(c.blobs.bytes / 1e6).toFixed(2)} MB), ${c.entries.moved} entries` +
  `${c.locks.moved + c.locks.skipped > 0 ? `, ${c.locks.moved} locks` : ""} transferred; ${c.blobs.skipped} blobs and ${c.entries.skipped} entries already there`
