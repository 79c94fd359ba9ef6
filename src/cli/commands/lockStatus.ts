/**
 * `grokflow status --locked`: does the working tree reproduce the profile's lock?
 * Each locked stage is compared by key with today's plan, each locked cell by its
 * key recomputed under today's code and environment; what would change is listed
 * with why (grouped, for cells: one code edit moves hundreds of them alike).
 * Exit 1 when anything would change, so a script can ask.
 */
import { Effect } from "effect"
import { cellDrift, displayPath, nodeDrift, readLock, UsageError } from "../../engine/index.ts"
import type { Plan } from "../../engine/index.ts"
import { setExitCode } from "../Shared.ts"

export const lockedStatus = Effect.fnUntraced(function*(plan: Plan) {
  const lock = yield* readLock(plan.profile)
  if (lock === undefined) {
    return yield* new UsageError({ message: `${plan.profile.file}: no lock beside it yet (grokflow run --profile ${plan.profile.name} writes one)` })
  }
  const nodes = yield* nodeDrift(plan, lock)
  const cells = yield* cellDrift(plan.profile, lock)
  const lockedStages = nodes.filter((n) => n.locked !== undefined)
  const lines: Array<string> = []
  for (const n of lockedStages) {
    if (n.matchesLock) lines.push(`  reproduces  ${n.id}`)
    else if (n.status === "pending") lines.push(`  unknown     ${n.id}: ${n.reasons.join("; ")} (its key is known once its inputs exist)`)
    else lines.push(`  changes     ${n.id}: ${n.lockReasons.join("; ")}`)
  }
  for (const n of nodes.filter((n) => n.locked === undefined)) lines.push(`  not locked  ${n.id}`)
  const inProfile = new Set(plan.nodes.map((n) => n.id))
  for (const e of lock.entries.filter((e) => e.type === "stage" && !inProfile.has(e.id))) lines.push(`  removed     ${e.id} (no longer in ${plan.profile.file})`)
  const moved = cells.filter((c) => c.key !== c.entry.key)
  const byReason = new Map<string, number>()
  for (const c of moved) {
    const why = c.reasons.join("; ") || "key differs"
    byReason.set(why, (byReason.get(why) ?? 0) + 1)
  }
  for (const [why, count] of byReason) lines.push(`  changes     ${count} cell${count === 1 ? "" : "s"}: ${why}`)
  const stagesOk = lockedStages.filter((n) => n.matchesLock).length
  const ok = stagesOk === lockedStages.length && moved.length === 0 && lines.every((l) => !l.includes("removed"))
  const head = `${displayPath(lock.file)} (numerics ${lock.header.numerics}): the working tree ${ok ? "reproduces" : "does not reproduce"} it — ` +
    `${stagesOk} of ${lockedStages.length} stages, ${cells.length - moved.length} of ${cells.length} cells keep their locked keys`
  if (!ok) setExitCode(1)
  return [head, ...lines].join("\n")
})
