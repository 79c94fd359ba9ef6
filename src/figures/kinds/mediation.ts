/**
 * @grokflow-presentation: the whole kind — data Schema, title, Vega-Lite spec — only
 * builds what `grokflow report` draws, keyed per figure by its spec; no stage key
 * reads this file, so restyling a figure makes no stage stale.
 *
 * (i) Paper B mediation: delay vs effective logit scale L across τ (paper B §6.1).
 *
 * Delay vs L across the τ sweep at ρ = 1.15, with the baseline (ρ = 1, τ = 1),
 * the norm-up cell (ρ = 1.15, τ = 1), the L0 rule (vertical line at the
 * baseline's L) and T2 (the sweep interpolated at L0) marked.
 */
import { Schema } from "effect"
import type { TopLevelSpec } from "vega-lite"
import { Interval, TemperatureCell } from "../fields.ts"
import { defineFigure, figureFields } from "../Figure.ts"
import { AXIS, base, extent, fieldValues, hasCi, logTicks, num, type Row, tGrokY, titleBlock, withCi, type XDef } from "../specs/common.ts"
import { PALETTE, INK, MUTED, WIDTH, HEIGHT } from "../theme.ts"

export const MediationFigure = Schema.Struct(figureFields("mediation", {
  p: Schema.Number,
  /** The τ sweep at the raised norm. */
  sweep: Schema.Array(TemperatureCell),
  /** (ρ = 1, τ = 1): its L is L0. */
  baseline: TemperatureCell,
  /** (ρ raised, τ = 1): T1. */
  normUp: TemperatureCell,
  /** T2: the sweep's delay interpolated at L = L0 (the "L0 rule"). */
  t2: Schema.optional(Schema.Number),
  /** Recovery (T1 − T2)/(T1 − T0), with its paired-bootstrap CI. */
  recovery: Schema.optional(Schema.Struct({ value: Schema.Number, ci: Schema.optional(Interval) }))
}))
export type MediationFigure = typeof MediationFigure.Type

const SWEEP = "τ sweep (ρ = 1.15)"
const BASELINE = "baseline (ρ = 1, τ = 1)"
const NORM_UP = "norm-up (ρ = 1.15, τ = 1)"
const T2 = "T2: sweep at L = L0"

const spec = (input: MediationFigure): TopLevelSpec => {
  const sweep = [...input.sweep].filter((c) => c.medianTGrok !== null).sort((a, b) => a.L - b.L)
  const rhoUp = input.normUp.rho
  const sweepName = SWEEP.replace("1.15", num(rhoUp, 2))
  const upName = NORM_UP.replace("1.15", num(rhoUp, 2))
  const L0 = input.baseline.L
  const pointRows: Array<Row> = [
    ...sweep.map((c) => ({ L: c.L, tGrok: c.medianTGrok, ciLow: c.ciLow ?? null, ciHigh: c.ciHigh ?? null, series: sweepName, label: `τ = ${num(c.tau, 2).replace(/\.?0+$/, "")}` })),
    {
      L: input.baseline.L,
      tGrok: input.baseline.medianTGrok,
      ciLow: input.baseline.ciLow ?? null,
      ciHigh: input.baseline.ciHigh ?? null,
      series: BASELINE,
      label: ""
    },
    { L: input.normUp.L, tGrok: input.normUp.medianTGrok, ciLow: input.normUp.ciLow ?? null, ciHigh: input.normUp.ciHigh ?? null, series: upName, label: "" },
    ...(input.t2 === undefined ? [] : [{ L: L0, tGrok: input.t2, ciLow: null, ciHigh: null, series: T2, label: "" }])
  ]
  const series = [sweepName, BASELINE, upName, T2]
  const ticks = logTicks(fieldValues(pointRows, "tGrok", "ciLow", "ciHigh"))
  const color = { field: "series", type: "nominal", title: null, scale: { domain: series, range: [PALETTE[1], PALETTE[0], PALETTE[3], INK] } } as const
  const shape = { field: "series", type: "nominal", title: null, scale: { domain: series, range: ["circle", "diamond", "square", "cross"] } } as const
  const Ls = [...sweep.map((c) => c.L), L0, input.normUp.L]
  const [lo, hi] = extent(Ls)
  const pad = (hi - lo) * 0.08
  const xOf = (field: string): XDef => ({ field, type: "quantitative", title: AXIS.L, scale: { domain: [lo - pad, hi + pad], nice: false, zero: false } })
  const x = xOf("L")
  const rec = input.recovery
  const T0 = input.baseline.medianTGrok
  const T1 = input.normUp.medianTGrok
  const levels = [
    T0 === null ? null : `T0 = ${Math.round(T0)}`,
    T1 === null ? null : `T1 = ${Math.round(T1)}`,
    input.t2 === undefined ? null : `T2 = ${Math.round(input.t2)}`,
    `L0 = ${num(L0, 1)}`
  ].filter((s): s is string => s !== null)
  return {
    ...base,
    title: titleBlock(input, [
      rec === undefined ? "delay vs effective logit scale across τ" : `recovery (T1 − T2)/(T1 − T0) = ${withCi(rec.value, rec.ci)}`,
      levels.join(", ")
    ]),
    width: WIDTH,
    height: HEIGHT,
    layer: [
      {
        data: { values: [{ L0, label: "L = L0" }] },
        layer: [
          { mark: { type: "rule", color: MUTED, strokeDash: [5, 4] }, encoding: { x: xOf("L0") } },
          {
            mark: { type: "text", align: "left", baseline: "top", dx: 4, y: 4, color: MUTED },
            encoding: { x: xOf("L0"), text: { field: "label" } }
          }
        ]
      },
      {
        data: { values: pointRows },
        layer: [
          {
            transform: [{ filter: `datum.series == '${sweepName}'` }],
            mark: { type: "line", strokeWidth: 1.75, color: PALETTE[1] },
            encoding: { x, y: tGrokY(ticks), order: { field: "L", type: "quantitative" } }
          },
          ...(hasCi(pointRows)
            ? [
                {
                  transform: [{ filter: "datum.ciLow != null && datum.ciHigh != null" }],
                  mark: { type: "rule" as const, strokeWidth: 1.5, opacity: 0.8 },
                  encoding: { x, y: tGrokY(ticks, "ciLow"), y2: { field: "ciHigh" }, color }
                }
              ]
            : []),
          { mark: { type: "point", size: 90, filled: true, opacity: 0.95 }, encoding: { x, y: tGrokY(ticks), color, shape } },
          {
            transform: [{ filter: "datum.label != ''" }],
            // Upper left of each point: above the rising sweep line, inside the plot.
            mark: { type: "text", align: "right", dx: -8, dy: -9, color: INK },
            encoding: { x, y: tGrokY(ticks), text: { field: "label" } }
          }
        ]
      }
    ]
  }
}

export default defineFigure({
  kind: "mediation",
  schema: MediationFigure,
  title: "Logit-scale mediation: delay vs L across τ",
  spec
})
