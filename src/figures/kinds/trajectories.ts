/**
 * @grokflow-presentation: the whole kind — data Schema, title, Vega-Lite spec — only
 * builds what `grokflow report` draws, keyed per figure by its spec; no stage key
 * reads this file, so restyling a figure makes no stage stale.
 *
 * (a) Free-training trajectories (paper A §6.1): ‖W‖ and accuracy vs step.
 *
 * Free-training trajectories: ‖W‖ (top) and train/test accuracy (bottom) vs step
 * on a shared log step axis, one colour per run. T_mem and T_grok are marked on the
 * accuracy curves (and as faint vertical rules through both panels); the norm at
 * T_grok — whose median over runs is Wc — is marked on the norm curve, with Wc as a
 * horizontal reference line. Stacking the panels makes "the network groks when its
 * norm has decayed to Wc" readable at a glance.
 */
import { Schema } from "effect"
import type { TopLevelSpec } from "vega-lite"
import { defineFigure, figureFields } from "../Figure.ts"
import { AXIS, base, type Layer, num, type Row, STEPS_FORMAT, titleBlock, type XDef } from "../specs/common.ts"
import { INK, WIDTH, HALF_HEIGHT } from "../theme.ts"

export const TrajectoryPoint = Schema.Struct({
  step: Schema.Number,
  /** ‖W‖ = sqrt(‖E‖² + ‖W1‖² + ‖W2‖²), biases excluded. */
  weightNorm: Schema.Number,
  trainAcc: Schema.Number,
  testAcc: Schema.Number
})
export type TrajectoryPoint = typeof TrajectoryPoint.Type

export const TrajectoryRun = Schema.Struct({
  /** Legend label, e.g. "seed 3" or "p = 59". */
  label: Schema.String,
  points: Schema.Array(TrajectoryPoint),
  /** First evaluated step with train accuracy ≥ 0.99; null if never. */
  tMem: Schema.NullOr(Schema.Number),
  /** First evaluated step with test accuracy ≥ 0.90; null if never (censored). */
  tGrok: Schema.NullOr(Schema.Number)
})
export type TrajectoryRun = typeof TrajectoryRun.Type

export const TrajectoriesFigure = Schema.Struct(figureFields("trajectories", {
  runs: Schema.Array(TrajectoryRun),
  /** The critical norm: median ‖W‖ at T_grok over the runs. */
  wc: Schema.Number
}))
export type TrajectoriesFigure = typeof TrajectoriesFigure.Type

/** ‖W‖ at the logged step nearest `step` (the trajectory is logged on a grid, so
 *  T_grok is always one of its steps; "nearest" also covers a coarser export). */
const normAt = (run: TrajectoryRun, step: number): number | null => {
  let best: { d: number; w: number } | null = null
  for (const pt of run.points) {
    const d = Math.abs(Math.log(Math.max(pt.step, 1)) - Math.log(Math.max(step, 1)))
    if (best === null || d < best.d) best = { d, w: pt.weightNorm }
  }
  return best?.w ?? null
}

