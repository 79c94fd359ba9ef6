/**
 * Drawing one figure: Vega-Lite spec → Vega spec → SVG (vega's headless "none"
 * renderer, no canvas, no DOM) → PNG (resvg, a Rust rasterizer with no system
 * dependencies beyond font files).
 *
 * The phases mirror vega-lite's own pipeline: `compile` normalizes and assembles the
 * Vega spec; `vega.parse` + `View` evaluates the dataflow; `toSVG` serializes the
 * scenegraph. Nothing here caches; render.ts decides what to draw.
 */
import { existsSync, readdirSync } from "node:fs"
import { createRequire } from "node:module"
import { join } from "node:path"
import { Resvg } from "@resvg/resvg-js"
import * as vega from "vega"
import { compile, type TopLevelSpec, version as vegaLiteVersion } from "vega-lite"
import { installTextMetrics } from "./textMetrics.ts"
import { FONT_FAMILY } from "./theme.ts"

const require = createRequire(import.meta.url)
const resvgVersion = (require("@resvg/resvg-js/package.json") as { version: string }).version

/** Versions of everything that turns a spec into pixels; part of each figure's key,
 *  so upgrading a renderer re-renders every figure. */
export const RENDERER_VERSIONS: Readonly<Record<string, string>> = {
  vega: vega.version,
  "vega-lite": vegaLiteVersion,
  "@resvg/resvg-js": resvgVersion
}

/** PNGs are rasterized at 2× the SVG's CSS size so they stay sharp on HiDPI screens
 *  and in slides. */
export const PNG_SCALE = 2

/** Where Debian's fonts-dejavu-core (and fonts-dejavu-extra) put DejaVu. */
const FONT_DIRS = ["/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu", "/usr/local/share/fonts/dejavu"]

/**
 * The font files resvg loads. resvg does not fall back to a browser's font
 * machinery: with no font that matches, text silently disappears from the PNG. So
 * prefer the theme's DejaVu files explicitly (fast: no system scan) and only scan the
 * system fonts when DejaVu is absent (ci-deps.sh installs it).
 */
let cachedFontFiles: ReadonlyArray<string> | undefined

export const fontFiles = (): ReadonlyArray<string> => {
  cachedFontFiles ??= findFontFiles()
  return cachedFontFiles
}

const findFontFiles = (): ReadonlyArray<string> => {
  for (const dir of FONT_DIRS) {
    if (!existsSync(dir)) continue
    const files = readdirSync(dir)
      .filter((f) => /^DejaVuSans(-Bold|-Oblique|-BoldOblique)?\.ttf$/.test(f))
      .sort()
      .map((f) => join(dir, f))
    if (files.length > 0) return files
  }
  return []
}

type Logger = NonNullable<NonNullable<Parameters<typeof compile>[1]>["logger"]>

/** A logger that collects warnings instead of printing them, so the caller (or a
 *  test) decides what a warning means. Arrow-function fields, not methods: vega's
 *  dataflow calls them with `this` bound to the View. */
class CollectingLogger implements Logger {
  readonly warnings: Array<string> = []
  private lvl = 2
  level = (l?: number): number | this => {
    if (l === undefined) return this.lvl
    this.lvl = l
    return this
  }
  error = (...args: Array<unknown>): this => {
    const cause = args.find((a) => a instanceof Error)
    throw cause instanceof Error ? cause : new Error(args.map(String).join(" "))
  }
  warn = (...args: Array<unknown>): this => {
    this.warnings.push(args.map(String).join(" "))
    return this
  }
  info = (): this => this
  debug = (): this => this
}

/** Compile Vega-Lite → Vega, returning vega-lite's warnings alongside. */
export const compileSpec = (spec: TopLevelSpec): { readonly vega: ReturnType<typeof compile>["spec"]; readonly warnings: ReadonlyArray<string> } => {
  const logger = new CollectingLogger()
  const vegaSpec = compile(spec, { logger }).spec
  return { vega: vegaSpec, warnings: logger.warnings }
}

/** Compile a Vega-Lite spec and render it to an SVG string. Compile and dataflow
 *  warnings go to `onWarning` (default: stderr), since a warning usually means a
 *  visibly wrong figure (a dropped scale option, an empty layer). */
export const specToSvg = async (
  spec: TopLevelSpec,
  onWarning: (message: string) => void = (m) => console.warn(`figures: ${m}`)
): Promise<string> => {
  installTextMetrics(fontFiles())
  const { vega: compiled, warnings } = compileSpec(spec)
  warnings.forEach((m) => onWarning(`vega-lite: ${m}`))
  const runtimeLog = new CollectingLogger()
  const view = new vega.View(vega.parse(compiled), { renderer: "none", logger: runtimeLog, logLevel: vega.Warn })
  try {
    return await view.toSVG()
  } finally {
    // Release the dataflow's timers and listeners: a long report run draws dozens.
    view.finalize()
    runtimeLog.warnings.forEach((m) => onWarning(`vega: ${m}`))
  }
}

/** Rasterize an SVG to PNG bytes. */
export const svgToPng = (svg: string, scale: number = PNG_SCALE): Uint8Array => {
  const files = fontFiles()
  const resvg = new Resvg(svg, {
    fitTo: { mode: "zoom", value: scale },
    font:
      files.length > 0
        ? { loadSystemFonts: false, fontFiles: [...files], defaultFontFamily: FONT_FAMILY, sansSerifFamily: FONT_FAMILY }
        : { loadSystemFonts: true, sansSerifFamily: FONT_FAMILY }
  })
  return resvg.render().asPng()
}
