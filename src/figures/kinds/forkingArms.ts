/**
 * @grokflow-presentation: the whole kind — data Schema, title, Vega-Lite spec — only
 * builds what `grokflow report` draws, keyed per figure by its spec; no stage key
 * reads this file, so restyling a figure makes no stage stale.
 *
 * (n) Forking arms: delay after the fork per seed and arm (paper B §6.6).
 *
 * Paper B's forking arms: from one saved state (all seeds memorized), the arms
 * continue with the norm lowered (N0/ρ), the same (N0), raised (ρ·N0) — and free.
 * One grey line per seed joins its arms' delays, so the per-seed ordering
 * lowered < same < raised is visible directly, not only through medians.
 */
import { Schema } from "effect"
import type { TopLevelSpec } from "vega-lite"
import { Interval } from "../fields.ts"
import { defineFigure, figureFields } from "../Figure.ts"
import {
  AXIS,
  base,
  type ColorDef,
  fieldValues,
  logTicks,
  num,
  type Row,
  STEPS_FORMAT,
  titleBlock,
  withCi,
  type XDef,
  type YDef
} from "../specs/common.ts"
import { PALETTE, WIDTH, HEIGHT } from "../theme.ts"

export const ForkArm = Schema.Literals(["lowered", "same", "raised", "free"])
export type ForkArm = typeof ForkArm.Type

export const ForkingArmsFigure = Schema.Struct(figureFields("forkingArms", {
  p: Schema.Number,
  rho: Schema.Number,
  /** `delay`: steps from the fork to T_grok; null when the arm did not grok in budget. */
  delays: Schema.Array(Schema.Struct({ seed: Schema.Number, arm: ForkArm, delay: Schema.NullOr(Schema.Number) })),
  /** Median raised/same delay ratio with its bootstrap CI. */
  ratio: Schema.Struct({ value: Schema.Number, ci: Schema.optional(Interval) }),
  /** Seeds with lowered < same < raised, out of all seeds. */
  orderedSeeds: Schema.optional(Schema.Struct({ ordered: Schema.Number, total: Schema.Number }))
}))
export type ForkingArmsFigure = typeof ForkingArmsFigure.Type

const ARM_ORDER: ReadonlyArray<ForkArm> = ["lowered", "same", "raised", "free"]

/** "lowered (N0/ρ)": the arm and the norm it holds, as the paper defines it. */
const armLabel = (arm: ForkArm): string =>
  arm === "lowered" ? "lowered (N0/ρ)" : arm === "same" ? "same (N0)" : arm === "raised" ? "raised (ρ·N0)" : "free"

const spec = (input: ForkingArmsFigure): TopLevelSpec => {
  const arms = ARM_ORDER.filter((a) => input.delays.some((d) => d.arm === a))
  const rows: Array<Row> = input.delays
    .filter((d) => d.delay !== null && d.delay > 0)
    .map((d) => ({ seed: d.seed, arm: armLabel(d.arm), delay: d.delay }))
  const censored = input.delays.filter((d) => d.delay === null).length
  const domain = arms.map(armLabel)
  const x: XDef = { field: "arm", type: "ordinal", title: `arm (fork at ρ = ${num(input.rho, 2)})`, scale: { domain, paddingOuter: 0.4 }, axis: { labelAngle: 0 } }
  const y: YDef = { field: "delay", type: "quantitative", title: AXIS.delayFromFork, scale: { type: "log", nice: false, padding: 10 }, axis: { format: STEPS_FORMAT, values: logTicks(fieldValues(rows, "delay")) } }
  const color: ColorDef = { field: "arm", type: "nominal", title: "arm", scale: { domain, range: [PALETTE[0], PALETTE[6], PALETTE[1], PALETTE[2]].slice(0, domain.length) } }
  const ordered = input.orderedSeeds
  return {
    ...base,
    title: titleBlock(input, [
      `raised / same delay ratio = ${withCi(input.ratio.value, input.ratio.ci)}`,
      [
        ordered === undefined ? null : `lowered < same < raised in ${ordered.ordered}/${ordered.total} seeds`,
        "one grey line per seed",
        censored === 0 ? null : `${censored} arm-seed(s) censored, not shown`
      ]
        .filter((s): s is string => s !== null)
        .join("; ")
    ]),
    width: WIDTH,
    height: HEIGHT,
    data: { values: rows },
    layer: [
      { mark: { type: "line", color: "#bbbbbb", strokeWidth: 1 }, encoding: { x, y, detail: { field: "seed", type: "nominal" } } },
      {
        mark: { type: "point", size: 55, filled: true, opacity: 0.9 },
        encoding: { x, y, color, tooltip: [{ field: "seed", type: "nominal" }, { field: "arm", type: "nominal" }, { field: "delay", type: "quantitative" }] }
      },
      // The per-arm median as a short black tick across the seeds.
      {
        mark: { type: "tick", color: "#000000", thickness: 2.5, size: 36 },
        encoding: { x, y: { aggregate: "median", field: "delay", type: "quantitative" } }
      }
    ]
  }
}

export default defineFigure({
  kind: "forkingArms",
  schema: ForkingArmsFigure,
  title: "Forking arms: delay after the fork per seed",
  spec
})
