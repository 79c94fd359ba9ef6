/**
 * @grokflow-presentation: builds only what `grokflow report` draws; each figure is
 * keyed by the spec it builds, so no stage key needs this file (docs/design.md).
 *
 * The delay law T_grok ∝ exp(α·ρ) under the sustained norm clamp (paper A §6.2–6.4):
 * (d) the clamp matrix — median T_grok (log) vs ρ, one line per lr, bootstrap bars;
 * (e) the dense ρ sweep with its exponential fit, CI band and extrapolation;
 * (f) the multi-p collapse — per-p points with parallel shared-α lines, and the
 *     same points divided by each p's intercept falling on one curve.
 * On a log y axis an exponential law is a straight line, which is how the papers
 * draw it and what makes the law (and its breakdown beyond ρ ≈ 1.25) visible.
 */
import type { TopLevelSpec } from "vega-lite"
import type { ClampMatrixFigure } from "../kinds/clampMatrix.ts"
import type { DenseSweepFigure, FitBandPoint } from "../kinds/denseSweep.ts"
import type { MultiPCollapseFigure } from "../kinds/multiPCollapse.ts"
import { BAND, HALF_WIDTH, HEIGHT, INK, MUTED, ORDINAL_SCHEME, WIDTH } from "../theme.ts"
import {
  AXIS,
  base,
  cellRows,
  errorBars,
  expCurveRows,
  extent,
  fieldValues,
  fitSummary,
  logTicks,
  linspace,
  num,
  type Row,
  STEPS_FORMAT,
  statusShape,
  tGrokY,
  titleBlock,
  withCi
} from "./common.ts"

/** "1e-3", "3e-4": how the papers write learning rates. */
export const lrLabel = (lr: number): string => lr.toExponential().replace(/\.?0+e/, "e").replace("e+", "e")

/** Horizontal offset of series i of n, so error bars at the same ρ do not overlap
 *  (the true ρ stays in the tooltip; the axis still reads ρ). */
const dodge = (i: number, n: number, width: number): number => (i - (n - 1) / 2) * width

export const clampMatrixSpec = (input: ClampMatrixFigure): TopLevelSpec => {
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

export const denseSweepSpec = (input: DenseSweepFigure): TopLevelSpec => {
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

export const multiPCollapseSpec = (input: MultiPCollapseFigure): TopLevelSpec => {
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
