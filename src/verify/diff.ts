/**
 * What moved between two states of a profile: each claim's measured value and
 * status, each node's output (by digest, with the fields that differ), and each
 * training cell's outcome, before and after. The two states are
 * a profile's last run against the one before it (the store keeps each node's
 * earlier runs in its ref), or two profiles' current outputs. Pure comparisons
 * here; reading the store is in snapshot.ts.
 */
import type { Claim } from "./Claim.ts"
import { type ClaimRow, evaluateClaims, formatMeasured, type NodeOutputs } from "./evaluate.ts"

/** One training cell as a diff shows it: its label and a one-line outcome. */
export interface CellState {
  readonly label: string
  readonly key: string
  /** e.g. "T_grok 450 (4/4 grokked)". */
  readonly value: string
}

/** A profile's outputs at one point (one run, or one profile's fresh entries). */
export interface Snapshot {
  /** How the state is named in the output: "last run (08:30)", "profile smoke". */
  readonly label: string
  /** The profile whose claim tests apply. */
  readonly profile: string
  readonly outputs: NodeOutputs
  /** The training cells its nodes used, by node. */
  readonly cells: ReadonlyMap<string, ReadonlyArray<CellState>>
  /** Each node with an output in this state: its output digest. */
  readonly digests: ReadonlyMap<string, string>
}

/** One node's output, before and after; `fields` names where the two differ. */
export interface NodeDiff {
  readonly node: string
  readonly change: "added" | "removed" | "changed" | "same"
  readonly fields: ReadonlyArray<string>
}

export interface ClaimDiff {
  readonly id: string
  readonly description: string
  readonly before: ClaimRow
  readonly after: ClaimRow
  readonly changed: boolean
}

export interface CellDiff {
  readonly node: string
  readonly label: string
  readonly before: string | null
  readonly after: string | null
  readonly change: "added" | "removed" | "changed" | "same"
}

export interface Diff {
  readonly before: Snapshot
  readonly after: Snapshot
  readonly claims: ReadonlyArray<ClaimDiff>
  readonly cells: ReadonlyArray<CellDiff>
  readonly nodes: ReadonlyArray<NodeDiff>
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v)

/**
 * The paths at which two outputs differ (`sweep.alpha.estimate`, `cells[3]`),
 * descending into mappings and into lists of one length; a list whose length
 * changed is one difference.
 */
export const changedFields = (before: unknown, after: unknown, at = ""): Array<string> => {
  if (JSON.stringify(before) === JSON.stringify(after)) return []
  if (isRecord(before) && isRecord(after)) {
    return [...new Set([...Object.keys(before), ...Object.keys(after)])].sort().flatMap((k) => changedFields(before[k], after[k], at === "" ? k : `${at}.${k}`))
  }
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
    return before.flatMap((b, i) => changedFields(b, after[i], `${at}[${i}]`))
  }
  return [at === "" ? "(the whole output)" : at]
}

const sameRow = (a: ClaimRow, b: ClaimRow): boolean =>
  a.status === b.status && a.measured === b.measured && a.lower === b.lower && a.upper === b.upper

export const diffSnapshots = (claims: ReadonlyArray<Claim>, before: Snapshot, after: Snapshot): Diff => {
  const rowsBefore = new Map(evaluateClaims(claims, before.profile, before.outputs).map((r) => [r.id, r]))
  const claimDiffs = evaluateClaims(claims, after.profile, after.outputs).flatMap((a): Array<ClaimDiff> => {
    const b = rowsBefore.get(a.id)
    return b === undefined ? [] : [{ id: a.id, description: a.description, before: b, after: a, changed: !sameRow(a, b) }]
  })
  const nodes = [...new Set([...before.cells.keys(), ...after.cells.keys()])]
  const cellDiffs = nodes.flatMap((node) => {
    const was = new Map((before.cells.get(node) ?? []).map((c) => [c.label, c]))
    const now = new Map((after.cells.get(node) ?? []).map((c) => [c.label, c]))
    return [...new Set([...was.keys(), ...now.keys()])].map((label): CellDiff => {
      const b = was.get(label)
      const a = now.get(label)
      const change = b === undefined ? "added" : a === undefined ? "removed" : b.key === a.key && b.value === a.value ? "same" : "changed"
      return { node, label, before: b?.value ?? null, after: a?.value ?? null, change }
    })
  })
  const nodeIds = [...new Set([...before.digests.keys(), ...after.digests.keys()])]
  const nodeDiffs = nodeIds.map((node): NodeDiff => {
    const b = before.digests.get(node)
    const a = after.digests.get(node)
    if (b === undefined) return { node, change: "added", fields: [] }
    if (a === undefined) return { node, change: "removed", fields: [] }
    if (a === b) return { node, change: "same", fields: [] }
    return { node, change: "changed", fields: changedFields(before.outputs.output(node), after.outputs.output(node)) }
  })
  return { before, after, claims: claimDiffs, cells: cellDiffs, nodes: nodeDiffs }
}

/** A claim's value as a diff prints it: the number with its CI, or why there is none. */
const claimValue = (row: ClaimRow): string => (row.measured === null ? row.status : formatMeasured(row))

const precise = (row: ClaimRow): string =>
  row.measured === null
    ? row.status
    : `${Number(row.measured.toPrecision(6))}${row.lower !== null && row.upper !== null ? ` [${Number(row.lower.toPrecision(6))}, ${Number(row.upper.toPrecision(6))}]` : ""}`

/** Before and after as printed side by side: with more digits when the usual three
 *  would print two different numbers the same. */
export const claimValues = (c: ClaimDiff): readonly [string, string] => {
  const b = claimValue(c.before)
  const a = claimValue(c.after)
  return c.changed && a === b ? [precise(c.before), precise(c.after)] : [b, a]
}
