/**
 * @grokflow-presentation: builds only what `grokflow report` draws; each figure is
 * keyed by the spec it builds, so no stage key needs this file (docs/design.md).
 *
 * Building blocks the spec builders share: axis definitions in the papers' terms,
 * the layer types, rows for cells (grokked / censored), fitted-curve sampling and
 * the number formats of titles.
 *
 * Builders stay pure: input → spec, with every data row inlined as `data.values`, so
 * the spec JSON alone determines the picture (and the figure's cache key).
 */
import type { TopLevelSpec } from "vega-lite"
import type { CellOutcome, ExponentialFit, Interval } from "../fields.ts"
import { theme } from "../theme.ts"

/** One layer of a layered spec (derived from the public `TopLevelSpec` type rather
 *  than imported from vega-lite's unstable type paths). */
export type Layer = Extract<TopLevelSpec, { layer: unknown }>["layer"][number]
/** One panel of a concatenated spec. */
export type Panel = Extract<TopLevelSpec, { hconcat: unknown }>["hconcat"][number]
type UnitLayer = Extract<Layer, { mark: unknown }>
/** A unit layer's encoding and its channel definitions. */
export type Encoding = NonNullable<UnitLayer["encoding"]>
export type XDef = NonNullable<Encoding["x"]>
export type YDef = NonNullable<Encoding["y"]>
export type ColorDef = NonNullable<Encoding["color"]>
/** A data row: flat, JSON-serializable. */
export type Row = Readonly<Record<string, number | string | boolean | null>>

/** Axis titles, in the papers' terms and units. */
export const AXIS = {
  step: "training step (log scale)",
  tGrok: "T_grok (steps)",
  tGrokLog: "T_grok (steps, log scale)",
  rho: "ρ = ‖W‖ / Wc",
  norm: "‖W‖ (Frobenius, biases excluded)",
  accuracy: "accuracy",
  wc: "Wc = ‖W‖ at T_grok",
  trainFraction: "train fraction",
  lr: "learning rate (log scale)",
  p: "modulus p (log scale)",
  L: "effective logit scale L = mean ‖z/τ‖₂",
  tau: "output temperature τ",
  delayFromFork: "delay after fork (steps, log scale)",
  scRate: "softmax-collapse rate"
} as const

/** Step-count axis labels as 500, 1k, 20k: short enough for a log axis. */
export const STEPS_FORMAT = "~s"

/** Rows for a list of cells: grokked cells carry their median; censored cells (no
 *  seed grokked) are drawn at the budget when one is given, and flagged so the
 *  legend can say "censored" rather than silently dropping them. */
export const cellRows = <C extends CellOutcome>(
  cells: ReadonlyArray<C>,
  extra: (cell: C) => Row,
  budget?: number
): Array<Row> =>
  cells.flatMap((cell): Array<Row> => {
    const censored = cell.medianTGrok === null
    if (censored && budget === undefined) return []
    const t = cell.medianTGrok ?? budget ?? 0
    return [
      {
        ...extra(cell),
        tGrok: t,
        ciLow: cell.ciLow ?? null,
        ciHigh: cell.ciHigh ?? null,
        grokked: cell.grokked ?? null,
        total: cell.total ?? null,
        seeds: cell.grokked !== undefined && cell.total !== undefined ? `${cell.grokked}/${cell.total}` : "",
        status: censored ? "censored" : "grokked"
      }
    ]
  })

/** Whether any row has a CI (error-bar layers are left out when none does, so an
 *  empty layer never has to be compiled). */
export const hasCi = (rows: ReadonlyArray<Row>): boolean => rows.some((r) => r["ciLow"] !== null && r["ciHigh"] !== null)

/** Evenly spaced samples over [lo, hi], inclusive. */
export const linspace = (lo: number, hi: number, n: number): Array<number> =>
  Array.from({ length: n }, (_, i) => (n === 1 ? lo : lo + ((hi - lo) * i) / (n - 1)))

export const extent = (xs: ReadonlyArray<number>): Interval => [Math.min(...xs), Math.max(...xs)]

