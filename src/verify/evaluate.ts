/**
 * Compares measured numbers with a profile's claim tests. Each claim ends PASS,
 * FAIL or NOT RUN, with the reason: NOT RUN when the profile does not test it or
 * has not produced the node yet; FAIL when it did and the number misses (or is
 * not identified, e.g. too many censored seeds).
 */
import type { Claim, ClaimTest } from "./Claim.ts"
import { resolveMeasured, splitMeasure } from "./measuredValue.ts"
import type { Measured } from "./measuredValue.ts"

export type ClaimStatus = "PASS" | "FAIL" | "NOT RUN"

export interface ClaimRow {
  readonly id: string
  readonly paper: "A" | "B"
  readonly description: string
  readonly paperValue: string
  /** A reproduction of the paper, or a check of grokflow that cannot fail when it is correct. */
  readonly kind: "reproduction" | "implementation-check"
  readonly measured: number | null
  readonly lower: number | null
  readonly upper: number | null
  readonly tolerance: string
  readonly status: ClaimStatus
  readonly reason: string | null
  /** The cache entry the measured number was read from. */
  readonly source: string | null
  /** Whether the measured point lies inside the paper's interval (null: no paper interval or no measurement). */
  readonly insidePaperInterval: boolean | null
}

export interface NodeOutputs {
  /** Node ids in the profile. */
  readonly nodes: ReadonlySet<string>
  /** Output of each node that is fresh in the store. */
  readonly output: (node: string) => unknown
  /** Manifest path of a fresh node's entry. */
  readonly source: (node: string) => string | null
}

const fmt = (x: number): string => (Math.abs(x) >= 1000 ? x.toFixed(0) : Number(x.toPrecision(3)).toString())

type Bound = number | string

const describeBound = (b: Bound, factor: number | undefined): string =>
  `${factor !== undefined && factor !== 1 ? `${fmt(factor)}×` : ""}${typeof b === "number" ? fmt(b) : splitMeasure(b).path}`

export const toleranceText = (test: ClaimTest): string => {
  const parts: Array<string> = []
  if (test.range) parts.push(`in [${fmt(test.range[0])}, ${fmt(test.range[1])}]`)
  if (test.atLeast !== undefined) parts.push(`≥ ${describeBound(test.atLeast, test.factor)}`)
  if (test.atMost !== undefined) parts.push(`≤ ${describeBound(test.atMost, test.factor)}`)
  if (test.greaterThan !== undefined) parts.push(`> ${describeBound(test.greaterThan, test.factor)}`)
  if (test.lessThan !== undefined) parts.push(`< ${describeBound(test.lessThan, test.factor)}`)
  if (test.withinAbs !== undefined) parts.push(`± ${fmt(test.withinAbs)} of paper`)
  if (test.withinRel !== undefined) parts.push(`± ${fmt(test.withinRel * 100)}% of paper`)
  if (test.overlap === true) parts.push("95% CI overlaps paper's")
  return parts.join(", ")
}

/** The paper's interval under the overlap rule: its stated range or bound, its CI, or its point. */
export const paperIntervalOf = (claim: Claim): readonly [number, number] | null => {
  if (claim.paperBound === "upper") return claim.paperValue === null ? null : [Number.NEGATIVE_INFINITY, claim.paperValue]
  return claim.paperInterval ?? claim.paperCi ?? (claim.paperValue === null ? null : [claim.paperValue, claim.paperValue])
}

/** grokflow's interval: a measured interval (null bounds unbounded) or the point. */
export const measuredIntervalOf = (m: Measured): readonly [number, number] =>
  m.interval ? [m.lower ?? Number.NEGATIVE_INFINITY, m.upper ?? Number.POSITIVE_INFINITY] : [m.value, m.value]

/** Whether two closed intervals share a point. */
export const intervalsOverlap = (a: readonly [number, number], b: readonly [number, number]): boolean =>
  a[0] <= b[1] && b[0] <= a[1]

const showInterval = (i: readonly [number, number]): string =>
  i[0] === i[1] ? fmt(i[0]) : `[${Number.isFinite(i[0]) ? fmt(i[0]) : "−∞"}, ${Number.isFinite(i[1]) ? fmt(i[1]) : "∞"}]`

