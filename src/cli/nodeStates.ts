/**
 * Each node's state as `status` and `show` word it: fresh; never ran (no entry of
 * it exists at all); stale, with what changed since it last ran; or pending, when
 * an upstream will rerun first and its key is not known yet. "Stale" is kept for
 * nodes that ran before: a node that never ran is not out of date, it is missing.
 */
import { Effect } from "effect"
import { displayPath, explainPlan } from "../engine/index.ts"
import type { Plan, PlannedNode } from "../engine/index.ts"

export type NodeState = "fresh" | "stale" | "pending" | "never ran"

export interface NodeView {
  readonly id: string
  readonly stage: string
  readonly state: NodeState
  /** Known unless pending. */
  readonly key: string | undefined
  /** The fresh entry's manifest, as printed (relative to the project or absolute). */
  readonly entry: string | undefined
  /** Upstream nodes that rerun first (pending nodes). */
  readonly after: ReadonlyArray<string>
  /** What changed since its last run (stale), or why it is not fresh. */
  readonly reasons: ReadonlyArray<string>
}

const upstreamOf = (n: PlannedNode): ReadonlyArray<string> => [...new Set(n.unknownInputs.map((i) => n.node.inputs.find((x) => x.name === i)?.node ?? i))]

export const nodeViews = Effect.fnUntraced(function*(plan: Plan) {
  const explained = new Map((yield* explainPlan(plan)).map((e) => [e.id, e]))
  return plan.nodes.map((n): NodeView => {
    const e = explained.get(n.id)
    const state: NodeState = n.status === "fresh" ? "fresh" : e?.neverRan === true ? "never ran" : n.status
    return {
      id: n.id,
      stage: n.stage,
      state,
      key: n.key,
      entry: n.manifestPath === undefined ? undefined : displayPath(n.manifestPath),
      after: n.status === "pending" ? upstreamOf(n) : [],
      reasons: e === undefined || e.neverRan ? [] : e.reasons
    }
  })
})

/** The one-line note beside a node: its key, what changed first, or what it waits for. */
export const noteOf = (v: NodeView): string => {
  if (v.state === "fresh") return v.key?.slice(0, 12) ?? ""
  const after = v.after.length > 0 ? `after ${v.after.join(", ")}` : ""
  if (v.state === "never ran" || v.state === "pending") return after
  const first = v.reasons[0] ?? ""
  return v.reasons.length > 1 ? `${first} (+${v.reasons.length - 1} more; --explain)` : first
}

export const countStates = (views: ReadonlyArray<NodeView>): Record<NodeState, number> => {
  const counts: Record<NodeState, number> = { fresh: 0, stale: 0, pending: 0, "never ran": 0 }
  for (const v of views) counts[v.state]++
  return counts
}