/** Samples of T = exp(intercept + α·x) over [lo, hi]. Each row says which segment
 *  it lies on — inside the range the fit used, or an extrapolation below/above it —
 *  so the fit is drawn solid and the extrapolation dashed. Boundary points belong to
 *  both adjoining segments so the pieces meet. */
export const expCurveRows = (fit: ExponentialFit, lo: number, hi: number, xField: string, n = 60): Array<Row> => {
  const [fLo, fHi] = fit.fitRange ?? [lo, hi]
  const xs = [...new Set([...linspace(lo, hi, n), fLo, fHi].filter((x) => x >= lo && x <= hi))].sort((a, b) => a - b)
  return xs.flatMap((x) => {
    const row = { [xField]: x, tFit: Math.exp(fit.intercept + fit.alpha * x) }
    const segments: Array<string> = []
    if (x <= fLo && lo < fLo) segments.push("below")
    if (x >= fLo && x <= fHi) segments.push("fit")
    if (x >= fHi && hi > fHi) segments.push("above")
    return segments.map((segment) => ({ ...row, segment, extrapolated: segment !== "fit" }))
  })
}

/** "7.58" / "0.991": fixed decimals, no trailing noise. */
export const num = (x: number, digits = 2): string => x.toFixed(digits)

/** "7.58 [7.41, 7.77]" or just "7.58". */
export const withCi = (x: number, ci: Interval | undefined, digits = 2): string =>
  ci === undefined ? num(x, digits) : `${num(x, digits)} [${num(ci[0], digits)}, ${num(ci[1], digits)}]`

/** "α = 7.58 [7.41, 7.77], R² = 0.991". */
export const fitSummary = (fit: ExponentialFit, symbol = "α"): string =>
  `${symbol} = ${withCi(fit.alpha, fit.alphaCi)}, R² = ${num(fit.r2, 3)}`

/** The figure's title block: its title (resolved from the figure kind's default by
 *  the registry before the builder is called) with an optional subtitle carrying
 *  the fitted numbers. */
export const titleBlock = (
  input: { readonly title?: string | undefined },
  subtitle?: string | ReadonlyArray<string>
): { text: string; subtitle?: string | Array<string> } => {
  const text = input.title ?? ""
  if (subtitle === undefined || subtitle.length === 0) return { text }
  return { text, subtitle: typeof subtitle === "string" ? subtitle : [...subtitle] }
}

/** Every spec gets the same theme and an explicit schema, so a spec JSON written next
 *  to its SVG opens as-is in the Vega editor. */
export const base = {
  $schema: "https://vega.github.io/schema/vega-lite/v6.json",
  config: theme
} as const

/** 1-2-5 ticks per decade, 0.01 to 50M. */
const TICKS_125: ReadonlyArray<number> = Array.from({ length: 10 }, (_, i) => i - 2).flatMap((e) => [1, 2, 5].map((m) => m * 10 ** e))
/** 1…9 per decade: for ranges under about a decade. */
const TICKS_19: ReadonlyArray<number> = Array.from({ length: 10 }, (_, i) => i - 2).flatMap((e) => [1, 2, 3, 4, 5, 6, 7, 8, 9].map((m) => m * 10 ** e))

/** Rounds away float noise such as 0.30000000000000004 (labels print it). */
const clean = (x: number): number => Number(x.toPrecision(6))

/**
 * Tick values for a log axis over the given data. Vega's own log ticks are every
 * integer multiple, and label-overlap culling then drops labels unevenly (a plot
 * topping out at 74k showed no label above 20k; one spanning 175–200 showed none).
 * So: 1-2-5 per decade when that gives ≥ 3 labels in range, else 1…9 per decade,
 * else (a narrow range, as a smoke run often has) about four evenly spaced values.
 */
