/**
 * @grokflow-presentation: the whole kind — data Schema, title, Vega-Lite spec — only
 * builds what `grokflow report` draws, keyed per figure by its spec; no stage key
 * reads this file, so restyling a figure makes no stage stale.
 *
 * (c) Wc vs p, log–log, with the power law Wc = prefactor · p^β (paper A §6.1, §6.4).
 *
 * Wc vs p on log–log axes with the fitted power law Wc = c·p^β.
 */
import { Schema } from "effect"
import type { TopLevelSpec } from "vega-lite"
import { Interval } from "../fields.ts"
import { defineFigure, figureFields } from "../Figure.ts"
import { AXIS, base, fieldValues, linspace, logTicks, num, type Row, titleBlock, withCi, type XDef } from "../specs/common.ts"
import { INK, WIDTH, HEIGHT } from "../theme.ts"

export const WcScalingFigure = Schema.Struct(figureFields("wcScaling", {
  points: Schema.Array(Schema.Struct({
    p: Schema.Number,
    wc: Schema.Number,
    wcLow: Schema.optional(Schema.Number),
    wcHigh: Schema.optional(Schema.Number)
  })),
  /** OLS of ln Wc on ln p. */
  fit: Schema.Struct({
    beta: Schema.Number,
    betaCi: Schema.optional(Interval),
    prefactor: Schema.Number,
    r2: Schema.optional(Schema.Number)
  })
}))
export type WcScalingFigure = typeof WcScalingFigure.Type

const spec = (input: WcScalingFigure): TopLevelSpec => {
  const ps = input.points.map((r) => r.p)
  const lo = Math.min(...ps) * 0.9
  const hi = Math.max(...ps) * 1.1
  // Sampled in log p so the power law is a straight line of even density.
  const curve: Array<Row> = linspace(Math.log(lo), Math.log(hi), 40).map((lp) => ({
    p: Math.exp(lp),
    wcFit: input.fit.prefactor * Math.exp(input.fit.beta * lp)
  }))
  const rows: Array<Row> = input.points.map((r) => ({ p: r.p, wc: r.wc, wcLow: r.wcLow ?? null, wcHigh: r.wcHigh ?? null }))
  const x: XDef = { field: "p", type: "quantitative", title: AXIS.p, scale: { type: "log", domain: [lo, hi], nice: false }, axis: { values: ps, format: "d" } }
  const yScale = { type: "log", nice: false, padding: 10 } as const
  const yAxis = { values: logTicks(fieldValues(rows, "wc", "wcLow", "wcHigh"), fieldValues(curve, "wcFit")) }
  const r2 = input.fit.r2 === undefined ? "" : `, R² = ${num(input.fit.r2, 3)}`
  return {
    ...base,
    title: titleBlock(input, `Wc = ${num(input.fit.prefactor, 1)} · p^β with β = ${withCi(input.fit.beta, input.fit.betaCi)}${r2}`),
    width: WIDTH,
    height: HEIGHT,
    layer: [
      {
        data: { values: curve },
        mark: { type: "line", color: INK, strokeDash: [6, 4], strokeWidth: 1.5 },
        encoding: {
          x,
          y: { field: "wcFit", type: "quantitative", title: `${AXIS.wc} (log scale)`, scale: yScale, axis: yAxis },
          // A one-entry legend so the dashed line is named, not guessed.
          strokeDash: { datum: `fit: Wc ∝ p^${num(input.fit.beta, 2)}`, type: "nominal", title: null, scale: { range: [[6, 4]] } }
        }
      },
      {
        data: { values: rows },
        layer: [
          ...(rows.some((r) => r["wcLow"] !== null)
            ? [
                {
                  transform: [{ filter: "datum.wcLow != null && datum.wcHigh != null" }],
                  mark: { type: "rule" as const, color: "#0072B2", strokeWidth: 1.5 },
                  encoding: { x, y: { field: "wcLow", type: "quantitative" as const, scale: yScale }, y2: { field: "wcHigh" } }
                }
              ]
            : []),
          {
            mark: { type: "point", color: "#0072B2", size: 70, filled: true },
            encoding: {
              x,
              y: { field: "wc", type: "quantitative", scale: yScale },
              tooltip: [
                { field: "p", type: "quantitative" },
                { field: "wc", type: "quantitative", format: ".1f" }
              ]
            }
          }
        ]
      }
    ]
  }
}

export default defineFigure({
  kind: "wcScaling",
  schema: WcScalingFigure,
  title: "Critical norm Wc vs modulus p",
  spec
})
