/**
 * @grokflow-presentation: the whole kind — data Schema, title, Vega-Lite spec — only
 * builds what `grokflow report` draws, keyed per figure by its spec; no stage key
 * reads this file, so restyling a figure makes no stage stale.
 *
 * Wc per modular operation (an extension the papers invite: is the critical norm a
 * property of the task's operation?): the median ‖W‖ at T_grok under free training
 * for each op, labelled with its median T_grok and how many seeds grokked. An op
 * whose Wc is not identified (too few seeds grokked) is named under the axis, not
 * dropped.
 */
import { Schema } from "effect"
import type { TopLevelSpec } from "vega-lite"
import { defineFigure, figureFields } from "../Figure.ts"
import { AXIS, base, type Row, titleBlock, type XDef, type YDef } from "../specs/common.ts"
import { HEIGHT, INK, PALETTE, WIDTH } from "../theme.ts"

/** One operation's free-training result (stages/wc-vs-op.ts outputs these rows). */
export const OperationRow = Schema.Struct({
  op: Schema.String,
  /** Median ‖W‖ at T_grok; null when not identified. */
  wc: Schema.NullOr(Schema.Number),
  medianTGrok: Schema.NullOr(Schema.Number),
  grokked: Schema.Number,
  total: Schema.optional(Schema.Number)
})
export type OperationRow = typeof OperationRow.Type

export const WcByOperationFigure = Schema.Struct(figureFields("wcByOperation", {
  p: Schema.optional(Schema.Number),
  rows: Schema.Array(OperationRow)
}))
export type WcByOperationFigure = typeof WcByOperationFigure.Type

const fmt = (x: number): string => Number(x.toPrecision(3)).toString()

const spec = (input: WcByOperationFigure): TopLevelSpec => {
  const shown = input.rows.filter((r) => r.wc !== null)
  const missing = input.rows.filter((r) => r.wc === null).map((r) => r.op)
  const rows: Array<Row> = shown.map((r) => ({
    op: r.op,
    wc: r.wc,
    label: `${r.medianTGrok === null ? "censored" : Math.round(r.medianTGrok)} · ${r.grokked}${r.total === undefined ? "" : `/${r.total}`}`
  }))
  const wcs = shown.map((r) => r.wc ?? 0)
  const spread = wcs.length > 1 ? Math.max(...wcs) / Math.min(...wcs) : null
  // Every operation keeps its column, so one whose Wc is not identified shows as a gap.
  const x: XDef = { field: "op", type: "nominal", title: "operation (a ∘ b mod p)", scale: { domain: input.rows.map((r) => r.op) }, axis: { labelAngle: 0 } }
  const lo = wcs.length === 0 ? 0 : Math.min(...wcs)
  const hi = wcs.length === 0 ? 1 : Math.max(...wcs)
  const pad = Math.max((hi - lo) * 0.5, hi * 0.08)
  const y: YDef = { field: "wc", type: "quantitative", title: AXIS.wc, scale: { domain: [Math.max(0, lo - pad), hi + pad], zero: false } }
  return {
    ...base,
    title: titleBlock(input, [
      spread === null ? "" : `max/min Wc across operations ${fmt(spread)}×`,
      "labels: median T_grok (steps) · seeds grokked",
      missing.length === 0 ? "" : `not identified (too few seeds grokked): ${missing.join(", ")}`
    ].filter((s) => s !== "")),
    width: WIDTH,
    height: HEIGHT,
    data: { values: rows },
    layer: [
      {
        mark: { type: "point", filled: true, size: 90, color: PALETTE[0] },
        encoding: { x, y, tooltip: [{ field: "op", type: "nominal" }, { field: "wc", type: "quantitative", title: "Wc", format: ".3~g" }, { field: "label", type: "nominal", title: "cell" }] }
      },
      { mark: { type: "text", dy: -14, fontSize: 11, color: INK }, encoding: { x, y, text: { field: "label" } } }
    ]
  }
}

const wcByOperation = defineFigure({
  kind: "wcByOperation",
  schema: WcByOperationFigure,
  title: "Critical norm Wc per operation",
  spec
})
export default wcByOperation

/** The figure's data from one row per operation (what stages/wc-vs-op.ts feeds it). */
export const operationsFigure = (rows: ReadonlyArray<OperationRow>) =>
  rows.length === 0 ? null : {
    caption: `Wc per operation: ${rows.map((r) => `${r.op} ${r.wc === null ? "—" : fmt(r.wc)}`).join(", ")}`,
    rows
  }
