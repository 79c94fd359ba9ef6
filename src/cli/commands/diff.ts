/**
 * `grokflow diff`: which numbers moved. By default the profile's last run against
 * the run before it (each node's ref remembers its earlier runs); with
 * `--against P`, the profile's current outputs against profile P's. Prints the
 * claims whose value or status changed, side by side, then the training cells
 * that were added, removed or changed; `--all` prints unchanged ones too.
 */
import { Effect, Option } from "effect"
import { Command, Flag } from "effect/cli"
import { planPipeline, projectRoot } from "../../engine/index.ts"
import type { Plan } from "../../engine/index.ts"
import { claimValues, type Diff, diffSnapshots } from "../../verify/diff.ts"
import { loadClaims } from "../../verify/loadClaims.ts"
import { freshEntries, lastTwoRuns, snapshotOf } from "../../verify/snapshot.ts"
import { engineFlags, out, profileFrom, withEngine } from "../Shared.ts"
import { textTable } from "../textTable.ts"

const againstFlag = Flag.String("against").pipe(
  Flag.withDescription("compare with this profile's current outputs instead of this profile's previous run"),
  Flag.optional
)
const allFlag = Flag.Boolean("all").pipe(Flag.withDescription("also print unchanged claims and cells"), Flag.withDefault(false))

const minute = (iso: string | undefined): string => (iso === undefined ? "—" : iso.slice(0, 19).replace("T", " "))

/** The time of a state: the newest node run in it. */
const newest = (runs: ReadonlyMap<string, { readonly at: string }>): string | undefined =>
  [...runs.values()].map((r) => r.at).sort().at(-1)

export const render = (diff: Diff, all: boolean): string => {
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
  const unchanged = diff.claims.filter((c) => !c.changed).length
  if (!all && unchanged > 0) lines.push(`(${unchanged} claims unchanged)`)
  lines.push("")
  if (cells.length === 0) lines.push("cells: none added, removed or changed")
  else lines.push(textTable(["node", "cell", "before", "after", "change"], cells.map((c) => [c.node, c.label, c.before ?? "—", c.after ?? "—", c.change])))
  const same = diff.cells.filter((c) => c.change === "same").length
  if (!all && same > 0) lines.push(`(${same} cells unchanged)`)
  return lines.join("\n")
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
        yield* out(render(diffSnapshots(claims, before, after), flags.all))
        return
      }
      const { before, after, empty } = yield* byRuns(plan)
      if (empty) {
        yield* out(`${profile.name} has not run yet: nothing to compare (run \`grokflow run --profile ${profile.name}\`)`)
        return
      }
      yield* out(render(diffSnapshots(claims, before, after), flags.all))
    })
  )).pipe(Command.withDescription("what changed: each claim's and each cell's value, last run vs the one before (or --against another profile)"))
