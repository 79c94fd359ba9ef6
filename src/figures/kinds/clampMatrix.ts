/**
 * @grokflow-presentation: the whole kind — data Schema, title, Vega-Lite spec — only
 * builds what `grokflow report` draws, keyed per figure by its spec; no stage key
 * reads this file, so restyling a figure makes no stage stale.
 *
 * (d) The clamp matrix: median T_grok vs ρ per lr (paper A §6.2).
 *
 * The clamp matrix — median T_grok (log) vs ρ, one line per lr, bootstrap bars.
 */
import { Schema } from "effect"
import type { TopLevelSpec } from "vega-lite"
import { cellOutcomeFields } from "../fields.ts"
import { defineFigure, figureFields } from "../Figure.ts"
import { AXIS, base, cellRows, errorBars, fieldValues, logTicks, num, statusShape, tGrokY, titleBlock } from "../specs/common.ts"
import { ORDINAL_SCHEME, MUTED, WIDTH, HEIGHT } from "../theme.ts"

export const ClampMatrixFigure = Schema.Struct(figureFields("clampMatrix", {
  cells: Schema.Array(Schema.Struct({
    ...cellOutcomeFields,
    /** ρ = ‖W‖ / Wc held by the clamp from t_int on. */
    rho: Schema.Number,
    lr: Schema.Number
  })),
  wc: Schema.Number,
  /** Training budget (steps): censored cells are drawn at this line. */
  budget: Schema.optional(Schema.Number)
}))
export type ClampMatrixFigure = typeof ClampMatrixFigure.Type

/** "1e-3", "3e-4": how the papers write learning rates. */
export const lrLabel = (lr: number): string => lr.toExponential().replace(/\.?0+e/, "e").replace("e+", "e")

/** Horizontal offset of series i of n, so error bars at the same ρ do not overlap
 *  (the true ρ stays in the tooltip; the axis still reads ρ). */
const dodge = (i: number, n: number, width: number): number => (i - (n - 1) / 2) * width

const spec = (input: ClampMatrixFigure): TopLevelSpec => {
  const lrs = [...new Set(input.cells.map((c) => c.lr))].sort((a, b) => a - b)
  const rhos = [...new Set(input.cells.map((c) => c.rho))].sort((a, b) => a - b)
  const step = rhos.length > 1 ? Math.min(...rhos.slice(1).map((r, i) => r - rhos[i]!)) : 0.1
  const rows = cellRows(
    input.cells,
    (c) => ({ rho: c.rho, rhoShown: c.rho + dodge(lrs.indexOf(c.lr), lrs.length, step * 0.06), lr: lrLabel(c.lr) }),
    input.budget
  )
  const x = {
    field: "rhoShown",
    type: "quantitative",
    title: AXIS.rho,
    scale: { zero: false, padding: 14 },
    axis: { values: rhos, format: ".2f" }
  } as const
  const color = { field: "lr", type: "ordinal", title: "lr", scale: { domain: lrs.map(lrLabel), scheme: ORDINAL_SCHEME } } as const
  const ticks = logTicks(fieldValues(rows, "tGrok", "ciLow", "ciHigh"), [input.budget])
  const fold = (lr: number): number | null => {
    const ts = input.cells.filter((c) => c.lr === lr && c.medianTGrok !== null).map((c) => c.medianTGrok as number)
    return ts.length > 1 ? Math.max(...ts) / Math.min(...ts) : null
  }
  const f0 = fold(lrs[0]!)
  return {
    ...base,
    title: titleBlock(input, [
      `Wc = ${num(input.wc, 1)}; bars: 95% bootstrap CI of the median` + (input.budget === undefined ? "" : `; budget ${input.budget} steps`),
      ...(f0 === null ? [] : [`norm lever at lr ${lrLabel(lrs[0]!)}: ${num(f0, 1)}× across ρ`])
    ]),
    width: WIDTH,
    height: HEIGHT,
    data: { values: rows },
    layer: [
      ...(input.budget === undefined
        ? []
        : [
            {
              data: { values: [{ budget: input.budget, label: "budget" }] },
              layer: [
                { mark: { type: "rule" as const, color: MUTED, strokeDash: [2, 3] }, encoding: { y: tGrokY(ticks, "budget") } },
                {
                  // Under the line at the left end, where the delays are shortest.
                  mark: { type: "text" as const, align: "left" as const, baseline: "top" as const, x: 4, dy: 3, color: MUTED },
                  encoding: { y: tGrokY(ticks, "budget"), text: { field: "label" } }
                }
              ]
            }
          ]),
      ...errorBars(rows, x, ticks, color),
      { mark: { type: "line", strokeWidth: 2 }, encoding: { x, y: tGrokY(ticks), color } },
      {
        mark: { type: "point", size: 60, filled: true },
        encoding: {
          x,
          y: tGrokY(ticks),
          color,
          shape: statusShape,
          tooltip: [
            { field: "rho", type: "quantitative", title: "ρ" },
            { field: "lr", type: "nominal" },
            { field: "tGrok", type: "quantitative", title: "median T_grok" },
            { field: "seeds", type: "nominal", title: "grokked/total" }
          ]
        }
      }
    ]
  }
}

export default defineFigure({
  kind: "clampMatrix",
  schema: ClampMatrixFigure,
  title: "Clamp matrix: median T_grok vs ρ per learning rate",
  spec
})
