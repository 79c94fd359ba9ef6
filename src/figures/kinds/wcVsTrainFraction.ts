/**
 * @grokflow-presentation: the whole kind — data Schema, title, Vega-Lite spec — only
 * builds what `grokflow report` draws, keyed per figure by its spec; no stage key
 * reads this file, so restyling a figure makes no stage stale.
 *
 * Wc against train fraction, one line per modulus (paper A §6.1 measures it at one
 * p): if Wc is a property of the network and the task, not of how much of the table
 * it sees, every line is flat. The subtitle gives each modulus's CV across fractions.
 */
import { Schema } from "effect"
import type { TopLevelSpec } from "vega-lite"
import { defineFigure, figureFields } from "../Figure.ts"
import { AXIS, base, cvPercent, num, type Row, titleBlock, type XDef, type YDef } from "../specs/common.ts"
import { HEIGHT, ORDINAL_SCHEME, WIDTH } from "../theme.ts"

/** Wc of one (p, train fraction) cell at the figure's lr. */
export const WcAtFraction = Schema.Struct({ p: Schema.Number, trainFraction: Schema.Number, wc: Schema.Number })
export type WcAtFraction = typeof WcAtFraction.Type

export const WcVsTrainFractionFigure = Schema.Struct(figureFields("wcVsTrainFraction", {
  lr: Schema.Number,
  rows: Schema.Array(WcAtFraction)
}))
export type WcVsTrainFractionFigure = typeof WcVsTrainFractionFigure.Type

const moduliOf = (rows: ReadonlyArray<WcAtFraction>): Array<number> => [...new Set(rows.map((r) => r.p))].sort((a, b) => a - b)

const cvByModulus = (rows: ReadonlyArray<WcAtFraction>): Array<{ p: number; cv: number }> =>
  moduliOf(rows).flatMap((p) => {
    const wcs = rows.filter((r) => r.p === p).map((r) => r.wc)
    return wcs.length < 2 ? [] : [{ p, cv: cvPercent(wcs) }]
  })

const spec = (input: WcVsTrainFractionFigure): TopLevelSpec => {
  const rows: Array<Row> = input.rows.map((r) => ({ p: `p = ${r.p}`, trainFraction: r.trainFraction, wc: r.wc }))
  const wcs = input.rows.map((r) => r.wc)
  const [lo, hi] = [Math.min(...wcs), Math.max(...wcs)]
  const pad = Math.max((hi - lo) * 0.3, hi * 0.05)
  const x: XDef = {
    field: "trainFraction",
    type: "quantitative",
    title: AXIS.trainFraction,
    scale: { zero: false, nice: false, padding: 20 },
    axis: { format: ".2f", values: [...new Set(input.rows.map((r) => r.trainFraction))] }
  }
  const y: YDef = { field: "wc", type: "quantitative", title: AXIS.wc, scale: { domain: [Math.max(0, lo - pad), hi + pad], zero: false } }
  const color = { field: "p", type: "ordinal", title: "modulus", scale: { domain: moduliOf(input.rows).map((p) => `p = ${p}`), scheme: ORDINAL_SCHEME } } as const
  return {
    ...base,
    title: titleBlock(input, [
      `lr ${input.lr}; ${cvByModulus(input.rows).map((c) => `CV ${num(c.cv, 1)}% across fractions at p = ${c.p}`).join(", ")}`
    ]),
    width: WIDTH,
    height: HEIGHT,
    data: { values: rows },
    layer: [
      { mark: { type: "line", strokeWidth: 1.5, opacity: 0.7 }, encoding: { x, y, color } },
      {
        mark: { type: "point", size: 60, filled: true },
        encoding: { x, y, color, tooltip: [{ field: "p", type: "nominal" }, { field: "trainFraction", type: "quantitative" }, { field: "wc", type: "quantitative", title: "Wc", format: ".3~g" }] }
      }
    ]
  }
}

export default defineFigure({
  kind: "wcVsTrainFraction",
  schema: WcVsTrainFractionFigure,
  title: "Critical norm Wc against train fraction",
  spec
})

/** The figure's data from measure-wc's configurations at one lr; none unless some
 *  modulus has two train fractions with a measured Wc. */
export const wcVsTrainFractionOf = (
  configs: ReadonlyArray<{ readonly p: number; readonly trainFraction: number; readonly lr: number; readonly wc: number | null }>,
  lr: number | undefined
) => {
  const rows = configs.flatMap((c) => (c.lr !== lr || c.wc === null ? [] : [{ p: c.p, trainFraction: c.trainFraction, wc: c.wc }]))
  const cvs = cvByModulus(rows)
  if (lr === undefined || cvs.length === 0) return null
  return {
    caption: `Wc across train fractions {${[...new Set(rows.map((r) => r.trainFraction))].sort((x, y) => x - y).join(", ")}} at lr ${lr}: CV ${
      cvs.map((c) => `${num(c.cv, 2)}% at p=${c.p}`).join(", ")
    }`,
    lr,
    rows
  }
}