const spec = (input: TrajectoriesFigure): TopLevelSpec => {
  // Step 0 has no place on a log axis; the first logged step ≥ 1 starts the curve.
  const pointRows: Array<Row> = input.runs.flatMap((run) =>
    run.points.filter((pt) => pt.step >= 1).map((pt) => ({ run: run.label, step: pt.step, weightNorm: pt.weightNorm }))
  )
  const accRows: Array<Row> = input.runs.flatMap((run) =>
    run.points
      .filter((pt) => pt.step >= 1)
      .flatMap((pt) => [
        { run: run.label, step: pt.step, metric: "train", accuracy: pt.trainAcc },
        { run: run.label, step: pt.step, metric: "test", accuracy: pt.testAcc }
      ])
  )
  const eventRows: Array<Row> = input.runs.flatMap((run) => [
    ...(run.tMem === null ? [] : [{ run: run.label, event: "T_mem", step: run.tMem, accuracy: 0.99, weightNorm: null }]),
    ...(run.tGrok === null
      ? []
      : [{ run: run.label, event: "T_grok", step: run.tGrok, accuracy: 0.9, weightNorm: normAt(run, run.tGrok) }])
  ])
  const steps = pointRows.map((r) => r["step"] as number)
  const domain = [Math.min(...steps), Math.max(...steps)]

  const x: XDef = {
    field: "step",
    type: "quantitative",
    scale: { type: "log", domain, nice: false },
    axis: { format: STEPS_FORMAT }
  }
  const color = { field: "run", type: "nominal", title: "run" } as const
  const eventShape = {
    field: "event",
    type: "nominal",
    title: "marked at",
    scale: { domain: ["T_mem", "T_grok"], range: ["square", "diamond"] }
  } as const
  const eventRules: Layer = {
    data: { values: eventRows },
    mark: { type: "rule", strokeWidth: 1, opacity: 0.45, strokeDash: [3, 3] },
    encoding: { x: { field: "step", type: "quantitative" }, color }
  }

  return {
    ...base,
    title: titleBlock(
      input,
      `Wc = ${num(input.wc, 1)} (median ‖W‖ at T_grok over ${input.runs.length} run${input.runs.length === 1 ? "" : "s"}); T_mem: train ≥ 0.99, T_grok: test ≥ 0.90`
    ),
    // Shared legends sit once, to the right of both panels, instead of staggering.
    resolve: { scale: { color: "shared", shape: "shared", strokeDash: "shared" }, legend: { color: "shared", shape: "shared", strokeDash: "shared" } },
    vconcat: [
      {
        width: WIDTH,
        height: HALF_HEIGHT,
        layer: [
          eventRules,
          {
            data: { values: pointRows },
            mark: { type: "line", strokeWidth: 2 },
            encoding: {
              x: { ...x, axis: { format: STEPS_FORMAT, title: null, labels: false } },
              y: { field: "weightNorm", type: "quantitative", title: "‖W‖", scale: { zero: false } },
              color
            }
          },
          {
            data: { values: [{ wc: input.wc, label: `Wc = ${num(input.wc, 1)}` }] },
            layer: [
              { mark: { type: "rule", color: INK, strokeDash: [6, 4], strokeWidth: 1.5 }, encoding: { y: { field: "wc", type: "quantitative" } } },
              {
                // Left end: early in training ‖W‖ is still below Wc, so the label is clear.
                mark: { type: "text", align: "left", baseline: "bottom", x: 4, dy: -3, color: INK, fontSize: 11 },
                encoding: { y: { field: "wc", type: "quantitative" }, text: { field: "label" } }
              }
            ]
          },
          // Skipped when no run grokked: an all-filtered layer makes vega warn.
          ...(eventRows.some((r) => r["weightNorm"] !== null)
            ? [
                {
                  data: { values: eventRows },
                  transform: [{ filter: "datum.weightNorm != null" }],
                  mark: { type: "point" as const, size: 80, filled: true, stroke: "white", strokeWidth: 1 },
                  encoding: { x: { field: "step", type: "quantitative" as const }, y: { field: "weightNorm", type: "quantitative" as const }, color, shape: eventShape }
                }
              ]
            : [])
        ]
      },
      {
        width: WIDTH,
        height: HALF_HEIGHT,
        layer: [
          eventRules,
          {
            data: { values: accRows },
            mark: { type: "line", strokeWidth: 2 },
            encoding: {
              x: { ...x, title: AXIS.step },
              y: { field: "accuracy", type: "quantitative", title: AXIS.accuracy, scale: { domain: [0, 1] }, axis: { format: ".0%", tickCount: 5 } },
              color,
              strokeDash: {
                field: "metric",
                type: "nominal",
                title: "accuracy",
                scale: { domain: ["train", "test"], range: [[5, 3], [1, 0]] }
              },
              detail: { field: "metric" }
            }
          },
          {
            data: { values: eventRows },
            mark: { type: "point", size: 80, filled: true, stroke: "white", strokeWidth: 1 },
            encoding: { x: { field: "step", type: "quantitative" }, y: { field: "accuracy", type: "quantitative" }, color, shape: eventShape }
          }
        ]
      }
    ]
  }
}

export default defineFigure({
  kind: "trajectories",
  schema: TrajectoriesFigure,
  title: "Free training: ‖W‖ and accuracy vs step",
  spec
})
