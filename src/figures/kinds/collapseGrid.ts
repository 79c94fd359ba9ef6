/**
 * @grokflow-presentation: the whole kind — data Schema, title, Vega-Lite spec — only
 * builds what `grokflow report` draws, keyed per figure by its spec; no stage key
 * reads this file, so restyling a figure makes no stage stale.
 *
 * (j) Collapse grid: ln T vs L coloured by ρ, shape by τ (paper B §6.2).
 *
 * The collapse grid: every (ρ, τ) cell's delay vs its L, coloured by ρ, shaped by
 * τ, with the single fit of ln T on L — if the cells fall on one line whatever
 * their ρ, L carries the effect.
 */
import { Schema } from "effect"
import type { TopLevelSpec } from "vega-lite"
import { ExponentialFit, TemperatureCell } from "../fields.ts"
import { defineFigure, figureFields } from "../Figure.ts"
import {
  AXIS,
  base,
  expCurveRows,
  extent,
  fieldValues,
  logTicks,
  num,
  type Row,
  tGrokY,
  titleBlock,
  withCi,
  type XDef
} from "../specs/common.ts"
import { ORDINAL_SCHEME, INK, WIDTH, HEIGHT } from "../theme.ts"

export const CollapseGridFigure = Schema.Struct(figureFields("collapseGrid", {
  p: Schema.Number,
  cells: Schema.Array(TemperatureCell),
  /** ln T = intercept + slope·L (α is the slope in L), with R² on L alone. */
  fit: ExponentialFit,
  /** R² of ln T on ρ alone, and the gain from adding ρ to L. */
  r2RhoOnly: Schema.optional(Schema.Number),
  deltaR2AddingRho: Schema.optional(Schema.Number)
}))
export type CollapseGridFigure = typeof CollapseGridFigure.Type

const spec = (input: CollapseGridFigure): TopLevelSpec => {
  const cells = input.cells.filter((c) => c.medianTGrok !== null)
  const [lo, hi] = extent(cells.map((c) => c.L))
  const rows: Array<Row> = cells.map((c) => ({ L: c.L, tGrok: c.medianTGrok, rho: num(c.rho, 2), tau: num(c.tau, 1) }))
  const curve = expCurveRows(input.fit, lo, hi, "L", 30)
  const ticks = logTicks(fieldValues(rows, "tGrok"), fieldValues(curve, "tFit"))
  const rhos = [...new Set(cells.map((c) => c.rho))].sort((a, b) => a - b).map((r) => num(r, 2))
  const taus = [...new Set(cells.map((c) => c.tau))].sort((a, b) => a - b).map((t) => num(t, 1))
  const x: XDef = { field: "L", type: "quantitative", title: AXIS.L, scale: { zero: false, padding: 12 } }
  const extra = [
    input.r2RhoOnly === undefined ? null : `ρ alone R² = ${num(input.r2RhoOnly, 2)}`,
    input.deltaR2AddingRho === undefined ? null : `adding ρ to L: ΔR² = ${num(input.deltaR2AddingRho, 3)}`
  ].filter((s): s is string => s !== null)
  return {
    ...base,
    title: titleBlock(input, [
      `ln T = a + b·L on L alone: b = ${withCi(input.fit.alpha, input.fit.alphaCi, 3)}, R² = ${num(input.fit.r2, 3)}`,
      ...(extra.length === 0 ? [] : [extra.join("; ")])
    ]),
    width: WIDTH,
    height: HEIGHT,
    layer: [
      {
        data: { values: curve },
        mark: { type: "line", color: INK, strokeWidth: 1.5, strokeDash: [6, 4] },
        encoding: { x: { field: "L", type: "quantitative" }, y: tGrokY(ticks, "tFit"), detail: { field: "segment" } }
      },
      {
        data: { values: rows },
        mark: { type: "point", size: 85, filled: true, opacity: 0.95, stroke: "white", strokeWidth: 0.5 },
        encoding: {
          x,
          y: tGrokY(ticks),
          color: { field: "rho", type: "ordinal", title: "ρ", scale: { domain: rhos, scheme: ORDINAL_SCHEME } },
          shape: { field: "tau", type: "nominal", title: "τ", scale: { domain: taus, range: ["circle", "square", "triangle-up", "diamond", "cross"] } }
        }
      }
    ]
  }
}

export default defineFigure({
  kind: "collapseGrid",
  schema: CollapseGridFigure,
  title: "Collapse grid: delay is a function of L",
  spec
})
