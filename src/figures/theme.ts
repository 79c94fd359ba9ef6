/**
 * @grokflow-presentation: builds only what `grokflow report` draws; each figure is
 * keyed by the spec it builds, so no stage key needs this file (docs/design.md).
 *
 * The one look every figure shares: a Vega-Lite `config`, a colour-blind-safe
 * palette and the report-size geometry.
 *
 * Every spec builder sets `config: theme` so a figure's spec JSON is complete on its
 * own (it renders the same in the Vega editor as in the report), and so a theme
 * change changes every figure's key and re-renders them all — as it should.
 */
import type { Config } from "vega-lite"

/**
 * DejaVu Sans: present on Debian (fonts-dejavu-core, installed by ci-deps.sh), and
 * used by both the PNG rasterizer (resvg has no fallback to a browser's fonts) and
 * headless Chromium, so SVG and PNG look alike. The generic fallbacks keep the SVG
 * legible on a machine without it.
 */
export const FONT_FAMILY = "DejaVu Sans"
export const FONT_STACK = `${FONT_FAMILY}, Verdana, Arial, sans-serif`

/**
 * Okabe & Ito (2008), the standard colour-blind-safe categorical palette, in an order
 * that keeps the first few series far apart for every common colour-vision
 * deficiency. Yellow (#F0E442) is last: it is hard to see on white.
 */
export const PALETTE = [
  "#0072B2", // blue
  "#D55E00", // vermillion
  "#009E73", // bluish green
  "#CC79A7", // reddish purple
  "#E69F00", // orange
  "#56B4E9", // sky blue
  "#000000", // black
  "#F0E442" // yellow
] as const

/** Ordered quantities (ρ, lr, p, τ) use viridis, cut before its pale-yellow end. */
export const ORDINAL_SCHEME: { name: "viridis"; extent: Array<number> } = { name: "viridis", extent: [0, 0.85] }

/** Neutral ink for fit lines, reference rules and annotations. */
export const INK = "#333333"
export const MUTED = "#777777"
export const BAND = "#9ecae1"

/** Plot-area size of a single-panel figure (the whole figure is ≈ 560 × 340 with
 *  title, axes and legend). */
export const WIDTH = 400
export const HEIGHT = 240
/** Plot-area size of one panel of a two-panel (side-by-side) figure. */
export const HALF_WIDTH = 230
/** Height of one panel of a two-row (stacked) figure. */
export const HALF_HEIGHT = 130

export const theme: Config = {
  font: FONT_STACK,
  background: "white",
  padding: 10,
  view: { stroke: "#cccccc" },
  title: {
    fontSize: 15,
    fontWeight: "bold",
    subtitleFontSize: 12,
    subtitleColor: "#444444",
    anchor: "start",
    offset: 10,
    color: "#111111"
  },
  axis: {
    labelFontSize: 11,
    titleFontSize: 12,
    titleFontWeight: "normal",
    titleColor: "#222222",
    labelColor: "#333333",
    gridColor: "#e8e8e8",
    domainColor: "#888888",
    tickColor: "#888888",
    titlePadding: 8,
    labelOverlap: true
  },
  legend: {
    labelFontSize: 11,
    titleFontSize: 12,
    titleFontWeight: "normal",
    symbolSize: 80,
    // Layers drawn faintly (reference rules) must not wash out the legend swatches.
    symbolOpacity: 1,
    labelLimit: 220,
    orient: "right"
  },
  header: { labelFontSize: 12, titleFontSize: 12 },
  range: { category: [...PALETTE] },
  line: { strokeWidth: 2 },
  point: { size: 55, filled: true, opacity: 1 },
  rule: { strokeWidth: 1.5 },
  text: { fontSize: 11 },
  concat: { spacing: 28 }
}
