/** `grokflow status`: which nodes are fresh, stale or pending, and with --explain why. */
import { Effect } from "effect"
import { Command, Flag } from "effect/cli"
import { explainPlan, planPipeline } from "../../engine/index.ts"
import { engineFlags, out, profileFrom, withEngine } from "../Shared.ts"

const explainFlag = Flag.Boolean("explain").pipe(
  Flag.withDescription("name the part of each stale key that changed since the node last ran"),
  Flag.withDefault(false)
)

export const status = Command.make("status", { ...engineFlags, explain: explainFlag }, (flags) =>
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
      yield* out(lines.join("\n"))
    })
  )).pipe(Command.withDescription("show which nodes a run would reuse or recompute"))

