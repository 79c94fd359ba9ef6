/**
 * @grokflow-presentation: the whole kind — data Schema, title, Vega-Lite spec — only
 * builds what `grokflow report` draws, keyed per figure by its spec; no stage key
 * reads this file, so restyling a figure makes no stage stale.
 *
 * (h) LayerNorm control (paper A §6.6): the delay law with and without normalization.
 *
 * LayerNorm vs un-normalized: median T_grok (log) vs ρ per model variant, with
 * the exponential fit drawn for the variants that have one.
 */
import { Schema } from "effect"
import type { TopLevelSpec } from "vega-lite"
import { cellOutcomeFields, exponentialFitFields } from "../fields.ts"
import { defineFigure, figureFields } from "../Figure.ts"
import { base, cellRows, type ColorDef, expCurveRows, extent, num, type Row, titleBlock, withCi } from "../specs/common.ts"
import { seriesVsRho } from "../specs/seriesVsRho.ts"
import { WIDTH, HEIGHT } from "../theme.ts"

export const LayerNormFigure = Schema.Struct(figureFields("layerNorm", {
  /** `variant`: e.g. "attention, pre-LN", "attention, no LN", "MLP + final LN". */
  cells: Schema.Array(Schema.Struct({ ...cellOutcomeFields, rho: Schema.Number, variant: Schema.String })),
  /** Per-variant exponential fits (a variant with no law is omitted). */
  fits: Schema.optional(Schema.Array(Schema.Struct({ ...exponentialFitFields, variant: Schema.String })))
}))
export type LayerNormFigure = typeof LayerNormFigure.Type

const spec = (input: LayerNormFigure): TopLevelSpec => {
  const fitted = new Set((input.fits ?? []).map((f) => f.variant))
  const variants = [...new Set(input.cells.map((c) => c.variant))]
  // Variants with a fit get the fitted line; the rest are joined point to point so
  // their (flat) shape is still visible.
  const rows = cellRows(input.cells, (c) => ({ rho: c.rho, variant: c.variant, connect: !fitted.has(c.variant) }))
  const curves: Array<Row> = (input.fits ?? []).flatMap((fit) => {
    const rs = input.cells.filter((c) => c.variant === fit.variant).map((c) => c.rho)
    if (rs.length === 0) return []
    const [lo, hi] = extent(rs)
    return expCurveRows(fit, lo, hi, "rho", 30).map((r) => ({ ...r, variant: fit.variant }))
  })
  const color: ColorDef = { field: "variant", type: "nominal", title: "model", scale: { domain: variants } }
  const fitLines = (input.fits ?? []).map((f) => `${f.variant}: α = ${withCi(f.alpha, f.alphaCi)}, R² = ${num(f.r2, 3)}`)
  const flat = variants
    .filter((v) => !fitted.has(v))
    .map((v) => {
      const ts = input.cells.filter((c) => c.variant === v && c.medianTGrok !== null).map((c) => c.medianTGrok as number)
      return ts.length > 1 ? `${v}: T_grok moves ${num(Math.max(...ts) / Math.min(...ts), 1)}×` : ""
    })
    .filter((s) => s !== "")
  return {
    ...base,
    title: titleBlock(input, [...fitLines, ...flat]),
    width: WIDTH,
    height: HEIGHT,
    // Only variants without a fit are joined point to point; with none, that layer would be empty.
    layer: seriesVsRho(rows, color, variants.some((v) => !fitted.has(v)), curves)
  }
}

export default defineFigure({
  kind: "layerNorm",
  schema: LayerNormFigure,
  title: "LayerNorm control: with vs without normalization",
  spec
})
