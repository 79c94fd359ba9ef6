/**
 * @grokflow-presentation: builds only what `grokflow report` draws; each figure is
 * keyed by the spec it builds, so no stage key needs this file (docs/design.md).
 *
 * Paper A's controls — the law needs the *sustained* hold, and it needs the norm to
 * reach the logits (no LayerNorm):
 * (g) one-shot rescale vs sustained clamp: median T_grok (log) vs ρ, two series;
 * (h) LayerNorm vs un-normalized: median T_grok (log) vs ρ per model variant, with
 *     the exponential fit drawn for the variants that have one.
 * Both are "series vs ρ" plots; `seriesVsRho` draws that shape once.
 */
import type { TopLevelSpec } from "vega-lite"
import type { LayerNormFigure } from "../kinds/layerNorm.ts"
import type { OneShotVsSustainedFigure } from "../kinds/oneShotVsSustained.ts"
import { HEIGHT, WIDTH } from "../theme.ts"
import {
  AXIS,
  base,
  cellRows,
  type ColorDef,
  errorBars,
  expCurveRows,
  extent,
  fieldValues,
  logTicks,
  type Layer,
  num,
  type Row,
  statusShape,
  tGrokY,
  titleBlock,
  withCi,
  type XDef
} from "./common.ts"

/** Points with CI bars for each series, plus either connecting lines (no fit) or
 *  caller-supplied fit curves. */
const seriesVsRho = (rows: ReadonlyArray<Row>, color: ColorDef, connect: boolean, fitCurves: ReadonlyArray<Row> = []): Array<Layer> => {
  const x: XDef = { field: "rho", type: "quantitative", title: AXIS.rho, scale: { zero: false, padding: 12 }, axis: { format: ".2f" } }
  const ticks = logTicks(fieldValues(rows, "tGrok", "ciLow", "ciHigh"), fieldValues(fitCurves, "tFit"))
  return [
    ...(fitCurves.length === 0
      ? []
      : [
          {
            data: { values: [...fitCurves] },
            mark: { type: "line" as const, strokeWidth: 1.75 },
            encoding: {
              x: { field: "rho", type: "quantitative" as const },
              y: tGrokY(ticks, "tFit"),
              color,
              detail: { field: "segment" },
              strokeDash: { condition: { test: "datum.extrapolated", value: [5, 4] }, value: [1, 0] }
            }
          }
        ]),
    {
      data: { values: [...rows] },
      layer: [
        ...errorBars(rows, x, ticks, color),
        ...(connect
          ? [{ transform: [{ filter: "datum.connect" }], mark: { type: "line" as const, strokeWidth: 1.5, opacity: 0.7 }, encoding: { x, y: tGrokY(ticks), color } }]
          : []),
        {
          mark: { type: "point", size: 60, filled: true },
          encoding: { x, y: tGrokY(ticks), color, shape: statusShape }
        }
      ]
    }
  ]
}

export const oneShotVsSustainedSpec = (input: OneShotVsSustainedFigure): TopLevelSpec => {
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

export const layerNormSpec = (input: LayerNormFigure): TopLevelSpec => {
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
