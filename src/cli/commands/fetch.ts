/** `grokflow fetch`: a lock's entries from a remote into the local store, changing no ref (pull.ts also points refs). */
import { Effect } from "effect"
import { Command } from "effect/cli"
import { Store } from "../../engine/index.ts"
import { describeCounts, fetchEntries } from "../../remote/Transfer.ts"
import { backendFlag, cacheDirFlag, out, withEngine } from "../Shared.ts"
import { lockProfileFlag, locksFor, openSelected, remoteFlag, transferJobsFlag } from "./remoteFlags.ts"

export const fetch = Command.make(
  "fetch",
  { cacheDir: cacheDirFlag, backend: backendFlag, remote: remoteFlag, profile: lockProfileFlag, jobs: transferJobsFlag },
  (flags) =>
    withEngine(
      flags,
      Effect.gen(function*() {
        const remote = yield* openSelected(flags.remote)
        const locks = yield* locksFor(flags.profile, remote)
        const counts = yield* fetchEntries(yield* Store, remote, locks, { jobs: Math.max(1, flags.jobs) })
        yield* out(describeCounts("fetch", remote, counts))
      })
    )
).pipe(Command.withDescription("download what the lock names into the local store, checking every digest; changes no ref"))
