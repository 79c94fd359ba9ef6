/**
 * @grokflow-presentation: builds only what `grokflow report` draws; each figure is
 * keyed by the spec it builds, so no stage key needs this file (docs/design.md).
 *
 * The critical norm Wc (paper A §6.1):
 * (b) Wc vs train fraction and vs lr — two panels on one y scale, a dashed line at
 *     each panel's mean, so "flat to 1–2%" reads as flat; the lr panel labels each
 *     point with its median T_grok to show the delay moving while Wc does not;
 * (c) Wc vs p on log–log axes with the fitted power law Wc = c·p^β.
 */
import type { TopLevelSpec } from "vega-lite"
import type { WcInvarianceFigure } from "../kinds/wcInvariance.ts"
import type { WcScalingFigure } from "../kinds/wcScaling.ts"
import { HALF_WIDTH, HEIGHT, INK, MUTED, WIDTH } from "../theme.ts"
import { AXIS, base, fieldValues, linspace, logTicks, num, type Panel, type Row, titleBlock, withCi, type XDef, type YDef } from "./common.ts"

/** Coefficient of variation in percent: the papers' measure of "flat". */
const cvPercent = (xs: ReadonlyArray<number>): number => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, xs.length - 1))
  return (100 * sd) / m
}

const mean = (xs: ReadonlyArray<number>): number => xs.reduce((a, b) => a + b, 0) / xs.length

/** One Wc panel: points with optional error bars and a dashed mean line. */
const wcPanel = (
  rows: ReadonlyArray<Row>,
  xField: string,
  xTitle: string,
  xLog: boolean,
  yDomain: readonly [number, number],
  title: string,
  labelField?: string
): Panel => {
  const x: XDef = {
    field: xField,
    type: "quantitative",
    title: xTitle,
    // No "nice" on the log axis: rounding the domain out to decades squeezes three
    // lrs into the middle third of the panel.
    scale: xLog ? { type: "log", nice: false, padding: 28 } : { zero: false, nice: false, padding: 20 },
    axis: xLog ? { format: "~e", values: rows.map((r) => r[xField] as number) } : { format: ".2f", values: rows.map((r) => r[xField] as number) }
  }
  const y: YDef = { field: "wc", type: "quantitative", title: AXIS.wc, scale: { domain: [...yDomain], zero: false } }
  const m = mean(rows.map((r) => r["wc"] as number))
  return {
    width: HALF_WIDTH,
    height: HEIGHT,
    // The mean is named in the panel title, not on the line, where it would collide
    // with points that sit on it by construction.
    title: { text: title, subtitle: `dashed: mean ${num(m, 1)}`, fontSize: 12, subtitleFontSize: 11, fontWeight: "normal", anchor: "middle" },
    layer: [
      {
        data: { values: [{ mean: m }] },
        mark: { type: "rule", color: MUTED, strokeDash: [5, 4] },
        encoding: { y: { field: "mean", type: "quantitative" } }
      },
      {
        data: { values: [...rows] },
        layer: [
          ...(rows.some((r) => r["wcLow"] !== null)
            ? [
                {
                  transform: [{ filter: "datum.wcLow != null && datum.wcHigh != null" }],
                  mark: { type: "rule" as const, color: "#0072B2", strokeWidth: 1.5 },
                  encoding: { x, y: { field: "wcLow", type: "quantitative" as const }, y2: { field: "wcHigh" } }
                }
              ]
            : []),
          { mark: { type: "line", color: "#0072B2", strokeWidth: 1, opacity: 0.5 }, encoding: { x, y } },
          { mark: { type: "point", color: "#0072B2", size: 60, filled: true }, encoding: { x, y } },
          ...(labelField === undefined || rows.every((r) => r[labelField] === null)
            ? []
            : [
                {
                  transform: [{ filter: `datum.${labelField} != null` }],
                  mark: { type: "text" as const, dy: -12, color: INK, fontSize: 11 },
                  encoding: { x, y: { field: "wcHigh", type: "quantitative" as const }, text: { field: "label" } }
                }
              ])
        ]
      }
    ]
  }
}

export const wcInvarianceSpec = (input: WcInvarianceFigure): TopLevelSpec => {
  const tfRows: Array<Row> = input.byTrainFraction.map((r) => ({
    trainFraction: r.trainFraction,
    wc: r.wc,
    wcLow: r.wcLow ?? null,
    wcHigh: r.wcHigh ?? null
  }))
  const lrRows: Array<Row> = input.byLr.map((r) => ({
    lr: r.lr,
    wc: r.wc,
    wcLow: r.wcLow ?? r.wc,
    wcHigh: r.wcHigh ?? r.wc,
    medianTGrok: r.medianTGrok ?? null,
    label: r.medianTGrok === undefined ? "" : `${Math.round(r.medianTGrok)}`
  }))
  // One y domain for both panels, ±12% around the data: wide enough that a 1–2%
  // spread looks as small as it is, tight enough to show the error bars.
  const all = [...input.byTrainFraction, ...input.byLr].flatMap((r) => [r.wc, r.wcLow ?? r.wc, r.wcHigh ?? r.wc])
  const m = mean(all)
  const yDomain = [Math.min(m * 0.88, Math.min(...all) - 1), Math.max(m * 1.12, Math.max(...all) + 2)] as const
  // A profile may sweep only one of the two factors: draw only the panels it has.
  const cvTf = input.byTrainFraction.length > 1 ? `CV ${num(cvPercent(input.byTrainFraction.map((r) => r.wc)), 1)}% across train fractions` : null
  const cvLr = input.byLr.length > 1 ? `CV ${num(cvPercent(input.byLr.map((r) => r.wc)), 1)}% across lr` : null
  const tg = input.byLr.map((r) => r.medianTGrok).filter((t): t is number => t !== undefined)
  const tgFold = tg.length > 1 ? Math.max(...tg) / Math.min(...tg) : null
  const lam = input.lrPanelWeightDecay
  return {
    ...base,
    title: titleBlock(
      input,
      [cvTf, cvLr].filter((t) => t !== null).join("; ") +
        (tgFold === null ? "" : ` while T_grok moves ${num(tgFold, 1)}×`)
    ),
    hconcat: [
      ...(tfRows.length === 0 ? [] : [wcPanel(tfRows, "trainFraction", AXIS.trainFraction, false, yDomain, "vs train fraction")]),
      ...(lrRows.length === 0 ? [] : [wcPanel(
        lrRows,
        "lr",
        AXIS.lr,
        true,
        yDomain,
        `vs learning rate${lam === undefined ? "" : ` (λ = ${lam})`}${tg.length > 0 ? "; labels: median T_grok" : ""}`,
        "medianTGrok"
      )])
    ]
  }
}

export const wcScalingSpec = (input: WcScalingFigure): TopLevelSpec => {
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
