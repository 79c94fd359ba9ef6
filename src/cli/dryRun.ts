/** What `run --dry-run` prints: the plan (run vs reuse), each node's cost, the expected wall time here, and with --runners the makespan. */
import * as os from "node:os"
import { selectNodes } from "../engine/index.ts"
import type { Plan } from "../engine/index.ts"
import { makespan, placedMakespan } from "../executor/cluster/Makespan.ts"
import { SHARDS_PER_GROUP } from "../executor/cluster/ShardCount.ts"
import type { Makespan, PathStep } from "../executor/cluster/Makespan.ts"
import { CALIBRATION_FILE } from "../planning/calibration.ts"
import { fmtHours } from "../planning/estimate.ts"
import type { PlanModel, UnitCost } from "../planning/estimate.ts"
import { planProfile } from "../planning/profilePlan.ts"

const step = (s: PathStep): string => `${s.node} "${s.label}" (${s.seeds}, ${fmtHours(s.hours)})`

/** The critical path, as its named units (long chains elided in the middle). */
export const renderCritical = (m: Makespan, what = "critical path"): string => {
  const steps = m.critical.length > 6 ? [...m.critical.slice(0, 2).map(step), `… ${m.critical.length - 4} more …`, ...m.critical.slice(-2).map(step)] : m.critical.map(step)
  return `${what} ${fmtHours(m.criticalHours)}: ${steps.join(" → ")}`
}

export interface DryRunOptions {
  readonly only?: ReadonlyArray<string> | undefined
  readonly runners?: { readonly count: number; readonly workers: number } | undefined
  readonly splitSeeds?: boolean
  /** This machine's workers, for the expected wall time of a local run. */
  readonly localWorkers: number
  readonly model: PlanModel
}

export const renderDryRun = (plan: Plan, options: DryRunOptions): string => {
  const { model } = options
  const selected = new Set(selectNodes(plan.profile, options.only).map((n) => n.id))
  const toRun = plan.nodes.filter((n) => selected.has(n.id) && n.status !== "fresh").map((n) => n.id)
  const planned = planProfile(plan.profile, model, { nodes: toRun })
  const byNode = new Map(planned.nodes.map((n) => [n.node, n]))
  const overrides = plan.profile.overrides.length ? ` (with ${plan.profile.overrides.map((s) => `--set ${s}`).join(" ")})` : ""
  const lines = [`plan for ${plan.profile.file}${overrides}:`]
  const width = Math.max(...plan.nodes.map((n) => n.id.length))
  // Stages that list no units (test fixtures) count at their own bound.
  let unlisted = 0
  let unlistedSteps = 0
  for (const node of plan.nodes) {
    if (!selected.has(node.id)) continue
    const what = node.status === "fresh" ? "reuse" : node.status === "stale" ? "run" : "run unless upstream output is unchanged"
    const est = byNode.get(node.id)
    if (est?.problem !== undefined) lines.push(`  ${node.id.padEnd(width)}  (estimate failed: ${est.problem})`)
    const e = est?.estimate
    let detail = ""
    if (e !== undefined && e.units === undefined) {
      unlisted += e.cells
      unlistedSteps += e.cells * e.seeds * e.steps
      detail = `  ${e.description || `${e.cells} cells x ${e.seeds} seeds x ${e.steps} steps`}${e.hours === undefined ? "" : ` (~${fmtHours(e.hours)})`}`
    } else if (e !== undefined) {
      const sum = (f: (c: UnitCost) => number) => fmtHours(est!.costs.reduce((a, c) => a + f(c), 0))
      detail = `  ${e.cells} cells × ≤${e.seeds} seeds × ≤${e.steps} steps: expected ≈ ${sum((c) => c.hours)} of worker time, at most ${sum((c) => c.boundHours)}`
    }
    lines.push(`  ${node.id.padEnd(width)}  ${what}${detail}`)
  }
  const expected = planned.cells.reduce((a, c) => a + c.hours, 0)
  const bound = planned.cells.reduce((a, c) => a + c.boundHours, 0)
  const cells = planned.cells.length + unlisted
  const seedSteps = planned.cells.reduce((a, c) => a + c.seeds * c.budget, 0) + unlistedSteps
  const shared = planned.shared > 0 ? ` (${planned.shared} more requests share them)` : ""
  const budget = cells > 0 ? `; at most ${cells} cells${shared}, ${(seedSteps / 1e6).toFixed(2)}M seed-steps` : ""
  lines.push(`${toRun.length} to run, ${selected.size - toRun.length} to reuse${budget}${
    planned.cells.length > 0 ? `: expected ≈ ${fmtHours(expected)} of worker time, at most ${fmtHours(bound)} (cells already in the store take no time)` : ""
  }`)
  if (planned.cells.length === 0) return lines.join("\n")
  lines.push(
    model.source === "default"
      ? `model: the documented defaults (docs/planning.md); no ${CALIBRATION_FILE} — run \`grokflow plan calibrate\` after a measured run`
      : `model: ${model.source}`
  )
  const here = os.cpus()[0]?.model.trim()
  if (model.cpu !== undefined && here !== undefined && model.cpu !== here) {
    lines.push(`note: calibrated on ${model.cpu}, and this machine is ${here}: its times scale with the speed difference (\`grokflow plan calibrate\` after a run here)`)
  }
  const units = [...planned.cells, ...planned.bodies]
  const local = makespan(units, 1, options.localWorkers, options.splitSeeds, "fifo")
  lines.push(`here (${options.localWorkers} workers${options.splitSeeds ? ", seed shards" : ""}): expected wall ≈ ${fmtHours(local.hours)}`)
  if (options.runners !== undefined) {
    const r = options.runners
    const m = makespan(units, r.count, r.workers, options.splitSeeds)
    lines.push(`on ${r.count} runner${r.count === 1 ? "" : "s"} x ${r.workers} workers: expected makespan ≈ ${fmtHours(m.hours)} (${m.units} ${m.unit} units over ${m.slots} workers, longest chain first)`)
    const placed = placedMakespan(units, r.count, r.workers, SHARDS_PER_GROUP, options.splitSeeds)
    lines.push(
      `placed by key hash as the cluster places them (${SHARDS_PER_GROUP} shards${placed.busyRunners < r.count ? `, so ${r.count - placed.busyRunners} runners idle` : ""}): ` +
        `≈ ${fmtHours(placed.median)}, ${fmtHours(placed.p90)} in 9 of 10 placements (${placed.placements} drawn)`
    )
    lines.push(`${renderCritical(m)}; no number of runners finishes sooner`)
    // Every seed to its budget: what no T_grok model can make longer.
    const atBudget = [
      ...planned.cells.map((c) => ({ ...c, hours: c.boundHours, shards: c.shards.map((x) => ({ ...x, hours: c.boundHours / c.seeds, extensionHours: 0 })) })),
      ...planned.bodies
    ]
    const b = makespan(atBudget, r.count, r.workers, options.splitSeeds)
    lines.push(`at most ${fmtHours(b.hours)} if every seed trains to its budget; ${renderCritical(b, "its critical path")}`)
  }
  return lines.join("\n")
}
