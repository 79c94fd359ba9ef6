/**
 * A profile's training as the planner sees it: every unit its nodes' estimates
 * list, priced (estimate.ts), with one entry per distinct cell — a cell two nodes
 * request (the sustained ρ = 1 cell of a sweep and of its projection control, a
 * variant's free control and measure-wc's) trains once — and the order the units
 * can run in: after the cell a held cell's target comes from, and after every
 * cell of the nodes upstream.
 */
import { canonicalJson } from "../engine/Canonical.ts"
import type { Estimate, PlannedUnit } from "../engine/Stage.ts"
import type { Profile, ProfileNode } from "../engine/Profile.ts"
import type { PlannedCellCost } from "../executor/cluster/Makespan.ts"
import { unitCost } from "./estimate.ts"
import type { PlanModel, UnitCost } from "./estimate.ts"

export interface NodeEstimate {
  readonly node: string
  readonly estimate: Estimate | undefined
  /** Set when the stage's estimate threw. */
  readonly problem?: string
  /** Its units, priced (empty without units). */
  readonly costs: ReadonlyArray<UnitCost>
}

export interface ProfilePlan {
  readonly nodes: ReadonlyArray<NodeEstimate>
  /** Distinct cells, in dependency order. */
  readonly cells: ReadonlyArray<PlannedCellCost & { readonly boundHours: number; readonly budget: number; readonly nodes: ReadonlyArray<string> }>
  /** The stages that train nothing, as units of their measured length (calibration.ts). */
  readonly bodies: ReadonlyArray<PlannedCellCost>
  /** Requests answered by a cell another node also requests. */
  readonly shared: number
}

/** `config`: the node's decoded config (default: the profile's). */
export const nodeEstimate = (node: ProfileNode, model: PlanModel, config: unknown = node.config): NodeEstimate => {
  const stage = node.stage.stage
  if (stage.estimate === undefined) return { node: node.id, estimate: undefined, costs: [] }
  try {
    const estimate = stage.estimate(config as never)
    return { node: node.id, estimate, costs: (estimate.units ?? []).map((u) => unitCost(model, u)) }
  } catch (e) {
    return { node: node.id, estimate: undefined, problem: e instanceof Error ? e.message : String(e), costs: [] }
  }
}

/**
 * A held unit's target is a placeholder, so two units with one payload are one
 * cell when their targets are equal: a target is ρ times the critical norm of the
 * same free configuration (measure-wc's, or a variant's own free cell of that
 * configuration), and training is deterministic, so in practice they are.
 */
const identity = (unit: PlannedUnit): string => canonicalJson({ kind: unit.kind, payload: unit.payload })

/**
 * Plans the given nodes (all of the profile's by default). Nodes outside the
 * selection are taken as done; `skip` drops cells by label (those already stored).
 */
export const planProfile = (
  profile: Profile,
  model: PlanModel,
  options: {
    readonly nodes?: ReadonlyArray<string>
    readonly skip?: ReadonlySet<string>
    /** Decoded configs to plan instead of the profile's, by node (a run's own, from its entries). */
    readonly configs?: ReadonlyMap<string, unknown>
  } = {}
): ProfilePlan => {
  const selected = new Set(options.nodes ?? profile.nodes.map((n) => n.id))
  const nodes: Array<NodeEstimate> = []
  const cells: Array<PlannedCellCost & { boundHours: number; budget: number; nodes: Array<string> }> = []
  const bodies: Array<PlannedCellCost> = []
  const byIdentity = new Map<string, (typeof cells)[number]>()
  /** Per node: the cell ids it (transitively) waits for. */
  const upstreamCells = new Map<string, ReadonlyArray<string>>()
  let shared = 0
  // A stored cell is skipped under every label it is requested by (two nodes may
  // name one cell differently; the store keeps the label of the first to train it).
  const estimates = new Map(profile.nodes.filter((n) => selected.has(n.id)).map((n) => [n.id, nodeEstimate(n, model, options.configs?.get(n.id) ?? n.config)]))
  const skipped = new Set(
    [...estimates.values()].flatMap((e) => (e.estimate?.units ?? []).filter((u) => options.skip?.has(u.label) === true).map(identity))
  )
  for (const node of profile.nodes) {
    const upstreamNodes = node.inputs.flatMap((i) => (i.node === undefined ? [] : [i.node]))
    const waits = [...new Set(upstreamNodes.flatMap((u) => upstreamCells.get(u) ?? []))]
    if (!selected.has(node.id)) {
      upstreamCells.set(node.id, waits)
      continue
    }
    const planned = estimates.get(node.id)!
    nodes.push(planned)
    const units = planned.estimate?.units ?? []
    const seconds = model.stageSeconds[node.stage.stage.name]
    if ((node.stage.stage.cells ?? []).length === 0 && seconds !== undefined && seconds > 0) {
      const id = `${node.id}\u0000`
      bodies.push({ id, node: node.id, label: "(stage body)", seeds: 0, hours: seconds / 3600, shards: [], after: waits })
      upstreamCells.set(node.id, [...waits, id])
      continue
    }
    const own = new Map<string, string>()
    units.forEach((unit, i) => {
      const cost = planned.costs[i]!
      const key = identity(unit)
      if (skipped.has(key)) return
      const after = [...waits, ...(unit.after ?? []).flatMap((l) => (own.has(l) ? [own.get(l)!] : []))]
      const existing = byIdentity.get(key)
      if (existing !== undefined) {
        shared++
        existing.nodes.push(node.id)
        own.set(unit.label, existing.id)
        return
      }
      const id = `${node.id}\u0000${unit.label}`
      const cell = {
        id,
        node: node.id,
        label: unit.label,
        seeds: cost.seeds,
        hours: cost.hours,
        boundHours: cost.boundHours,
        budget: cost.budget,
        shards: cost.shards,
        after: after.filter((a) => a !== id),
        nodes: [node.id]
      }
      byIdentity.set(key, cell)
      cells.push(cell)
      own.set(unit.label, id)
    })
    upstreamCells.set(node.id, [...waits, ...own.values()])
  }
  return { nodes, cells, bodies, shared }
}
