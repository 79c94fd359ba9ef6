/**
 * `grokflow show NODE[:path]`: what a node measured, read from the store — as a
 * table when the value is a list of rows, else as YAML; `--json` prints JSON.
 * The cache entry it came from is printed with it (on stderr under --json, so
 * stdout stays one JSON document). The path syntax is the claims' (`.field`,
 * `[3]`, `[key=value]`), so `show` answers what a claim would read.
 */
import { Effect } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { stringify } from "yaml"
import { didYouMean, displayPath, NotInStore, planPipeline, readNodeOutput, UsageError } from "../../engine/index.ts"
import { splitMeasure, valueAt } from "../../verify/measuredValue.ts"
import { nodeViews, noteOf } from "../nodeStates.ts"
import { engineFlags, noNode, out, profileFrom, switchFlag, withEngine } from "../Shared.ts"
import { isRows, rowsTable } from "../textTable.ts"

const target = Argument.String("node").pipe(Argument.withDescription("NODE or NODE:path, e.g. wc-vs-op or delay-law-fits:sweep.primary.alpha"))
const jsonFlag = switchFlag("json", "print JSON instead of a table or YAML")

export const show = Command.make("show", { ...engineFlags, target, json: jsonFlag }, (flags) =>
  withEngine(
    flags,
    Effect.gen(function*() {
      const profile = yield* profileFrom(flags)
      const { node: nodeId, path: at } = splitMeasure(flags.target)
      if (!profile.byId.has(nodeId)) {
        return yield* new UsageError({ message: `show: ${noNode(profile, nodeId)}` })
      }
      const plan = yield* planPipeline(profile)
      const planned = plan.byId.get(nodeId)!
      if (planned.status !== "fresh") {
        const view = (yield* nodeViews(plan)).find((v) => v.id === nodeId)!
        const why = view.state === "never ran" ? "never ran" : `${view.state}${noteOf(view) === "" ? "" : ` (${noteOf(view)})`}`
        return yield* new NotInStore({ node: nodeId, message: `${why}; run \`grokflow run --profile ${profile.name}\` first` })
      }
      const stored = yield* readNodeOutput(planned)
      const value = at === "" ? stored.output : valueAt(stored.output, at)
      if (value === undefined) {
        const field = /^\.?([^.[\]]+)/.exec(at)?.[1]
        const typo = field !== undefined && typeof stored.output === "object" && stored.output !== null && !Array.isArray(stored.output) ? didYouMean(field, Object.keys(stored.output)) : ""
        return yield* new UsageError({ message: `show: ${nodeId} has nothing at "${at}"${typo} (its output's top level: ${topLevel(stored.output)})` })
      }
      const entry = displayPath(stored.manifestPath)
      if (flags.json) {
        yield* out(JSON.stringify(value, null, 2))
        process.stderr.write(`entry: ${entry}\n`)
        return
      }
      yield* out(isRows(value) ? rowsTable(value) : stringify(value, { lineWidth: 0 }).trimEnd())
      yield* out(`\n${flags.target} (${profile.name}) from ${entry}`)
    })
  )).pipe(Command.withDescription("print a node's stored output (a table for rows, else YAML; --json for JSON) and its cache entry"))

const topLevel = (value: unknown): string =>
  Array.isArray(value) ? `a list of ${value.length}` : typeof value === "object" && value !== null ? Object.keys(value).join(", ") : typeof value