export const logTicks = (...lists: ReadonlyArray<ReadonlyArray<unknown>>): Array<number> => {
  const xs = lists.flat().filter((v): v is number => typeof v === "number" && Number.isFinite(v) && v > 0)
  if (xs.length === 0) return [...TICKS_125]
  const lo = Math.min(...xs)
  const hi = Math.max(...xs)
  // The count that picks a series uses the data range itself (a value just outside
  // may be dropped); the values returned reach a little beyond it, since the scales
  // pad the domain by a few pixels and vega drops whatever lands outside.
  const within = (ts: ReadonlyArray<number>) => ts.filter((t) => t >= lo && t <= hi)
  const near = (ts: ReadonlyArray<number>) => ts.filter((t) => t >= lo * 0.9 && t <= hi * 1.1).map(clean)
  if (within(TICKS_125).length >= 3) return near(TICKS_125)
  if (within(TICKS_19).length >= 3) return near(TICKS_19)
  const raw = (hi - lo) / 3 || hi / 3
  const mag = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag
  const ticks: Array<number> = []
  for (let t = Math.ceil(lo / step) * step; t <= hi + 1e-9 * step; t += step) ticks.push(clean(t))
  return ticks.length >= 2 ? ticks : [clean(lo), clean(hi)]
}

/** Every value a row list holds under the given fields (for `logTicks`). */
export const fieldValues = (rows: ReadonlyArray<Row>, ...fields: ReadonlyArray<string>): Array<unknown> =>
  rows.flatMap((r) => fields.map((f) => r[f]))

/** A log-scale T_grok y axis with readable step labels at `ticks` (see logTicks);
 *  every layer of a figure passes the same ticks, so the merged axis is consistent. */
export const tGrokY = (ticks: ReadonlyArray<number>, field = "tGrok", title: string = AXIS.tGrokLog): YDef => ({
  field,
  type: "quantitative",
  title,
  scale: { type: "log", nice: false, padding: 8 },
  axis: { format: STEPS_FORMAT, values: [...ticks] }
})

/** Error bars (bootstrap CI of the cell median) as a rule from ciLow to ciHigh —
 *  or no layer at all when no row has a CI (an all-filtered layer makes vega warn
 *  about infinite extents). */
export const errorBars = (
  rows: ReadonlyArray<Row>,
  x: XDef,
  ticks: ReadonlyArray<number>,
  color?: ColorDef,
  yTitle: string = AXIS.tGrokLog
): Array<Layer> => (hasCi(rows) ? [errorBarLayer(x, ticks, color, yTitle)] : [])

const errorBarLayer = (x: XDef, ticks: ReadonlyArray<number>, color: ColorDef | undefined, yTitle: string): Layer => ({
  transform: [{ filter: "datum.ciLow != null && datum.ciHigh != null" }],
  mark: { type: "rule", strokeWidth: 1.5, opacity: 0.8 },
  encoding: {
    x,
    // Same title and scale as the points, so the merged axis keeps one title.
    y: tGrokY(ticks, "ciLow", yTitle),
    y2: { field: "ciHigh" },
    ...(color === undefined ? {} : { color })
  }
})

/** Shape legend for grokked vs censored cells. */
export const statusShape = {
  field: "status",
  type: "nominal",
  title: "cell median",
  scale: { domain: ["grokked", "censored"], range: ["circle", "triangle-up"] }
} as const

/** Tooltip fields shared by every cell plot (the inline report is static SVG, but
 *  the spec JSON keeps them for anyone opening it in the Vega editor). */
export const cellTooltip = (...extra: ReadonlyArray<{ field: string; type: "quantitative" | "nominal" | "ordinal"; title?: string }>) => [
  ...extra,
  { field: "tGrok", type: "quantitative", title: "median T_grok" },
  { field: "seeds", type: "nominal", title: "grokked/total" }
]

/** The τ axis of paper B's temperature figures, ticked at the swept values. */
export const tauX = (taus: ReadonlyArray<number>): XDef => ({
  field: "tau",
  type: "quantitative",
  title: AXIS.tau,
  scale: { zero: false, nice: false, padding: 14 },
  axis: { values: [...taus], format: ".2~f" }
})

/** Coefficient of variation in percent: the papers' measure of "flat". */
export const cvPercent = (xs: ReadonlyArray<number>): number => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, xs.length - 1))
  return (100 * sd) / m
}

export const mean = (xs: ReadonlyArray<number>): number => xs.reduce((a, b) => a + b, 0) / xs.length
