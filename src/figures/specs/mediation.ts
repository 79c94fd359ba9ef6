/**
 * @grokflow-presentation: builds only what `grokflow report` draws; each figure is
 * keyed by the spec it builds, so no stage key needs this file (docs/design.md).
 *
 * Paper B's mediation: the norm acts on the delay through the effective logit scale L.
 * (i) delay vs L across the τ sweep at ρ = 1.15, with the baseline (ρ = 1, τ = 1),
 *     the norm-up cell (ρ = 1.15, τ = 1), the L0 rule (vertical line at the
 *     baseline's L) and T2 (the sweep interpolated at L0) marked;
 * (j) the collapse grid: every (ρ, τ) cell's delay vs its L, coloured by ρ, shaped by
 *     τ, with the single fit of ln T on L — if the cells fall on one line whatever
 *     their ρ, L carries the effect.
 */
import type { TopLevelSpec } from "vega-lite"
import type { CollapseGridFigure } from "../kinds/collapseGrid.ts"
import type { MediationFigure } from "../kinds/mediation.ts"
import { HEIGHT, INK, MUTED, ORDINAL_SCHEME, PALETTE, WIDTH } from "../theme.ts"
import {
  AXIS,
  base,
  expCurveRows,
  extent,
  fieldValues,
  hasCi,
  logTicks,
  num,
  type Row,
  tGrokY,
  titleBlock,
  withCi,
  type XDef
} from "./common.ts"

const SWEEP = "τ sweep (ρ = 1.15)"
const BASELINE = "baseline (ρ = 1, τ = 1)"
const NORM_UP = "norm-up (ρ = 1.15, τ = 1)"
const T2 = "T2: sweep at L = L0"

export const mediationSpec = (input: MediationFigure): TopLevelSpec => {
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

export const collapseGridSpec = (input: CollapseGridFigure): TopLevelSpec => {
  const cells = input.cells.filter((c) => c.medianTGrok !== null)
  const [lo, hi] = extent(cells.map((c) => c.L))
  const rows: Array<Row> = cells.map((c) => ({ L: c.L, tGrok: c.medianTGrok, rho: num(c.rho, 2), tau: num(c.tau, 1) }))
  const curve = expCurveRows(input.fit, lo, hi, "L", 30)
  const ticks = logTicks(fieldValues(rows, "tGrok"), fieldValues(curve, "tFit"))
  const rhos = [...new Set(cells.map((c) => c.rho))].sort((a, b) => a - b).map((r) => num(r, 2))
  const taus = [...new Set(cells.map((c) => c.tau))].sort((a, b) => a - b).map((t) => num(t, 1))
  const x: XDef = { field: "L", type: "quantitative", title: AXIS.L, scale: { zero: false, padding: 12 } }
  const extra = [
    input.r2RhoOnly === undefined ? null : `ρ alone R² = ${num(input.r2RhoOnly, 2)}`,
    input.deltaR2AddingRho === undefined ? null : `adding ρ to L: ΔR² = ${num(input.deltaR2AddingRho, 3)}`
  ].filter((s): s is string => s !== null)
  return {
    ...base,
    title: titleBlock(input, [
      `ln T = a + b·L on L alone: b = ${withCi(input.fit.alpha, input.fit.alphaCi, 3)}, R² = ${num(input.fit.r2, 3)}`,
      ...(extra.length === 0 ? [] : [extra.join("; ")])
    ]),
    width: WIDTH,
    height: HEIGHT,
    layer: [
      {
        data: { values: curve },
        mark: { type: "line", color: INK, strokeWidth: 1.5, strokeDash: [6, 4] },
        encoding: { x: { field: "L", type: "quantitative" }, y: tGrokY(ticks, "tFit"), detail: { field: "segment" } }
      },
      {
        data: { values: rows },
        mark: { type: "point", size: 85, filled: true, opacity: 0.95, stroke: "white", strokeWidth: 0.5 },
        encoding: {
          x,
          y: tGrokY(ticks),
          color: { field: "rho", type: "ordinal", title: "ρ", scale: { domain: rhos, scheme: ORDINAL_SCHEME } },
          shape: { field: "tau", type: "nominal", title: "τ", scale: { domain: taus, range: ["circle", "square", "triangle-up", "diamond", "cross"] } }
        }
      }
    ]
  }
}
