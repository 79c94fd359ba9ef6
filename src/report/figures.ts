/**
 * The figures of a profile's fresh nodes: each stage's declared figure feeds
 * (`figures` of defineStage) applied to its stored output and its inputs' stored
 * outputs, every figure decoded with its kind's Schema, and its `source` resolved
 * to the cache entries it came from. A figure that does not decode is reported, never drawn from a guess.
 */
import { Result } from "effect"
import { displayPath } from "../engine/index.ts"
import type { NodeOutput, Plan } from "../engine/index.ts"
// Figure.ts, not the figures index: the index loads vega, which `report` loads lazily.
import { type AnyFigure, figureId } from "../figures/Figure.ts"
import type { FigureRegistry } from "../figures/registry.ts"

export interface ReportFigures {
  readonly figures: ReadonlyArray<AnyFigure>
  /** One line per figure left out: node, figure kind and id, field and expectation. */
  readonly problems: ReadonlyArray<string>
}


export const reportFigures = (plan: Plan, outputs: ReadonlyMap<string, NodeOutput>, registry: FigureRegistry): ReportFigures => {
  const figures: Array<AnyFigure> = []
  const problems: Array<string> = []
  const ids = new Set<string>()
  for (const node of plan.nodes) {
    const stored = outputs.get(node.id)
    const feeds = node.node.stage.stage.figures ?? []
    if (stored === undefined || feeds.length === 0) continue
    const entryOf = (id: string | undefined): string | undefined => {
      const manifest = id === undefined ? undefined : outputs.get(id)?.manifestPath
      return manifest === undefined ? undefined : displayPath(manifest)
    }
    // The inputs as the stage's run saw them: an unbound optional input is undefined.
    const inputs = Object.fromEntries(node.node.inputs.map((i) => [i.name, i.node === undefined ? undefined : outputs.get(i.node)?.output]))
    for (const feed of feeds) {
      for (const raw of feed.from(stored.output, inputs)) {
        const decoded = registry.decode(raw)
        if (Result.isFailure(decoded)) {
          problems.push(`${node.id}: ${decoded.failure}`)
          continue
        }
        const figure = decoded.success
        // The feeding node's own entry, then those of the inputs the figure names.
        const named = figure.source === undefined ? [] : typeof figure.source === "string" ? [figure.source] : figure.source
        const source = [
          displayPath(stored.manifestPath),
          ...named.map((name) => entryOf(node.node.inputs.find((i) => i.name === name)?.node) ?? name)
        ]
        // Two nodes feeding the same kind (one stage under two node ids) keep distinct ids.
        const id = ids.has(figureId(figure)) ? `${node.id}-${figureId(figure)}` : figureId(figure)
        ids.add(id)
        figures.push({ ...figure, id, source })
      }
    }
  }
  return { figures, problems }
}
