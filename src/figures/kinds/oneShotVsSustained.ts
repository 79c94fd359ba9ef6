/**
 * @grokflow-presentation: the whole kind — data Schema, title, Vega-Lite spec — only
 * builds what `grokflow report` draws, keyed per figure by its spec; no stage key
 * reads this file, so restyling a figure makes no stage stale.
 *
 * (g) One-shot rescale vs sustained clamp (paper A §6.5).
 *
 * One-shot rescale vs sustained clamp: median T_grok (log) vs ρ, two series.
 */
import { Schema } from "effect"
import type { TopLevelSpec } from "vega-lite"
import { cellOutcomeFields } from "../fields.ts"
import { defineFigure, figureFields } from "../Figure.ts"
import { base, cellRows, type ColorDef, extent, num, titleBlock } from "../specs/common.ts"
import { seriesVsRho } from "../specs/seriesVsRho.ts"
import { WIDTH, HEIGHT } from "../theme.ts"

export const OneShotVsSustainedFigure = Schema.Struct(figureFields("oneShotVsSustained", {
  cells: Schema.Array(Schema.Struct({ ...cellOutcomeFields, rho: Schema.Number, arm: Schema.Literals(["one-shot", "sustained"]) })),
  /** Max/min median T_grok over each arm's ρ range, for the subtitle. */
  foldChange: Schema.optional(Schema.Struct({ oneShot: Schema.Number, sustained: Schema.Number }))
}))
export type OneShotVsSustainedFigure = typeof OneShotVsSustainedFigure.Type

const spec = (input: OneShotVsSustainedFigure): TopLevelSpec => {
  const rows = cellRows(input.cells, (c) => ({ rho: c.rho, arm: c.arm, connect: true }))
  const color: ColorDef = { field: "arm", type: "nominal", title: "intervention", scale: { domain: ["one-shot", "sustained"] } }
  const fold = input.foldChange
  const ranges = (["one-shot", "sustained"] as const).map((arm) => {
    const rs = input.cells.filter((c) => c.arm === arm).map((c) => c.rho)
    return rs.length === 0 ? "" : `${arm} over ρ ∈ [${extent(rs).map((r) => num(r, 2)).join(", ")}]`
  })
  return {
    ...base,
    title: titleBlock(input, [
      fold === undefined
        ? "rescale once at t_int vs hold ‖W‖ = ρ·Wc after every step"
        : `T_grok moves ${num(fold.oneShot, 1)}× under a one-shot rescale, ${num(fold.sustained, 1)}× under the sustained clamp`,
      ranges.filter((r) => r !== "").join("; ")
    ]),
    width: WIDTH,
    height: HEIGHT,
    layer: seriesVsRho(rows, color, true)
  }
}

export default defineFigure({
  kind: "oneShotVsSustained",
  schema: OneShotVsSustainedFigure,
  title: "One-shot rescale vs sustained clamp",
  spec
})
