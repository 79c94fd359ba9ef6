/** `grokflow status`: which nodes are fresh, stale or pending, and with --explain why. */
import { Effect } from "effect"
import { Command, Flag } from "effect/cli"
import { explainPlan, planPipeline } from "../../engine/index.ts"
import { engineFlags, out, profileFrom, withEngine } from "../Shared.ts"
import { lockedStatus } from "./lockStatus.ts"
import { remoteStatus, statusRemoteFlag } from "./remoteFlags.ts"

const explainFlag = Flag.Boolean("explain").pipe(
  Flag.withDescription("name the part of each stale key that changed since the node last ran"),
  Flag.withDefault(false)
)

const lockedFlag = Flag.Boolean("locked").pipe(
  Flag.withDescription("does the working tree reproduce the profile's lock? which entries would change, and why (exit 1 if any)"),
  Flag.withDefault(false)
)
const remoteStatusFlag = Flag.Boolean("remote").pipe(
  Flag.withDescription("which of the lock's entries the remote (-r NAME, else the default) holds, and which this store lacks"),
  Flag.withDefault(false)
)

export const status = Command.make("status", { ...engineFlags, explain: explainFlag, locked: lockedFlag, remote: remoteStatusFlag, remoteName: statusRemoteFlag }, (flags) =>
  withEngine(
    flags,
    Effect.gen(function*() {
      const profile = yield* profileFrom(flags)
      const plan = yield* planPipeline(profile)
      const width = Math.max(...plan.nodes.map((n) => n.id.length), 4)
      const counts = { fresh: 0, stale: 0, pending: 0 }
      for (const n of plan.nodes) counts[n.status]++
      const lines = [
        `${profile.file}: ${plan.nodes.length} nodes, ${counts.fresh} fresh, ${counts.stale} stale, ${counts.pending} pending`
      ]
      for (const n of plan.nodes) {
        const note = n.status === "fresh"
          ? n.key!.slice(0, 12)
          : n.status === "pending"
          ? `after ${[...new Set(n.unknownInputs.map((i) => n.node.inputs.find((x) => x.name === i)?.node ?? i))].join(", ")}`
          : n.problem ?? ""
        lines.push(`  ${n.status.padEnd(7)}  ${n.id.padEnd(width)}  ${note}`.trimEnd())
      }
      if (flags.explain) {
        const explanations = yield* explainPlan(plan)
        if (explanations.length > 0) lines.push("")
        for (const e of explanations) for (const reason of e.reasons) lines.push(`${e.id}: ${reason}`)
      }
      if (flags.locked) lines.push("", yield* lockedStatus(plan))
      if (flags.remote) lines.push("", yield* remoteStatus(profile, flags.remoteName))
      yield* out(lines.join("\n"))
    })
  )).pipe(Command.withDescription("show which nodes a run would reuse or recompute"))

