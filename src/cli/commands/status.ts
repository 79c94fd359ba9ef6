/** `grokflow status`: which nodes are fresh, stale (and what changed), pending or never ran; --json for tools. */
import { Effect } from "effect"
import { Command, Flag } from "effect/cli"
import { planPipeline } from "../../engine/index.ts"
import { countStates, nodeViews, noteOf } from "../nodeStates.ts"
import { engineFlags, out, profileFrom, switchFlag, withEngine } from "../Shared.ts"
import { lockedStatus } from "./lockStatus.ts"
import { remoteStatus, statusRemoteFlag } from "./remoteFlags.ts"

const explainFlag = switchFlag("explain", "name every part of each stale key that changed since the node last ran")
const jsonFlag = switchFlag("json", "print the nodes' states as one JSON document (every reason included)")

const lockedFlag = switchFlag("locked", "does the working tree reproduce the profile's lock? which entries would change, and why (exit 1 if any)")
const remoteStatusFlag = switchFlag("remote", "which of the lock's entries the remote (-r NAME, else the default) holds, and which this store lacks")

export const status = Command.make("status", { ...engineFlags, explain: explainFlag, json: jsonFlag, locked: lockedFlag, remote: remoteStatusFlag, remoteName: statusRemoteFlag }, (flags) =>
  withEngine(
    flags,
    Effect.gen(function*() {
      const profile = yield* profileFrom(flags)
      const plan = yield* planPipeline(profile)
      const views = yield* nodeViews(plan)
      const counts = countStates(views)
      if (flags.json) {
        return yield* out(JSON.stringify({ profile: profile.name, file: profile.file, overrides: profile.overrides, counts, nodes: views }, null, 2))
      }
      const width = Math.max(...views.map((v) => v.id.length), 4)
      const lines = [
        `${profile.file}: ${views.length} nodes, ${counts.fresh} fresh, ${counts.stale} stale, ${counts.pending} pending, ${counts["never ran"]} never ran`
      ]
      for (const v of views) lines.push(`  ${v.state.padEnd(9)}  ${v.id.padEnd(width)}  ${noteOf(v)}`.trimEnd())
      if (flags.explain) {
        const explained = views.filter((v) => v.reasons.length > 0)
        if (explained.length > 0) lines.push("")
        for (const v of explained) for (const reason of v.reasons) lines.push(`${v.id}: ${reason}`)
      }
      if (flags.locked) lines.push("", yield* lockedStatus(plan))
      if (flags.remote) lines.push("", yield* remoteStatus(profile, flags.remoteName))
      yield* out(lines.join("\n"))
    })
  )).pipe(Command.withDescription("show which nodes a run would reuse or recompute, and why"))
