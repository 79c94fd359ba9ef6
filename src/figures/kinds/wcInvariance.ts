/**
 * @grokflow-presentation: the whole kind — data Schema, title, Vega-Lite spec — only
 * builds what `grokflow report` draws, keyed per figure by its spec; no stage key
 * reads this file, so restyling a figure makes no stage stale.
 *
 * (b) Wc vs train fraction and vs lr (paper A §6.1).
 *
 * Wc vs train fraction and vs lr — two panels on one y scale, a dashed line at
 * each panel's mean, so "flat to 1–2%" reads as flat; the lr panel labels each
 * point with its median T_grok to show the delay moving while Wc does not.
 */
import { Schema } from "effect"
import type { TopLevelSpec } from "vega-lite"
import { defineFigure, figureFields } from "../Figure.ts"
import { AXIS, base, cvPercent, mean, num, type Panel, type Row, titleBlock, type XDef, type YDef } from "../specs/common.ts"
import { INK, MUTED, HEIGHT, HALF_WIDTH } from "../theme.ts"

export const WcByTrainFraction = Schema.Struct({
  trainFraction: Schema.Number,
  wc: Schema.Number,
  wcLow: Schema.optional(Schema.Number),
  wcHigh: Schema.optional(Schema.Number)
})

export const WcByLr = Schema.Struct({
  lr: Schema.Number,
  wc: Schema.Number,
  wcLow: Schema.optional(Schema.Number),
  wcHigh: Schema.optional(Schema.Number),
  /** Median T_grok at this lr: shown as a label, to make "Wc flat while T_grok moves
   *  ≈ 7×" visible in one panel. */
  medianTGrok: Schema.optional(Schema.Number)
})

export const WcInvarianceFigure = Schema.Struct(figureFields("wcInvariance", {
  /** Rows at one p (paper: 59), λ = 1, lr 1e-3. */
  byTrainFraction: Schema.Array(WcByTrainFraction),
  /** Rows at one p and λ (paper: λ = 3). */
  byLr: Schema.Array(WcByLr),
  /** The weight decay of the lr panel, for its title. */
  lrPanelWeightDecay: Schema.optional(Schema.Number)
}))
export type WcInvarianceFigure = typeof WcInvarianceFigure.Type

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

const spec = (input: WcInvarianceFigure): TopLevelSpec => {
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

export default defineFigure({
  kind: "wcInvariance",
  schema: WcInvarianceFigure,
  title: "Critical norm Wc vs train fraction and learning rate",
  spec
})
