/** `grokflow pull`: fetch, then the profile's refs point at the locked runs. */
import { Effect } from "effect"
import { Command } from "effect/cli"
import { Store } from "../../engine/index.ts"
import { describeCounts, pull as pullFrom } from "../../remote/Transfer.ts"
import { backendFlag, cacheDirFlag, out, withEngine } from "../Shared.ts"
import { lockProfileFlag, locksFor, openSelected, remoteFlag, transferJobsFlag } from "./remoteFlags.ts"

export const pull = Command.make(
  "pull",
  { cacheDir: cacheDirFlag, backend: backendFlag, remote: remoteFlag, profile: lockProfileFlag, jobs: transferJobsFlag },
  (flags) =>
    withEngine(
      flags,
      Effect.gen(function*() {
        const remote = yield* openSelected(flags.remote)
        const locks = yield* locksFor(flags.profile, remote)
        const counts = yield* pullFrom(yield* Store, remote, locks, { jobs: Math.max(1, flags.jobs) })
        yield* out(describeCounts("pull", remote, counts))
      })
    )
).pipe(Command.withDescription("fetch the lock's entries from a remote (digests checked) and make them this profile's current runs"))