const check = (
  claim: Claim,
  test: ClaimTest,
  measured: Measured,
  resolve: (b: Bound) => number | null
): { readonly ok: boolean; readonly reason: string | null } => {
  const x = measured.value
  const failures: Array<string> = []
  const bound = (b: Bound | undefined, op: string, holds: (x: number, y: number) => boolean) => {
    if (b === undefined) return
    const y = resolve(b)
    if (y === null) failures.push(`comparison value ${String(b)} is not available`)
    else if (!holds(x, y * (test.factor ?? 1))) failures.push(`${fmt(x)} is not ${op} ${fmt(y * (test.factor ?? 1))}`)
  }
  if (test.range && !(x >= test.range[0] && x <= test.range[1])) failures.push(`${fmt(x)} outside [${test.range.join(", ")}]`)
  bound(test.atLeast, "≥", (a, b) => a >= b)
  bound(test.atMost, "≤", (a, b) => a <= b)
  bound(test.greaterThan, ">", (a, b) => a > b)
  bound(test.lessThan, "<", (a, b) => a < b)
  const paper = claim.paperValue
  if ((test.withinAbs !== undefined || test.withinRel !== undefined) && paper === null) {
    failures.push("the claim has no paper value to be within")
  }
  if (paper !== null && test.withinAbs !== undefined && Math.abs(x - paper) > test.withinAbs) {
    failures.push(`|${fmt(x)} − ${fmt(paper)}| > ${fmt(test.withinAbs)}`)
  }
  if (paper !== null && test.withinRel !== undefined && Math.abs(x - paper) > test.withinRel * Math.abs(paper)) {
    failures.push(`${fmt(x)} is more than ${fmt(test.withinRel * 100)}% from ${fmt(paper)}`)
  }
  if (test.overlap === true) {
    const theirs = paperIntervalOf(claim)
    const ours = measuredIntervalOf(measured)
    if (theirs === null) failures.push("the claim has no paper value or interval to overlap")
    else if (!intervalsOverlap(ours, theirs)) failures.push(`${showInterval(ours)} does not overlap the paper's ${showInterval(theirs)}`)
  }
  return { ok: failures.length === 0, reason: failures.length === 0 ? null : failures.join("; ") }
}

export const evaluateClaims = (claims: ReadonlyArray<Claim>, profile: string, outputs: NodeOutputs): Array<ClaimRow> =>
  claims.map((claim) => {
    const { node } = splitMeasure(claim.measure)
    const test = claim.tests[profile]
    const kind = claim.kind ?? "reproduction"
    const base = {
      id: claim.id,
      paper: claim.paper,
      description: claim.description,
      paperValue: claim.paperText,
      kind,
      // The label travels in the tolerance text, so verify's table and the report show it.
      tolerance: test === undefined ? "" : `${kind === "implementation-check" ? "implementation check: " : ""}${toleranceText(test)}`,
      source: outputs.source(node)
    }
    const notRun = (reason: string): ClaimRow => ({
      ...base,
      measured: null,
      lower: null,
      upper: null,
      status: "NOT RUN",
      reason,
      insidePaperInterval: null
    })
    if (test === undefined) return notRun(`profile ${profile} does not test this claim`)
    if (!outputs.nodes.has(node)) return notRun(`profile ${profile} has no node ${node}`)
    if (outputs.output(node) === undefined) return notRun(`${node} has not run yet (grokflow run --profile ${profile})`)
    const measured = resolveMeasured(claim.measure, outputs.output)
    if (measured === null) {
      return {
        ...base,
        measured: null,
        lower: null,
        upper: null,
        status: "FAIL",
        reason: `${claim.measure} is not identified in the output`,
        insidePaperInterval: null
      }
    }
    const resolve = (b: Bound): number | null => (typeof b === "number" ? b : resolveMeasured(b, outputs.output)?.value ?? null)
    const verdict = check(claim, test, measured, resolve)
    const theirs = paperIntervalOf(claim)
    const inside = theirs === null || theirs[0] === theirs[1] ? null : measured.value >= theirs[0] && measured.value <= theirs[1]
    return {
      ...base,
      // The overlap rule's verdict says whether the point also lies inside the paper's
      // interval, so a reader sees both (verify prints it in the tolerance column).
      tolerance: test.overlap === true && claim.paperBound === "upper" && claim.paperValue !== null
        ? base.tolerance.replace("95% CI overlaps paper's", `${measured.interval ? "95% CI reaches" : "point"} ≤ the paper's bound ${fmt(claim.paperValue)}`)
        : test.overlap === true && inside !== null
        ? `${base.tolerance} · point ${inside ? "inside" : "outside"}`
        : base.tolerance,
      insidePaperInterval: inside,
      measured: measured.value,
      lower: measured.lower,
      upper: measured.upper,
      status: verdict.ok ? "PASS" : "FAIL",
      reason: verdict.reason
    }
  })

export const formatMeasured = (row: ClaimRow): string =>
  row.measured === null
    ? "—"
    : `${fmt(row.measured)}${row.lower !== null && row.upper !== null ? ` [${fmt(row.lower)}, ${fmt(row.upper)}]` : ""}`
