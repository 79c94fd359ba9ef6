/**
 * Every spec builder, fed synthetic data of its kind: compiles with vega-lite without
 * warnings, renders to a non-empty SVG that shows its title and axis titles, and
 * rasterizes to a PNG of report size.
 */
import { describe, expect, it } from "vitest"
import { compileSpec, specToSvg, svgToPng } from "../../src/figures/draw.ts"
import { figureRegistry } from "../../src/figures/registry.ts"
import { type FigureInput, syntheticFigures } from "./fixtures.ts"

type FigureKind = FigureInput["kind"]
const registry = await figureRegistry()
const buildSpec = (figure: FigureInput) => registry.spec(figure)
const figureTitle = (figure: FigureInput) => registry.title(figure)

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]

/** Width and height from a PNG's IHDR chunk. */
const pngSize = (png: Uint8Array): { width: number; height: number } => {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength)
  return { width: view.getUint32(16), height: view.getUint32(20) }
}

/** Text as vega writes it into SVG (XML-escaped). */
const xmlText = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")

const figures = syntheticFigures()

describe("figure fixtures", () => {
  it("cover every discovered figure kind exactly once, and each decodes with its kind's Schema", () => {
    const kinds = figures.map((f) => f.kind).sort()
    expect(kinds).toEqual([...registry.kinds.keys()].sort())
    for (const f of figures) expect(registry.decode(f)._tag, f.kind).toBe("Success")
  })
})

describe.each(figures.map((f): [FigureKind, FigureInput] => [f.kind, f]))("spec builder: %s", (_kind, figure) => {
  const spec = buildSpec(figure)

  it("is a pure function of its input (same input, identical spec JSON)", () => {
    expect(JSON.stringify(buildSpec(figure))).toBe(JSON.stringify(spec))
  })

  it("inlines its data (no URL data sources) and carries the shared theme", () => {
    const json = JSON.stringify(spec)
    expect(json).not.toMatch(/"url"\s*:/)
    expect(spec.config?.font).toContain("DejaVu Sans")
  })

  it("compiles with vega-lite without warnings", () => {
    const { vega, warnings } = compileSpec(spec)
    expect(warnings).toEqual([])
    expect(vega.marks?.length ?? 0).toBeGreaterThan(0)
  })

  it("renders a non-empty SVG and PNG", async () => {
    const warnings: Array<string> = []
    const svg = await specToSvg(spec, (m) => warnings.push(m))
    expect(warnings).toEqual([])
    expect(svg.startsWith("<svg")).toBe(true)
    expect(svg).toContain(xmlText(figureTitle(figure)))
    // Data marks were drawn: paths (lines, areas) or symbols (points).
    expect(svg).toMatch(/role-mark[^>]*(symbol|line|area|rect|rule)/)
    // Axis titles are in the papers' terms.
    expect(svg).toMatch(/T_grok|‖W‖|ρ|τ|Wc|delay|step/)

    const png = svgToPng(svg)
    expect([...png.slice(0, 8)]).toEqual(PNG_MAGIC)
    expect(png.byteLength).toBeGreaterThan(10_000)
    const { width, height } = pngSize(png)
    // Report size (≈ 560 × 340 CSS px, 2× raster), with room for two panels.
    expect(width).toBeGreaterThanOrEqual(2 * 450)
    expect(width).toBeLessThanOrEqual(2 * 900)
    expect(height).toBeGreaterThanOrEqual(2 * 250)
    expect(height).toBeLessThanOrEqual(2 * 520)
  })
})

describe("censored and degenerate inputs", () => {
  it("draws a clamp matrix whose cells partly never grokked (censored at the budget)", async () => {
    const base = figures.find((f) => f.kind === "clampMatrix")
    if (base?.kind !== "clampMatrix") throw new Error("fixture missing")
    const fig: FigureInput = {
      ...base,
      cells: base.cells.map((c) => (c.rho === 1.3 && c.lr === 0.001 ? { ...c, medianTGrok: null, grokked: 0 } : c))
    }
    const svg = await specToSvg(buildSpec(fig), (m) => {
      throw new Error(m)
    })
    expect(svg).toContain("censored")
  })

  it("draws a dense sweep with no CIs at all (no error-bar layer, no warnings)", async () => {
    const base = figures.find((f) => f.kind === "denseSweep")
    if (base?.kind !== "denseSweep") throw new Error("fixture missing")
    const fig: FigureInput = {
      ...base,
      cells: base.cells.map(({ ciLow: _l, ciHigh: _h, ...c }) => c),
      fit: { alpha: base.fit.alpha, intercept: base.fit.intercept, r2: base.fit.r2 }
    }
    const warnings: Array<string> = []
    await specToSvg(buildSpec(fig), (m) => warnings.push(m))
    expect(warnings).toEqual([])
  })
})

/** Optional fields of the figure inputs (CIs, bands, per-point extras, subtitles'
 *  numbers): a stage may leave any of them out. */
const OPTIONAL = new Set([
  "ciLow", "ciHigh", "wcLow", "wcHigh", "tMemLow", "tMemHigh", "tGrokLow", "tGrokHigh", "grokked", "total",
  "alphaCi", "betaCi", "band", "fitRange", "fits", "excluded", "foldChange", "recovery", "t2", "r2RhoOnly",
  "deltaR2AddingRho", "normUpEffect", "orderedSeeds", "lrPanelWeightDecay", "budget", "medianTGrok_optional"
])

/** Deep copy without the optional keys (`budget` is required for the SC audit). */
const stripOptional = (value: unknown, kind: FigureKind): unknown => {
  if (Array.isArray(value)) return value.map((v) => stripOptional(v, kind))
  if (value === null || typeof value !== "object") return value
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) {
    if (OPTIONAL.has(k) && !(k === "budget" && kind === "softmaxAudit")) continue
    out[k] = stripOptional(v, kind)
  }
  return out
}

describe.each(figures.map((f): [FigureKind, FigureInput] => [f.kind, f]))("minimal input: %s", (kind, figure) => {
  it("renders without warnings when every optional field is left out", async () => {
    const minimal = stripOptional(figure, kind) as FigureInput
    const warnings: Array<string> = []
    const svg = await specToSvg(buildSpec(minimal), (m) => warnings.push(m))
    expect(warnings).toEqual([])
    expect(svg.length).toBeGreaterThan(2000)
  })
})
