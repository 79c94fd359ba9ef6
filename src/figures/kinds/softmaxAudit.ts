/**
 * @grokflow-presentation: the whole kind — data Schema, title, Vega-Lite spec — only
 * builds what `grokflow report` draws, keyed per figure by its spec; no stage key
 * reads this file, so restyling a figure makes no stage stale.
 *
 * (m) Softmax-collapse audit: float32 vs higher precision (paper B §6.5).
 *
 * The softmax-collapse audit — T_grok per ρ for the float32 arm vs the audit arm
 * (censored cells drawn at the budget), beside the SC rate per ρ.
 */
import { Schema } from "effect"
import type { TopLevelSpec } from "vega-lite"
import { cellOutcomeFields } from "../fields.ts"
import { defineFigure, figureFields } from "../Figure.ts"
import {
  AXIS,
  base,
  cellRows,
  type ColorDef,
  errorBars,
  fieldValues,
  logTicks,
  num,
  statusShape,
  tGrokY,
  titleBlock,
  type XDef
} from "../specs/common.ts"
import { MUTED, HEIGHT, HALF_WIDTH } from "../theme.ts"

export const SoftmaxAuditFigure = Schema.Struct(figureFields("softmaxAudit", {
  p: Schema.Number,
  cells: Schema.Array(Schema.Struct({
    ...cellOutcomeFields,
    rho: Schema.Number,
    /** The arm's working precision, e.g. "float32" or "float64". */
    arm: Schema.String,
    /** Fraction of training points whose correct-class probability is exactly 1.0. */
    scRate: Schema.Number
  })),
  /** Budget (steps) at which censored cells are drawn. */
  budget: Schema.Number
}))
export type SoftmaxAuditFigure = typeof SoftmaxAuditFigure.Type

const spec = (input: SoftmaxAuditFigure): TopLevelSpec => {
  const arms = [...new Set(input.cells.map((c) => c.arm))]
  const rhos = [...new Set(input.cells.map((c) => c.rho))].sort((a, b) => a - b)
  const step = rhos.length > 1 ? Math.min(...rhos.slice(1).map((r, i) => r - rhos[i]!)) : 0.1
  const rows = cellRows(
    input.cells,
    (c) => ({ rho: c.rho, rhoShown: c.rho + (arms.indexOf(c.arm) - (arms.length - 1) / 2) * step * 0.08, arm: c.arm, scRate: c.scRate, rhoLabel: num(c.rho, 2) }),
    input.budget
  )
  const color: ColorDef = { field: "arm", type: "nominal", title: "precision", scale: { domain: arms } }
  const ticks = logTicks(fieldValues(rows, "tGrok", "ciLow", "ciHigh"), [input.budget])
  const x: XDef = { field: "rhoShown", type: "quantitative", title: AXIS.rho, scale: { zero: false, padding: 16 }, axis: { values: rhos, format: ".2f" } }
  const sc = input.cells.filter((c) => c.scRate > 0)
  return {
    ...base,
    title: titleBlock(input, [
      sc.length === 0 ? "no softmax collapse in any cell" : `SC > 0 in: ${sc.map((c) => `${c.arm} ρ = ${num(c.rho, 2)} (${num(c.scRate, 2)})`).join(", ")}`,
      `triangles at the budget (${input.budget} steps): no seed grokked`
    ]),
    data: { values: rows },
    hconcat: [
      {
        width: HALF_WIDTH,
        height: HEIGHT,
        title: { text: "delay", fontSize: 12, fontWeight: "normal", anchor: "middle" },
        layer: [
          {
            data: { values: [{ budget: input.budget }] },
            mark: { type: "rule", color: MUTED, strokeDash: [2, 3] },
            encoding: { y: tGrokY(ticks, "budget") }
          },
          ...errorBars(rows, x, ticks, color),
          // Lines join grokked cells only: a line into a censored marker would draw a
          // delay the run never measured.
          { transform: [{ filter: "datum.status == 'grokked'" }], mark: { type: "line", strokeWidth: 1.5, opacity: 0.7 }, encoding: { x, y: tGrokY(ticks), color } },
          { mark: { type: "point", size: 70, filled: true }, encoding: { x, y: tGrokY(ticks), color, shape: statusShape } }
        ]
      },
      {
        width: HALF_WIDTH,
        height: HEIGHT,
        title: { text: "softmax collapse", fontSize: 12, fontWeight: "normal", anchor: "middle" },
        encoding: {
          x: { field: "rhoLabel", type: "ordinal", title: AXIS.rho, axis: { labelAngle: 0 } },
          xOffset: { field: "arm", type: "nominal", scale: { domain: arms } },
          y: { field: "scRate", type: "quantitative", title: AXIS.scRate, scale: { domain: [0, 1] }, axis: { format: ".0%" } }
        },
        layer: [
          { mark: { type: "bar" }, encoding: { color } },
          // The rate printed on each bar, so a zero rate is a visible "0", not a gap.
          { mark: { type: "text", dy: -7, fontSize: 10 }, encoding: { text: { field: "scRate", type: "quantitative", format: ".2~f" } } }
        ]
      }
    ]
  }
}

export default defineFigure({
  kind: "softmaxAudit",
  schema: SoftmaxAuditFigure,
  title: "Softmax-collapse audit: float32 vs higher precision",
  spec
})
