/**
 * @grokflow-presentation: the whole kind — data Schema, title, Vega-Lite spec — only
 * builds what `grokflow report` draws, keyed per figure by its spec; no stage key
 * reads this file, so restyling a figure makes no stage stale.
 *
 * (f) Multi-p collapse with one shared α (paper A §6.4).
 *
 * The multi-p collapse — per-p points with parallel shared-α lines, and the
 * same points divided by each p's intercept falling on one curve.
 */
import { Schema } from "effect"
import type { TopLevelSpec } from "vega-lite"
import { cellOutcomeFields, Interval } from "../fields.ts"
import { defineFigure, figureFields } from "../Figure.ts"
import {
  AXIS,
  base,
  cellRows,
  errorBars,
  extent,
  fieldValues,
  linspace,
  logTicks,
  num,
  type Row,
  STEPS_FORMAT,
  tGrokY,
  titleBlock,
  withCi
} from "../specs/common.ts"
import { ORDINAL_SCHEME, INK, HEIGHT, HALF_WIDTH } from "../theme.ts"

export const MultiPCollapseFigure = Schema.Struct(figureFields("multiPCollapse", {
  cells: Schema.Array(Schema.Struct({ ...cellOutcomeFields, p: Schema.Number, rho: Schema.Number })),
  fit: Schema.Struct({
    alpha: Schema.Number,
    alphaCi: Schema.optional(Interval),
    r2: Schema.Number,
    /** One intercept per p: ln T = intercept_p + α·ρ. */
    intercepts: Schema.Array(Schema.Struct({ p: Schema.Number, intercept: Schema.Number }))
  }),
  /** Moduli left out of the fit, with why (paper: p = 31, ρ = 0.85 never groks). */
  excluded: Schema.optional(Schema.Array(Schema.Struct({ p: Schema.Number, reason: Schema.String })))
}))
export type MultiPCollapseFigure = typeof MultiPCollapseFigure.Type

const spec = (input: MultiPCollapseFigure): TopLevelSpec => {
  const ps = [...new Set(input.cells.map((c) => c.p))].sort((a, b) => a - b)
  const interceptOf = new Map(input.fit.intercepts.map((i) => [i.p, i.intercept]))
  const rows = cellRows(input.cells, (c) => {
    const b = interceptOf.get(c.p)
    return {
      p: c.p,
      rho: c.rho,
      // Dividing out each p's intercept leaves exp(α·ρ): the "collapse".
      collapsed: b === undefined || c.medianTGrok === null ? null : c.medianTGrok / Math.exp(b),
      inFit: b !== undefined
    }
  })
  const lines: Array<Row> = input.fit.intercepts.flatMap(({ p, intercept }) => {
    const rs = input.cells.filter((c) => c.p === p).map((c) => c.rho)
    if (rs.length === 0) return []
    const [lo, hi] = extent(rs)
    return linspace(lo, hi, 20).map((rho) => ({ p, rho, tFit: Math.exp(intercept + input.fit.alpha * rho) }))
  })
  const [rLo, rHi] = extent(input.cells.map((c) => c.rho))
  const master: Array<Row> = linspace(rLo, rHi, 30).map((rho) => ({ rho, tFit: Math.exp(input.fit.alpha * rho) }))
  const color = { field: "p", type: "ordinal", title: "p", scale: { domain: ps, scheme: ORDINAL_SCHEME } } as const
  const ticks = logTicks(fieldValues(rows, "tGrok", "ciLow", "ciHigh"), fieldValues(lines, "tFit"))
  const collapsedTicks = logTicks(fieldValues(rows, "collapsed"), fieldValues(master, "tFit"))
  const x = { field: "rho", type: "quantitative", title: AXIS.rho, scale: { zero: false, padding: 10 }, axis: { format: ".2f", tickCount: 5 } } as const
  const excluded = (input.excluded ?? []).map((e) => `p = ${e.p} excluded (${e.reason})`).join("; ")
  return {
    ...base,
    title: titleBlock(input, [`shared α = ${withCi(input.fit.alpha, input.fit.alphaCi)}, R² = ${num(input.fit.r2, 3)}, one intercept per p`, ...(excluded === "" ? [] : [excluded])]),
    resolve: { scale: { y: "independent" } },
    hconcat: [
      {
        width: HALF_WIDTH,
        height: HEIGHT,
        title: { text: "per p: shared-slope fit", fontSize: 12, fontWeight: "normal", anchor: "middle" },
        layer: [
          {
            data: { values: lines },
            mark: { type: "line", strokeWidth: 1.75 },
            encoding: { x: { field: "rho", type: "quantitative" }, y: { field: "tFit", type: "quantitative", scale: { type: "log" } }, color }
          },
          {
            data: { values: rows },
            layer: [
              ...errorBars(rows, x, ticks, color),
              // Cells of a modulus left out of the fit are drawn faint.
              { mark: { type: "point", size: 55, filled: true }, encoding: { x, y: tGrokY(ticks), color, opacity: { condition: { test: "datum.inFit", value: 1 }, value: 0.35 } } }
            ]
          }
        ]
      },
      {
        width: HALF_WIDTH,
        height: HEIGHT,
        title: { text: "collapsed: T_grok / e^(intercept_p)", fontSize: 12, fontWeight: "normal", anchor: "middle" },
        layer: [
          {
            data: { values: master },
            mark: { type: "line", color: INK, strokeWidth: 1.75 },
            encoding: { x: { field: "rho", type: "quantitative" }, y: { field: "tFit", type: "quantitative", scale: { type: "log" } } }
          },
          {
            data: { values: rows },
            transform: [{ filter: "datum.collapsed != null" }],
            mark: { type: "point", size: 55, filled: true },
            encoding: {
              x,
              y: { field: "collapsed", type: "quantitative", title: "T_grok / e^(intercept_p) (log scale)", scale: { type: "log", nice: false, padding: 8 }, axis: { format: STEPS_FORMAT, values: collapsedTicks } },
              color
            }
          }
        ]
      }
    ]
  }
}

export default defineFigure({
  kind: "multiPCollapse",
  schema: MultiPCollapseFigure,
  title: "Across moduli: one shared α",
  spec
})
