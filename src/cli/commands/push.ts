/** `grokflow push`: the lock's entries and outputs from the local store to a remote. */
import { Effect } from "effect"
import { Command } from "effect/cli"
import { Store } from "../../engine/index.ts"
import { describeCounts, push as pushTo } from "../../remote/Transfer.ts"
import { backendFlag, cacheDirFlag, out, withEngine } from "../Shared.ts"
import { lockProfileFlag, locksFor, openSelected, remoteFlag, transferJobsFlag } from "./remoteFlags.ts"

export const push = Command.make(
  "push",
  { cacheDir: cacheDirFlag, backend: backendFlag, remote: remoteFlag, profile: lockProfileFlag, jobs: transferJobsFlag },
  (flags) =>
    withEngine(
      flags,
      Effect.gen(function*() {
        const remote = yield* openSelected(flags.remote)
        const locks = yield* locksFor(flags.profile, undefined)
        const counts = yield* pushTo(yield* Store, remote, locks, { jobs: Math.max(1, flags.jobs) })
        yield* out(describeCounts("push", remote, counts))
      })
    )
).pipe(Command.withDescription("send what the profile's lock names (blobs, then manifests, then the lock) to a remote; skips what it holds"))
