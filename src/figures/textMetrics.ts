/**
 * Text measurement for vega's headless layout.
 *
 * Without a canvas, vega estimates every string as 0.8 em per character — about 30%
 * wider than DejaVu Sans. Layout (legend placement, axis-title offsets, the overall
 * figure width, label-overlap culling) is computed from those widths, so the
 * estimate leaves figures padded with white space and legends pushed off to the
 * right. vega supports a user-supplied `textMetrics.width` (vl-convert does the
 * same); this module installs one that sums real per-character advances of the
 * theme's font, measured once per character with resvg (which reads the font file),
 * so the layout matches what resvg and the browser then draw.
 */
import { Resvg } from "@resvg/resvg-js"
import * as vega from "vega"
import { FONT_FAMILY } from "./theme.ts"

/** The slice of vega-scenegraph's `textMetrics` we replace; vega exports the object
 *  but its typings omit it. */
interface TextItem {
  readonly fontSize?: number | string | null
  readonly fontWeight?: number | string | null
}
interface TextMetrics {
  width: (item: TextItem, text: unknown) => number
}

/** Measuring size: large so integer rounding in the bbox is negligible. */
const EM = 100
/** Repeats per measurement: advance = (width(x c…c x) − width(x x)) / REPEAT, which
 *  cancels the glyphs' side bearings and works for blank characters too. */
const REPEAT = 10

const escapeXml = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")

const isBold = (w: TextItem["fontWeight"]): boolean =>
  w === "bold" || w === "bolder" || (w !== null && w !== undefined && Number(w) >= 600)

/** Builds a width function over the given font files; advances are memoized per
 *  (weight, character) in em units. */
export const makeTextWidth = (fontFiles: ReadonlyArray<string>): ((item: TextItem, text: unknown) => number) => {
  const inkWidth = (s: string, bold: boolean): number => {
    const svg =
      `<svg xmlns="http://www.w3.org/2000/svg" width="${EM * (REPEAT + 4) * 2}" height="${EM * 2}">` +
      `<text x="10" y="${EM}" font-family="${FONT_FAMILY}" font-size="${EM}" font-weight="${bold ? "bold" : "normal"}" xml:space="preserve">${escapeXml(s)}</text></svg>`
    const r = new Resvg(svg, { font: { loadSystemFonts: false, fontFiles: [...fontFiles], defaultFontFamily: FONT_FAMILY } })
    return r.getBBox()?.width ?? 0
  }
  const baseline = new Map<boolean, number>()
  const advances = new Map<string, number>()
  const advance = (ch: string, bold: boolean): number => {
    const key = `${bold ? "b" : "n"}${ch}`
    const hit = advances.get(key)
    if (hit !== undefined) return hit
    let base = baseline.get(bold)
    if (base === undefined) {
      base = inkWidth("xx", bold)
      baseline.set(bold, base)
    }
    // A character the font lacks measures as 0; fall back to vega's 0.8 em so the
    // layout errs wide rather than overlapping.
    const measured = (inkWidth(`x${ch.repeat(REPEAT)}x`, bold) - base) / REPEAT / EM
    const em = measured > 0 || ch.trim() === "" ? measured : 0.8
    advances.set(key, em)
    return em
  }
  return (item, text) => {
    const s = text === null || text === undefined ? "" : String(text).trim()
    const size = item.fontSize === null || item.fontSize === undefined ? 11 : Number(item.fontSize) || 0
    if (size <= 0 || s === "") return 0
    const bold = isBold(item.fontWeight)
    let em = 0
    for (const ch of s) em += advance(ch, bold)
    return em * size
  }
}

let installed = false

/** Point vega's layout at real font metrics (once per process). With no font files
 *  vega keeps its own estimate, which is wide but safe. */
export const installTextMetrics = (fontFiles: ReadonlyArray<string>): void => {
  if (installed || fontFiles.length === 0) return
  const metrics = (vega as unknown as { textMetrics: TextMetrics }).textMetrics
  metrics.width = makeTextWidth(fontFiles)
  installed = true
}
