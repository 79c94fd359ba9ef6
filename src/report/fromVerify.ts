/**
 * Everything the HTML report shows besides the figures, read from the fresh
 * entries of one profile: the verify rows in the report's shape, provenance (which
 * run and entry, which backend and tool versions produced each number), and the
 * weak spots the stages measured.
 */
import { Predicate } from "effect"
import { displayPath } from "../engine/index.ts"
import type { NodeOutput, Plan } from "../engine/index.ts"
import type { RunRecord } from "../engine/RunRecord.ts"
import type { Provenance, ReportInput, ReportRun, VerifyRow } from "./ReportInput.ts"
import type { Claim } from "../verify/Claim.ts"
import { formatMeasured } from "../verify/evaluate.ts"
import type { ClaimRow } from "../verify/evaluate.ts"

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

/**
 * The newest recorded run that computed any of the results shown (a node it ran
 * whose key is the fresh one): later runs computed none of them, so they only
 * reused what it made.
 */
export const producingRun = (runs: ReadonlyArray<RunRecord>, outputs: ReadonlyMap<string, NodeOutput>): { readonly run: ReportRun; readonly computed: ReadonlySet<string> } | undefined => {
  const computedBy = (r: RunRecord) =>
    new Set(r.nodes.filter((n) => n.status === "ran" && n.key !== undefined && outputs.get(n.id)?.key === n.key).map((n) => n.id))
  for (const [index, r] of runs.entries()) {
    const computed = computedBy(r)
    if (computed.size === 0) continue
    return {
      run: { startedAt: r.startedAt, endedAt: r.endedAt, wallSeconds: r.wallSeconds, ran: r.ran, reused: r.reused, cellsTrained: r.cellsTrained, laterRuns: index },
      computed
    }
  }
  return undefined
}

export const provenanceOf = (plan: Plan, outputs: ReadonlyMap<string, NodeOutput>, runs: ReadonlyArray<RunRecord> = []): Provenance => {
  const env = envOf(plan)
  const producer = producingRun(runs, outputs)
  const entries = plan.nodes.flatMap((n) => {
    const o = outputs.get(n.id)
    return o === undefined
      ? []
      : [{
        stage: n.id,
        key: o.key,
        path: displayPath(o.manifestPath),
        ...(producer === undefined ? {} : { cached: !producer.computed.has(n.id) }),
        seconds: o.manifest.timings.seconds
      }]
  })
  const tools = [...outputs.values()][0]?.manifest.tools ?? {}
  return {
    profile: plan.profile.name,
    backend: String(env.backend ?? "—"),
    precision: String(env.precision ?? "float32"),
    versions: { ...tools, ...Object.fromEntries(Object.entries(env).map(([k, v]) => [`env.${k}`, String(v)])) },
    entries,
    ...(producer === undefined ? {} : { run: producer.run }),
    computeSeconds: entries.reduce((s, e) => s + e.seconds, 0),
    generatedAt: new Date().toISOString(),
    host: [...outputs.values()][0]?.manifest.host.hostname ?? ""
  }
}

/** The report's input for one profile, from what `verify` computed and the run records. */
export const reportInputOf = (args: {
  readonly title: string
  readonly plan: Plan
  readonly outputs: ReadonlyMap<string, NodeOutput>
  readonly rows: ReadonlyArray<ClaimRow>
  readonly claims: ReadonlyArray<Claim>
  readonly runs: ReadonlyArray<RunRecord>
  readonly figures: ReportInput["figures"]
  readonly notes: ReadonlyArray<string>
}): ReportInput => ({
  title: args.title,
  verifyRows: args.rows.map((row) => {
    // A claim this profile does not test names the profiles that do; the report folds it.
    const claim = args.claims.find((c) => c.id === row.id)
    const elsewhere = claim !== undefined && claim.tests[args.plan.profile.name] === undefined
    return { ...toVerifyRow(row), ...(elsewhere ? { testedBy: Object.keys(claim.tests).sort() } : {}) }
  }),
  figures: args.figures,
  provenance: provenanceOf(args.plan, args.outputs, args.runs),
  weakSpots: weakSpotsOf(args.outputs),
  notes: args.notes
})

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
