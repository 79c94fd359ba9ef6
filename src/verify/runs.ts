/**
 * The runs a profile recorded, read back from its refs (each node's ref keeps
 * its last runs, each tagged with the `grokflow run` that wrote it and that
 * run's `--set` overrides): when each ran, with which overrides, the config
 * values that differ between the runs, and the claims' values after each — the
 * comparison DVC's `exp show` and MLflow's compare view give.
 *
 * The state after a run is, for each node, the entry of its newest ref at or
 * before that run (a `--only` run touches a few nodes; the others keep what they
 * had). Refs written before runs were tagged are grouped by the minute they
 * were written in.
 */
import { Effect } from "effect"
import { Store } from "../engine/index.ts"
import { readRunRecords } from "../engine/RunRecord.ts"
import type { Plan } from "../engine/index.ts"
import type { Claim } from "./Claim.ts"
import { evaluateClaims } from "./evaluate.ts"
import type { ClaimRow } from "./evaluate.ts"
import { snapshotOf } from "./snapshot.ts"

export interface RecordedRun {
  readonly profile: string
  /** The run's id: its start time (or `at-<minute>` for untagged refs). */
  readonly run: string
  /** When its last node landed. */
  readonly at: string
  readonly overrides: ReadonlyArray<string>
  /** The nodes this run ran or reused, with the keys it landed. */
  readonly nodes: Readonly<Record<string, string>>
  /** Config values (`node.field`) that differ between the listed runs, after this run. */
  readonly params: Readonly<Record<string, unknown>>
  /** From the run's start to its end, from its run record; null without one (an interrupted run, an older store). */
  readonly wallSeconds: number | null
  /** Each claim the profile tests, as measured after this run. */
  readonly claims: ReadonlyArray<Pick<ClaimRow, "id" | "measured" | "lower" | "upper" | "status">>
}

interface Landed {
  readonly node: string
  readonly stage: string
  readonly key: string
  readonly at: string
  readonly run: string
  readonly sets: ReadonlyArray<string>
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v)

/** `{ rhos: [1, 1.1], hold: { tInt: 100 } }` → `rhos`, `hold.tInt` (lists are one value). */
const leaves = (value: unknown, at: string, out: Map<string, unknown>): void => {
  if (isRecord(value)) {
    for (const [k, v] of Object.entries(value)) leaves(v, at === "" ? k : `${at}.${k}`, out)
    return
  }
  out.set(at, value)
}

/** The profile's recorded runs, newest first, at most `last` of them. */
export const recordedRuns = Effect.fnUntraced(function*(plan: Plan, claims: ReadonlyArray<Claim>, last: number) {
  const store = yield* Store
  const landed: Array<Landed> = []
  for (const node of plan.nodes) {
    for (const ref of yield* store.readRuns(plan.profile.name, node.id)) {
      landed.push({ node: node.id, stage: ref.stage, key: ref.key, at: ref.at, run: ref.run ?? `at-${ref.at.slice(0, 16)}`, sets: ref.sets ?? [] })
    }
  }
  const byRun = new Map<string, Array<Landed>>()
  for (const l of landed) byRun.set(l.run, [...(byRun.get(l.run) ?? []), l])
  const runs = [...byRun.entries()]
    .map(([run, nodes]) => ({ run, nodes, at: nodes.map((n) => n.at).sort().at(-1)! }))
    .sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0))
    .slice(0, Math.max(1, last))

  const tested = claims.filter((c) => c.tests[plan.profile.name] !== undefined)
  const states: Array<{ readonly r: (typeof runs)[number]; readonly config: Map<string, unknown>; readonly rows: ReadonlyArray<ClaimRow> }> = []
  for (const r of runs) {
    // Each node's newest entry at or before this run.
    const newest = new Map<string, Landed>()
    for (const l of landed) {
      if (l.at > r.at) continue
      const had = newest.get(l.node)
      if (had === undefined || l.at > had.at) newest.set(l.node, l)
    }
    const entries: ReadonlyMap<string, { readonly stage: string; readonly key: string }> = newest
    const config = new Map<string, unknown>()
    for (const [node, e] of entries) {
      const manifest = yield* store.readManifest("stage", e.stage, e.key)
      const preimage = manifest?.preimage as { readonly config?: unknown } | undefined
      leaves(preimage?.config, node, config)
    }
    const snapshot = yield* snapshotOf(plan, entries, r.run, () => false)
    const rows = evaluateClaims(tested, plan.profile.name, snapshot.outputs)
    states.push({ r, config, rows })
  }
  // A run record's start is the run id its refs carry (src/engine/Run.ts).
  const records = yield* readRunRecords(store, plan.profile.name)
  const wall = new Map(records.map((r) => [r.startedAt, r.wallSeconds]))
  const paths = [...new Set(states.flatMap((s) => [...s.config.keys()]))].sort()
  // Configs are stored canonical (sorted keys), so equal values print equal.
  const differing = paths.filter((p) => new Set(states.map((s) => JSON.stringify(s.config.get(p) ?? null))).size > 1)
  return states.map(({ r, config, rows }): RecordedRun => ({
    profile: plan.profile.name,
    run: r.run,
    at: r.at,
    overrides: r.nodes[0]?.sets ?? [],
    nodes: Object.fromEntries(r.nodes.map((n) => [n.node, n.key])),
    params: Object.fromEntries(differing.map((p) => [p, config.get(p) ?? null])),
    wallSeconds: wall.get(r.run) ?? null,
    claims: rows.map((row) => ({ id: row.id, measured: row.measured, lower: row.lower, upper: row.upper, status: row.status }))
  }))
})
