/**
 * @grokflow-presentation: builds only what `grokflow report` draws; each figure is
 * keyed by the spec it builds, so no stage key needs this file (docs/design.md).
 *
 * Paper B's temperature controls:
 * (k) MSE vs CE — L vs τ and T_grok vs τ, one series per loss: under MSE the logits
 *     stay near the one-hot target, so τ barely moves L and barely moves the delay;
 * (l) the memorization control — T_mem and T_grok vs τ: τ acts on the grokking phase,
 *     not on memorization;
 * (m) the softmax-collapse audit — T_grok per ρ for the float32 arm vs the audit arm
 *     (censored cells drawn at the budget), beside the SC rate per ρ.
 */
import type { TopLevelSpec } from "vega-lite"
import type { MemorizationFigure } from "../kinds/memorization.ts"
import type { MseVsCeFigure } from "../kinds/mseVsCe.ts"
import type { SoftmaxAuditFigure } from "../kinds/softmaxAudit.ts"
import { HALF_WIDTH, HEIGHT, MUTED, PALETTE, WIDTH } from "../theme.ts"
import {
  AXIS,
  base,
  cellRows,
  type ColorDef,
  errorBars,
  fieldValues,
  logTicks,
  num,
  type Row,
  statusShape,
  tGrokY,
  titleBlock,
  type XDef
} from "./common.ts"

const tauX = (taus: ReadonlyArray<number>): XDef => ({
  field: "tau",
  type: "quantitative",
  title: AXIS.tau,
  scale: { zero: false, nice: false, padding: 14 },
  axis: { values: [...taus], format: ".2~f" }
})

export const mseVsCeSpec = (input: MseVsCeFigure): TopLevelSpec => {
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

export const memorizationSpec = (input: MemorizationFigure): TopLevelSpec => {
  const rows: Array<Row> = input.rows.flatMap((r) => [
    { tau: r.tau, event: "T_mem (train ≥ 0.99)", tGrok: r.tMem, ciLow: r.tMemLow ?? null, ciHigh: r.tMemHigh ?? null },
    ...(r.tGrok === null ? [] : [{ tau: r.tau, event: "T_grok (test ≥ 0.90)", tGrok: r.tGrok, ciLow: r.tGrokLow ?? null, ciHigh: r.tGrokHigh ?? null }])
  ])
  const taus = input.rows.map((r) => r.tau)
  const ticks = logTicks(fieldValues(rows, "tGrok", "ciLow", "ciHigh"))
  const x = tauX(taus)
  const color: ColorDef = { field: "event", type: "nominal", title: "median over seeds", scale: { domain: ["T_mem (train ≥ 0.99)", "T_grok (test ≥ 0.90)"], range: [PALETTE[2], PALETTE[1]] } }
  const fold = (xs: ReadonlyArray<number>): string => (xs.length > 1 ? `${num(Math.max(...xs) / Math.min(...xs), 2)}×` : "–")
  const tMems = input.rows.map((r) => r.tMem)
  const tGroks = input.rows.map((r) => r.tGrok).filter((t): t is number => t !== null)
  return {
    ...base,
    title: titleBlock(input, `ρ = ${num(input.rho, 2)}; across τ, T_mem moves ${fold(tMems)} and T_grok ${fold(tGroks)}`),
    width: WIDTH,
    height: HEIGHT,
    data: { values: rows },
    layer: [
      ...errorBars(rows, x, ticks, color, "step (log scale)"),
      { mark: { type: "line", strokeWidth: 1.75 }, encoding: { x, y: tGrokY(ticks, "tGrok", "step (log scale)"), color } },
      { mark: { type: "point", size: 60, filled: true }, encoding: { x, y: tGrokY(ticks, "tGrok", "step (log scale)"), color } }
    ]
  }
}

export const softmaxAuditSpec = (input: SoftmaxAuditFigure): TopLevelSpec => {
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
