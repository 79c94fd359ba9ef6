/**
 * `grokflow diff`: which numbers moved. By default the profile's last run against
 * the run before it (each node's ref remembers its earlier runs); with
 * `--against P`, the profile's current outputs against profile P's. Prints the
 * claims whose value or status changed, side by side, then every node whose
 * output changed (with the fields that differ), then the training cells that
 * were added, removed or changed; `--all` prints unchanged ones too. A side with
 * nothing stored is said to have never run, not compared as "unchanged".
 */
import { Effect, Option } from "effect"
import { Command, Flag } from "effect/cli"
import { planPipeline, projectRoot } from "../../engine/index.ts"
import type { Plan } from "../../engine/index.ts"
import { claimValues, type Diff, diffSnapshots, type NodeDiff, type Snapshot } from "../../verify/diff.ts"
import { loadClaims } from "../../verify/loadClaims.ts"
import { freshEntries, lastTwoRuns, snapshotOf } from "../../verify/snapshot.ts"
import { engineFlags, out, profileFrom, switchFlag, withEngine } from "../Shared.ts"
import { textTable } from "../textTable.ts"

const againstFlag = Flag.String("against").pipe(
  Flag.withDescription("compare with this profile's current outputs instead of this profile's previous run"),
  Flag.optional
)
const allFlag = switchFlag("all", "also print unchanged claims, node outputs and cells")

const minute = (iso: string | undefined): string => (iso === undefined ? "—" : iso.slice(0, 19).replace("T", " "))

/** The time of a state: the newest node run in it. */
const newest = (runs: ReadonlyMap<string, { readonly at: string }>): string | undefined =>
  [...runs.values()].map((r) => r.at).sort().at(-1)

interface SideNames {
  readonly before: string
  readonly after: string
}

/** Claims, then every node's output, then the cells. */
export const render = (diff: Diff, all: boolean, names: SideNames = { before: "before", after: "after" }): string => {
  const { before, after } = diff
  const claims = diff.claims.filter((c) => all || c.changed)
  const cells = diff.cells.filter((c) => all || c.change !== "same")
  const lines: Array<string> = [`${after.label} vs ${before.label}`, ""]
  if (claims.length === 0) lines.push("claims: no value or status changed")
  else {
    lines.push(textTable(
      ["claim", "before", "after", "status"],
      claims.map((c) => [
        c.id,
        ...claimValues(c),
        c.before.status === c.after.status ? c.after.status : `${c.before.status} → ${c.after.status}`
      ])
    ))
  }
  // A claim neither side tests is not "unchanged": it was never measured.
  const untested = diff.claims.filter((c) => !c.changed && c.before.status === "NOT RUN" && c.after.status === "NOT RUN").length
  const unchanged = diff.claims.filter((c) => !c.changed).length - untested
  if (!all && unchanged > 0) lines.push(`(${unchanged} claims unchanged${untested > 0 ? `; ${untested} not measured on either side` : ""})`)
  else if (!all && untested > 0) lines.push(`(${untested} claims not measured on either side)`)
  lines.push("", renderNodes(diff, all, names), "")
  if (cells.length === 0) lines.push("cells: none added, removed or changed")
  else lines.push(textTable(["node", "cell", "before", "after", "change"], cells.map((c) => [c.node, c.label, c.before ?? "—", c.after ?? "—", c.change])))
  const same = diff.cells.filter((c) => c.change === "same").length
  if (!all && same > 0) lines.push(`(${same} cells unchanged)`)
  return lines.join("\n")
}

const FIELDS_SHOWN = 4

const nodeChange = (n: NodeDiff, before: string, after: string): string =>
  n.change === "added" ? `only in ${after} (never ran in ${before})` : n.change === "removed" ? `only in ${before} (never ran in ${after})` : n.change

/** Every node's output: which changed, and where. */
const renderNodes = (diff: Diff, all: boolean, names: SideNames): string => {
  const nodes = diff.nodes.filter((n) => all || n.change !== "same")
  const lines: Array<string> = []
  if (nodes.length === 0) lines.push("outputs: no node's output changed")
  else {
    lines.push(textTable(
      ["node", "output", "fields that differ"],
      nodes.map((n) => [
        n.node,
        nodeChange(n, names.before, names.after),
        n.fields.slice(0, FIELDS_SHOWN).join(", ") + (n.fields.length > FIELDS_SHOWN ? ` (+${n.fields.length - FIELDS_SHOWN} more)` : "")
      ])
    ))
  }
  const same = diff.nodes.filter((n) => n.change === "same").length
  if (!all && same > 0) lines.push(`(${same} node outputs unchanged)`)
  return lines.join("\n")
}

/** When a side has nothing stored, saying so is the whole answer. */
const neverRan = (before: Snapshot, after: Snapshot): string | undefined => {
  const empty = [after, before].filter((s) => s.digests.size === 0).map((s) => s.label)
  return empty.length === 0 ? undefined : `${empty.join(" and ")}: never ran (nothing stored), so nothing to compare`
}

const byRuns = (plan: Plan) =>
  Effect.gen(function*() {
    const { last, previous } = yield* lastTwoRuns(plan)
    const name = plan.profile.name
    // A node that ran with the same key both times used the same cells: list them, skip reading them.
    const moved = (node: string) => last.get(node)?.key !== previous.get(node)?.key
    const after = yield* snapshotOf(plan, last, `${name}: last run (${minute(newest(last))})`, moved)
    const before = yield* snapshotOf(plan, previous, `the run before (${minute(newest(previous))})`, moved)
    return { before, after, empty: last.size === 0 }
  })

export const diff = Command.make("diff", { ...engineFlags, against: againstFlag, all: allFlag }, (flags) =>
  withEngine(
    flags,
    Effect.gen(function*() {
      const profile = yield* profileFrom(flags)
      const plan = yield* planPipeline(profile)
      const claims = yield* loadClaims(projectRoot())
      if (Option.isSome(flags.against)) {
        const other = yield* profileFrom({ ...flags, profile: flags.against.value, set: [] })
        const otherPlan = yield* planPipeline(other)
        const before = yield* snapshotOf(otherPlan, freshEntries(otherPlan), `profile ${other.name}`)
        const after = yield* snapshotOf(plan, freshEntries(plan), `profile ${profile.name}`)
        yield* out(neverRan(before, after) ?? render(diffSnapshots(claims, before, after), flags.all, { before: other.name, after: profile.name }))
        return
      }
      const { before, after, empty } = yield* byRuns(plan)
      if (empty) {
        yield* out(`${profile.name} has not run yet: nothing to compare (run \`grokflow run --profile ${profile.name}\`)`)
        return
      }
      if (before.digests.size === 0) {
        yield* out(`${after.label}; the run before: never ran, so nothing to compare yet`)
        return
      }
      yield* out(render(diffSnapshots(claims, before, after), flags.all, { before: "the run before", after: "the last run" }))
    })
  )).pipe(Command.withDescription("what changed: each claim's value, each node's output and each cell, last run vs the one before (or --against another profile)"))
