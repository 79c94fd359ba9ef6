/**
 * What push, pull, fetch, `status --remote` and audit share: the -r flag, the
 * concurrency flag, and which locks a command works from (the profile's, else
 * every lock beside the profiles; pull and fetch fall back to the remote's copy
 * when the working tree has none).
 */
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { Effect, Option } from "effect"
import { Command, Flag } from "effect/cli"
import { displayPath, lockPath, parseLock, projectRoot, readLockFile, resolveProfilePath, Store, UsageError } from "../../engine/index.ts"
import type { Profile, ProfileLock, StoreService } from "../../engine/index.ts"
import { selectRemote } from "../../remote/Config.ts"
import { lockFile } from "../../remote/Remote.ts"
import type { Remote } from "../../remote/Remote.ts"
import { attempt, describeCounts, remoteCounts } from "../../remote/Transfer.ts"
import type { Counts, TransferOptions } from "../../remote/Transfer.ts"
import { backendFlag, cacheDirFlag, out, withEngine } from "../Shared.ts"

export const remoteFlag = Flag.String("remote").pipe(
  Flag.withAlias("r"),
  Flag.withDescription("remote name (pipeline/remotes.yaml); default: its `default:`, else the only one"),
  Flag.optional
)

/** For `status`, whose `--remote` is the question itself: the name goes with -r (or --remote-name). */
export const statusRemoteFlag = Flag.String("remote-name").pipe(
  Flag.withAlias("r"),
  Flag.withDescription("with --remote: which remote (default: the configured default)"),
  Flag.optional
)

export const transferJobsFlag = Flag.Int("jobs").pipe(
  Flag.withAlias("j"),
  Flag.withDescription("files in flight at once (default 8)"),
  Flag.withDefault(8)
)

export const lockProfileFlag = Flag.String("profile").pipe(
  Flag.withAlias("p"),
  Flag.withDescription("the profile whose lock to transfer (name or path); default: every pipeline/*.lock (pull, fetch: every lock the remote holds)"),
  Flag.optional
)

/** The project folder: profiles, locks and remotes.yaml are found from it. */
export const projectDir = (): string => projectRoot()

export const openSelected = (name: Option.Option<string>) => selectRemote(projectDir(), Option.getOrUndefined(name))

const lockOfProfile = (nameOrPath: string) => lockPath({ path: resolveProfilePath(nameOrPath, projectDir()) })

const remoteLock = (remote: Remote, profile: string) =>
  Effect.gen(function*() {
    const bytes = yield* attempt(remote, () => remote.get(lockFile(profile)))
    return bytes === undefined ? undefined : yield* parseLock(`${remote.url}/${lockFile(profile)}`, Buffer.from(bytes).toString("utf8"))
  })

/**
 * The locks a transfer works from. `fromRemote`: when the tree has no lock for
 * the profile (or none at all), the remote's copies (pull and fetch).
 */
export const locksFor = (profile: Option.Option<string>, remote: Remote | undefined) =>
  Effect.gen(function*() {
    if (Option.isSome(profile)) {
      const file = lockOfProfile(profile.value)
      const local = yield* readLockFile(file)
      if (local !== undefined) return [local]
      const name = path.basename(file).replace(/\.lock$/, "")
      const theirs = remote === undefined ? undefined : yield* remoteLock(remote, name)
      if (theirs !== undefined) return [theirs]
      return yield* new UsageError({
        message: `no lock for profile ${profile.value}: ${displayPath(file)} does not exist${remote === undefined ? "" : ` and remote ${remote.name} has no ${lockFile(name)}`} (grokflow run --profile ${profile.value} writes it)`
      })
    }
    const dir = path.join(projectDir(), "pipeline")
    const locks: Array<ProfileLock> = []
    // From a remote that can list, the profiles it holds (the tree's lock preferred, as with --profile).
    const listed = remote === undefined
      ? undefined
      : yield* attempt(remote, () => remote.list("locks/"))
    if (remote !== undefined && listed !== undefined) {
      for (const f of listed.filter((f) => f.endsWith(".lock"))) {
        const name = path.posix.basename(f).replace(/\.lock$/, "")
        const lock = (yield* readLockFile(path.join(dir, `${name}.lock`))) ?? (yield* remoteLock(remote, name))
        if (lock !== undefined) locks.push(lock)
      }
      if (locks.length === 0) return yield* new UsageError({ message: `remote ${remote.name} (${remote.url}) holds no locks yet (grokflow push --profile P sends one)` })
      return locks
    }
    const names = (yield* Effect.promise(() => fs.readdir(dir).catch(() => [] as Array<string>))).filter((f) => f.endsWith(".lock")).sort()
    for (const f of names) {
      const lock = yield* readLockFile(path.join(dir, f))
      if (lock !== undefined) locks.push(lock)
    }
    if (locks.length === 0) return yield* new UsageError({ message: `no lock files in ${path.relative(projectDir(), dir) || "."}/ (grokflow run --profile P writes pipeline/P.lock)` })
    return locks
  })

/** `status --remote`: the lock's entries on the remote and here. */
export const remoteStatus = (profile: Profile, name: Option.Option<string>) =>
  Effect.gen(function*() {
    const store = yield* Store
    const remote = yield* openSelected(name)
    yield* attempt(remote, () => remote.probe(false))
    const [lock] = yield* locksFor(Option.some(profile.path), remote)
    const c = yield* remoteCounts(store, remote, lock!, { jobs: 8 })
    const lockNote = !c.lockThere ? "has no copy of the lock" : c.lockMatches ? "holds this lock" : "holds a different lock (grokflow push updates it)"
    return [
      `remote ${remote.name} (${remote.url}) ${lockNote}: ${c.onRemote} of ${c.total} locked entries there${c.onRemote < c.total ? " (grokflow push sends the rest)" : ""}`,
      `this store holds ${c.local} of ${c.total}${c.local < c.total ? ` (grokflow pull -r ${remote.name} --profile ${profile.name} fetches the rest)` : ""}`
    ].join("\n")
  })

type Transfer<E> = (store: StoreService, remote: Remote, locks: ReadonlyArray<ProfileLock>, options: TransferOptions) => Effect.Effect<Counts, E>

/**
 * push, pull and fetch: one shape — a remote, the locks, a transfer, its counts.
 * `fromRemote`: whether the remote's copy of a lock may stand in for a missing one.
 */
export const transferCommand = <E>(name: "push" | "pull" | "fetch", description: string, transfer: Transfer<E>, fromRemote: boolean) =>
  Command.make(
    name,
    { cacheDir: cacheDirFlag, backend: backendFlag, remote: remoteFlag, profile: lockProfileFlag, jobs: transferJobsFlag },
    (flags) =>
      withEngine(
        flags,
        Effect.gen(function*() {
          const remote = yield* openSelected(flags.remote)
          // Unreachable is said first, naming the URL, before anything is read from the remote.
          yield* attempt(remote, () => remote.probe(name === "push"))
          const locks = yield* locksFor(flags.profile, fromRemote ? remote : undefined)
          const counts = yield* transfer(yield* Store, remote, locks, { jobs: Math.max(1, flags.jobs) })
          yield* out(describeCounts(name, remote, counts))
        })
      )
  ).pipe(Command.withDescription(description))
