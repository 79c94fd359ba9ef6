/**
 * The stored outputs of a profile's fresh nodes, each with the manifest it came
 * from: what `verify` compares and what `report` draws. Stale and pending nodes are
 * absent (their claims show NOT RUN), never read from an older entry.
 */
import { Effect } from "effect"
import { displayPath, readNodeOutput } from "../engine/index.ts"
import type { NodeOutput, Plan } from "../engine/index.ts"
import type { NodeOutputs } from "./evaluate.ts"

export const freshOutputs = (plan: Plan) =>
  Effect.map(
    Effect.forEach(
      plan.nodes.filter((n) => n.status === "fresh"),
      (n) => Effect.option(readNodeOutput(n)),
      { concurrency: 8 }
    ),
    (found): ReadonlyMap<string, NodeOutput> =>
      new Map(found.flatMap((o) => (o._tag === "Some" ? [[o.value.node, o.value] as const] : [])))
  )

export const asNodeOutputs = (plan: Plan, outputs: ReadonlyMap<string, NodeOutput>): NodeOutputs => ({
  nodes: new Set(plan.nodes.map((n) => n.id)),
  output: (node) => outputs.get(node)?.output,
  source: (node) => {
    const manifest = outputs.get(node)?.manifestPath
    return manifest === undefined ? null : displayPath(manifest)
  }
})
