/**
 * @grokflow-presentation: the whole kind — data Schema, title, Vega-Lite spec — only
 * builds what `grokflow report` draws, keyed per figure by its spec; no stage key
 * reads this file, so restyling a figure makes no stage stale.
 *
 * (e) Dense ρ sweep with the exponential fit and its CI band (paper A §6.3).
 *
 * The dense ρ sweep with its exponential fit, CI band and extrapolation.
 * On a log y axis an exponential law is a straight line, which is how the papers
 * draw it and what makes the law (and its breakdown beyond ρ ≈ 1.25) visible.
 */
import { Schema } from "effect"
import type { TopLevelSpec } from "vega-lite"
import { cellOutcomeFields, ExponentialFit } from "../fields.ts"
import { defineFigure, figureFields } from "../Figure.ts"
import {
  AXIS,
  base,
  cellRows,
  errorBars,
  expCurveRows,
  extent,
  fieldValues,
  fitSummary,
  linspace,
  logTicks,
  num,
  statusShape,
  tGrokY,
  titleBlock
} from "../specs/common.ts"
import { INK, BAND, WIDTH, HEIGHT } from "../theme.ts"

/** The fitted T(ρ) with a pointwise 95% band (bootstrap over seeds, refit). */
export const FitBandPoint = Schema.Struct({ rho: Schema.Number, lower: Schema.Number, upper: Schema.Number })
export type FitBandPoint = typeof FitBandPoint.Type

export const DenseSweepFigure = Schema.Struct(figureFields("denseSweep", {
  cells: Schema.Array(Schema.Struct({ ...cellOutcomeFields, rho: Schema.Number })),
  fit: ExponentialFit,
  /** Pointwise band of the fitted curve. When absent the band is derived from
   *  `fit.alphaCi` by pivoting the line about the centroid of the fitted cells (the
   *  OLS line always passes through it), which is approximate and labelled so. */
  band: Schema.optional(Schema.Array(FitBandPoint)),
  wc: Schema.Number
}))
export type DenseSweepFigure = typeof DenseSweepFigure.Type

/** The fitted curve's pointwise band. Given by the stage when it bootstrapped the fit;
 *  otherwise pivoted about the fitted cells' centroid with α at its CI ends (the OLS
 *  line passes through the centroid, so this is the slope uncertainty alone — an
 *  approximation, and the subtitle says so). */
const bandRows = (input: DenseSweepFigure, lo: number, hi: number): { rows: Array<FitBandPoint>; approximate: boolean } | null => {
  if (input.band !== undefined) return { rows: [...input.band], approximate: false }
  const ci = input.fit.alphaCi
  if (ci === undefined) return null
  const [fLo, fHi] = input.fit.fitRange ?? [lo, hi]
  const inFit = input.cells.filter((c) => c.medianTGrok !== null && c.rho >= fLo && c.rho <= fHi)
  if (inFit.length === 0) return null
  const rc = inFit.reduce((a, c) => a + c.rho, 0) / inFit.length
  const yc = input.fit.intercept + input.fit.alpha * rc
  const rows = linspace(lo, hi, 60).map((rho) => {
    const a = Math.exp(yc + ci[0] * (rho - rc))
    const b = Math.exp(yc + ci[1] * (rho - rc))
    return { rho, lower: Math.min(a, b), upper: Math.max(a, b) }
  })
  return { rows, approximate: true }
}

const spec = (input: DenseSweepFigure): TopLevelSpec => {
  const [lo, hi] = extent(input.cells.map((c) => c.rho))
  const rows = cellRows(input.cells, (c) => {
    const fitT = Math.exp(input.fit.intercept + input.fit.alpha * c.rho)
    const [fLo, fHi] = input.fit.fitRange ?? [lo, hi]
    const outside = c.rho < fLo - 1e-9 || c.rho > fHi + 1e-9
    // Beyond the fit range, say how far the cell falls from the extrapolated law
    // (paper A: ρ = 1.30 lands at 0.69× of it).
    return { rho: c.rho, label: outside && c.medianTGrok !== null ? `${num(c.medianTGrok / fitT, 2)}× fit` : "" }
  })
  const curve = expCurveRows(input.fit, lo, hi, "rho")
  const band = bandRows(input, lo, hi)
  const x = { field: "rho", type: "quantitative", title: AXIS.rho, scale: { zero: false, padding: 12 }, axis: { format: ".2f" } } as const
  const ticks = logTicks(fieldValues(rows, "tGrok", "ciLow", "ciHigh"), fieldValues(curve, "tFit"))
  const y = tGrokY(ticks)
  return {
    ...base,
    title: titleBlock(input, [
      `${fitSummary(input.fit)}; Wc = ${num(input.wc, 2)}`,
      `points: median T_grok, 95% CI · line: fit, dashed beyond its range · band: 95%${band?.approximate === true ? " (α's CI)" : ""}`
    ]),
    width: WIDTH,
    height: HEIGHT,
    layer: [
      ...(band === null
        ? []
        : [
            {
              data: { values: band.rows.map((b) => ({ ...b })) },
              mark: { type: "area" as const, color: BAND, opacity: 0.6 },
              encoding: { x: { field: "rho", type: "quantitative" as const }, y: tGrokY(ticks, "lower"), y2: { field: "upper" } }
            }
          ]),
      {
        data: { values: curve },
        mark: { type: "line", color: INK, strokeWidth: 1.75 },
        encoding: {
          x: { field: "rho", type: "quantitative" },
          y: tGrokY(ticks, "tFit"),
          detail: { field: "segment" },
          // A condition, not a scale: a scale over [false, true] breaks vega's dataflow
          // when every row is inside the fit range (one domain value present).
          strokeDash: { condition: { test: "datum.extrapolated", value: [5, 4] }, value: [1, 0] }
        }
      },
      {
        data: { values: rows },
        layer: [
          ...errorBars(rows, x, ticks),
          {
            mark: { type: "point", size: 60, filled: true, color: "#D55E00" },
            encoding: { x, y, shape: { ...statusShape, legend: null }, tooltip: [{ field: "rho", type: "quantitative", title: "ρ" }, { field: "tGrok", type: "quantitative", title: "median T_grok" }] }
          },
          // Only when some cell lies outside the fit range: an all-filtered layer
          // makes vega warn about an infinite extent.
          ...(rows.some((r) => r["label"] !== "")
            ? [
                {
                  transform: [{ filter: "datum.label != ''" }],
                  // Below the point: above it run the fit's dashed extrapolation and the
                  // neighbouring cell.
                  mark: { type: "text" as const, dy: 10, align: "center" as const, baseline: "top" as const, color: INK },
                  encoding: { x, y, text: { field: "label" } }
                }
              ]
            : [])
        ]
      }
    ]
  }
}

export default defineFigure({
  kind: "denseSweep",
  schema: DenseSweepFigure,
  title: "Dense ρ sweep: the exponential delay law",
  spec
})
