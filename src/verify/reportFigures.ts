/**
 * The figures of a profile's fresh nodes: each stage's declared figure feeds
 * (`figures` of defineStage) applied to its stored output, every figure decoded
 * with its kind's Schema, and its `source` resolved to the cache entries it came
 * from. A figure that does not decode is reported, never drawn from a guess.
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
    // A figure names its sources as the node's input names, or not at all (the node itself).
    const entryOf = (source: string): string => {
      const input = node.node.inputs.find((i) => i.name === source)?.node
      const manifest = input === undefined ? undefined : outputs.get(input)?.manifestPath
      return manifest === undefined ? source : displayPath(manifest)
    }
    for (const feed of feeds) {
      for (const raw of feed.from(stored.output)) {
        const decoded = registry.decode(raw)
        if (Result.isFailure(decoded)) {
          problems.push(`${node.id}: ${decoded.failure}`)
          continue
        }
        const figure = decoded.success
        const source = figure.source === undefined
          ? [displayPath(stored.manifestPath)]
          : (typeof figure.source === "string" ? [figure.source] : figure.source).map(entryOf)
        // Two nodes feeding the same kind (one stage under two node ids) keep distinct ids.
        const id = ids.has(figureId(figure)) ? `${node.id}-${figureId(figure)}` : figureId(figure)
        ids.add(id)
        figures.push({ ...figure, id, source })
      }
    }
  }
  return { figures, problems }
}
