/** `grokflow dag`: the profile's node graph as text, Mermaid or Graphviz dot. */
import { Effect } from "effect"
import { Command, Flag } from "effect/cli"
import { renderDag } from "../../engine/index.ts"
import { engineFlags, out, profileFrom, withEngine } from "../Shared.ts"

const formatFlag = Flag.Literals("format", ["text", "mermaid", "dot"]).pipe(
  Flag.withDescription("output format"),
  Flag.withDefault("text" as const)
)

export const dag = Command.make("dag", { ...engineFlags, format: formatFlag }, (flags) =>
  withEngine(
    flags,
    Effect.gen(function*() {
      const profile = yield* profileFrom(flags)
      const nodes = profile.nodes.map((n) => ({ id: n.id, stage: n.stage.stage.name, inputs: n.inputs }))
      yield* out(renderDag(nodes, flags.format))
    })
  )).pipe(Command.withDescription("print the profile's DAG (no store access)"))
