/**
 * @grokflow-presentation: the whole kind — data Schema, title, Vega-Lite spec — only
 * builds what `grokflow report` draws, keyed per figure by its spec; no stage key
 * reads this file, so restyling a figure makes no stage stale.
 *
 * (k) MSE vs CE under temperature (paper B §6.3).
 *
 * MSE vs CE — L vs τ and T_grok vs τ, one series per loss: under MSE the logits
 * stay near the one-hot target, so τ barely moves L and barely moves the delay.
 */
import { Schema } from "effect"
import type { TopLevelSpec } from "vega-lite"
import { TemperatureCell } from "../fields.ts"
import { defineFigure, figureFields } from "../Figure.ts"
import { base, type ColorDef, errorBars, fieldValues, logTicks, num, type Row, tauX, tGrokY, titleBlock } from "../specs/common.ts"
import { HEIGHT, HALF_WIDTH } from "../theme.ts"

export const LossCell = Schema.Struct({ ...TemperatureCell.fields, loss: Schema.Literals(["CE", "MSE"]) })
export type LossCell = typeof LossCell.Type

export const MseVsCeFigure = Schema.Struct(figureFields("mseVsCe", {
  p: Schema.Number,
  cells: Schema.Array(LossCell),
  /** T1/T0 (norm-up effect) per loss, for the subtitle. */
  normUpEffect: Schema.optional(Schema.Struct({ CE: Schema.optional(Schema.Number), MSE: Schema.optional(Schema.Number) }))
}))
export type MseVsCeFigure = typeof MseVsCeFigure.Type

const spec = (input: MseVsCeFigure): TopLevelSpec => {
  const rows: Array<Row> = input.cells.map((c) => ({ loss: c.loss, rho: `ρ = ${num(c.rho, 2)}`, tau: c.tau, L: c.L, tGrok: c.medianTGrok, ciLow: c.ciLow ?? null, ciHigh: c.ciHigh ?? null }))
  const taus = [...new Set(input.cells.map((c) => c.tau))].sort((a, b) => a - b)
  // One line per (loss, ρ): the baseline ρ = 1 cell must not be joined to the τ sweep.
  const detail = { field: "rho", type: "nominal" } as const
  const shape = { field: "rho", type: "nominal", title: "held norm" } as const
  const x = tauX(taus)
  const color: ColorDef = { field: "loss", type: "nominal", title: "loss", scale: { domain: ["CE", "MSE"] } }
  const ticks = logTicks(fieldValues(rows, "tGrok", "ciLow", "ciHigh"))
  const lTicks = logTicks(fieldValues(rows, "L"))
  const rhos = [...new Set(input.cells.map((c) => c.rho))]
  const e = input.normUpEffect
  const effect =
    e === undefined
      ? []
      : [
          [e.CE === undefined ? null : `CE ${num(e.CE, 2)}×`, e.MSE === undefined ? null : `MSE ${num(e.MSE, 2)}×`]
            .filter((s): s is string => s !== null)
            .join(", ")
        ].map((s) => `norm-up effect T1/T0: ${s}`)
  return {
    ...base,
    title: titleBlock(input, [`at ρ = ${rhos.map((r) => num(r, 2)).join(", ")}; L and T_grok on log scales`, ...effect]),
    data: { values: rows },
    hconcat: [
      {
        width: HALF_WIDTH,
        height: HEIGHT,
        title: { text: "effective logit scale", fontSize: 12, fontWeight: "normal", anchor: "middle" },
        layer: [
          { mark: { type: "line", strokeWidth: 1.75 }, encoding: { x, y: { field: "L", type: "quantitative", title: "L (log scale)", scale: { type: "log", nice: false, padding: 10 }, axis: { values: lTicks } }, color, detail } },
          { mark: { type: "point", size: 60, filled: true }, encoding: { x, y: { field: "L", type: "quantitative" }, color, shape } }
        ]
      },
      {
        width: HALF_WIDTH,
        height: HEIGHT,
        title: { text: "delay", fontSize: 12, fontWeight: "normal", anchor: "middle" },
        transform: [{ filter: "datum.tGrok != null" }],
        layer: [
          ...errorBars(rows, x, ticks, color),
          { mark: { type: "line", strokeWidth: 1.75 }, encoding: { x, y: tGrokY(ticks), color, detail } },
          { mark: { type: "point", size: 60, filled: true }, encoding: { x, y: tGrokY(ticks), color, shape } }
        ]
      }
    ]
  }
}

export default defineFigure({
  kind: "mseVsCe",
  schema: MseVsCeFigure,
  title: "MSE vs cross-entropy under temperature",
  spec
})
