/**
 * Why a claim the profile tests was not measured. A verify that passes on nothing
 * checks nothing, so every such claim fails the command, and its row says why:
 * the nodes it waits on, each with what moved its key — against the profile's
 * lock when the lock holds the node, else against the node's last run.
 */
import type { NodeDrift, Plan } from "../engine/index.ts"
import { rootCauses } from "../engine/index.ts"
import type { Claim } from "./Claim.ts"
import type { ClaimRow } from "./evaluate.ts"
import { splitMeasure } from "./measuredValue.ts"

export const nodeOfClaim = (claim: Claim): string => splitMeasure(claim.measure).node

/** Whether the profile tests the claim (a NOT RUN row of an untested claim is only information). */
export const isTested = (claim: Claim, profile: string): boolean => claim.tests[profile] !== undefined

/** The rows with each tested NOT RUN claim's reason spelled out. */
export const explainNotRun = (
  plan: Plan,
  claims: ReadonlyArray<Claim>,
  rows: ReadonlyArray<ClaimRow>,
  drift: ReadonlyArray<NodeDrift>
): Array<ClaimRow> => {
  const byId = new Map(drift.map((d) => [d.id, d]))
  const claimOf = new Map(claims.map((c) => [c.id, c]))
  return rows.map((row) => {
    const claim = claimOf.get(row.id)
    if (row.status !== "NOT RUN" || claim === undefined || !isTested(claim, plan.profile.name)) return row
    const node = nodeOfClaim(claim)
    if (!plan.byId.has(node)) return row
    const causes = rootCauses(plan, node)
    if (causes.length === 0) return row
    const explained = causes.map((id) => `${id}: ${(byId.get(id)?.reasons ?? ["not fresh"]).join("; ")}`)
    const waits = causes.length === 1 && causes[0] === node ? "" : `${node} waits on ${causes.join(", ")}; `
    return { ...row, reason: `${waits}${explained.join(" | ")}` }
  })
}

/** Tested claims that were not measured. */
export const missingRows = (claims: ReadonlyArray<Claim>, rows: ReadonlyArray<ClaimRow>, profile: string): Array<ClaimRow> => {
  const tested = new Set(claims.filter((c) => isTested(c, profile)).map((c) => c.id))
  return rows.filter((r) => r.status === "NOT RUN" && tested.has(r.id))
}
