/**
 * Everything the HTML report shows besides the figures, read from the fresh
 * entries of one profile: the verify rows in the report's shape, provenance (which
 * entry, which backend and tool versions produced each number), and the weak spots
 * the stages measured.
 */
import { Predicate } from "effect"
import { displayPath } from "../engine/index.ts"
import type { NodeOutput, Plan } from "../engine/index.ts"
import type { Provenance, VerifyRow } from "../figures/index.ts"
import { formatMeasured } from "./evaluate.ts"
import type { ClaimRow } from "./evaluate.ts"

export const toVerifyRow = (row: ClaimRow): VerifyRow => ({
  id: row.id,
  paper: row.paper,
  description: row.description,
  paperValue: row.paperValue,
  measured: row.measured === null ? null : formatMeasured(row).replace(/ \[.*$/, ""),
  ci: row.lower === null || row.upper === null ? null : formatMeasured(row).replace(/^[^[]*/, ""),
  tolerance: row.tolerance || "—",
  status: row.status,
  ...(row.source === null ? {} : { source: row.source })
})

const envOf = (plan: Plan): Readonly<Record<string, unknown>> =>
  plan.nodes.map((n) => n.preimage.env).find((env) => Object.keys(env).length > 0) ?? {}

export const provenanceOf = (plan: Plan, outputs: ReadonlyMap<string, NodeOutput>): Provenance => {
  const env = envOf(plan)
  const entries = plan.nodes.flatMap((n) => {
    const o = outputs.get(n.id)
    return o === undefined
      ? []
      : [{ stage: n.id, key: o.key, path: displayPath(o.manifestPath), cached: true, wallSeconds: o.manifest.timings.seconds }]
  })
  const tools = [...outputs.values()][0]?.manifest.tools ?? {}
  return {
    profile: plan.profile.name,
    backend: String(env.backend ?? "—"),
    precision: String(env.precision ?? "float32"),
    versions: { ...tools, ...Object.fromEntries(Object.entries(env).map(([k, v]) => [`env.${k}`, String(v)])) },
    entries,
    wallSeconds: entries.reduce((s, e) => s + e.wallSeconds, 0),
    generatedAt: new Date().toISOString(),
    host: [...outputs.values()][0]?.manifest.host.hostname ?? ""
  }
}

/** Weak spots measured by any stage (outputs with a `weakSpots: [{text}]` list). */
export const weakSpotsOf = (outputs: ReadonlyMap<string, NodeOutput>): Array<string> =>
  [...outputs.values()].flatMap((o) => {
    const spots = Predicate.isObject(o.output) ? (o.output as { readonly weakSpots?: unknown }).weakSpots : undefined
    return Array.isArray(spots)
      ? spots.flatMap((s: unknown) =>
        Predicate.isObject(s) && typeof (s as { text?: unknown }).text === "string" ? [`${(s as { text: string }).text} (${o.node})`] : []
      )
      : []
  })
