/**
 * @grokflow-presentation: the whole kind — data Schema, title, Vega-Lite spec — only
 * builds what `grokflow report` draws, keyed per figure by its spec; no stage key
 * reads this file, so restyling a figure makes no stage stale.
 *
 * (l) Memorization control: T_mem vs T_grok across τ (paper B §6.4).
 *
 * The memorization control — T_mem and T_grok vs τ: τ acts on the grokking phase,
 * not on memorization.
 */
import { Schema } from "effect"
import type { TopLevelSpec } from "vega-lite"
import { defineFigure, figureFields } from "../Figure.ts"
import { base, type ColorDef, errorBars, fieldValues, logTicks, num, type Row, tauX, tGrokY, titleBlock } from "../specs/common.ts"
import { PALETTE, WIDTH, HEIGHT } from "../theme.ts"

export const MemorizationRow = Schema.Struct({
  tau: Schema.Number,
  /** Median T_mem (train accuracy ≥ 0.99) over seeds, steps. */
  tMem: Schema.Number,
  tMemLow: Schema.optional(Schema.Number),
  tMemHigh: Schema.optional(Schema.Number),
  /** Median T_grok over grokked seeds, steps. */
  tGrok: Schema.NullOr(Schema.Number),
  tGrokLow: Schema.optional(Schema.Number),
  tGrokHigh: Schema.optional(Schema.Number)
})

export const MemorizationFigure = Schema.Struct(figureFields("memorization", {
  p: Schema.Number,
  rho: Schema.Number,
  rows: Schema.Array(MemorizationRow)
}))
export type MemorizationFigure = typeof MemorizationFigure.Type

const spec = (input: MemorizationFigure): TopLevelSpec => {
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

export default defineFigure({
  kind: "memorization",
  schema: MemorizationFigure,
  title: "Memorization control: T_mem vs T_grok across τ",
  spec
})
