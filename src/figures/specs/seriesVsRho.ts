/**
 * @grokflow-presentation: builds only what `grokflow report` draws; each figure is
 * keyed by the spec it builds, so no stage key needs this file (docs/design.md).
 *
 * The "series vs ρ" shape that paper A's controls share (oneShotVsSustained,
 * layerNorm): median T_grok (log) vs ρ per series, drawn once here.
 */
import { AXIS, type ColorDef, errorBars, fieldValues, type Layer, logTicks, type Row, statusShape, tGrokY, type XDef } from "./common.ts"

/** Points with CI bars for each series, plus either connecting lines (no fit) or
 *  caller-supplied fit curves. */
export const seriesVsRho = (rows: ReadonlyArray<Row>, color: ColorDef, connect: boolean, fitCurves: ReadonlyArray<Row> = []): Array<Layer> => {
  const x: XDef = { field: "rho", type: "quantitative", title: AXIS.rho, scale: { zero: false, padding: 12 }, axis: { format: ".2f" } }
  const ticks = logTicks(fieldValues(rows, "tGrok", "ciLow", "ciHigh"), fieldValues(fitCurves, "tFit"))
  return [
    ...(fitCurves.length === 0
      ? []
      : [
          {
            data: { values: [...fitCurves] },
            mark: { type: "line" as const, strokeWidth: 1.75 },
            encoding: {
              x: { field: "rho", type: "quantitative" as const },
              y: tGrokY(ticks, "tFit"),
              color,
              detail: { field: "segment" },
              strokeDash: { condition: { test: "datum.extrapolated", value: [5, 4] }, value: [1, 0] }
            }
          }
        ]),
    {
      data: { values: [...rows] },
      layer: [
        ...errorBars(rows, x, ticks, color),
        ...(connect
          ? [{ transform: [{ filter: "datum.connect" }], mark: { type: "line" as const, strokeWidth: 1.5, opacity: 0.7 }, encoding: { x, y: tGrokY(ticks), color } }]
          : []),
        {
          mark: { type: "point", size: 60, filled: true },
          encoding: { x, y: tGrokY(ticks), color, shape: statusShape }
        }
      ]
    }
  ]
}
