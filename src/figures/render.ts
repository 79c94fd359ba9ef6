/**
 * Incremental figure rendering: each figure is drawn only when its key changed.
 *
 * key = sha256(canonical JSON of { format, spec, renderer code digest, renderer
 * versions, PNG options }). The spec inlines every data row (`data.values`) and the
 * theme (`config`), so the key covers the figure's data and its look; the code
 * digest (draw.ts's import closure) and the versions cover what turns it into
 * pixels — and nothing else: editing a caption re-renders nothing (report text).
 *
 * `outDir/figures.json` (written atomically) records each figure's key and files.
 * A figure is reused when the manifest's key matches AND its SVG, PNG and spec files
 * are present and non-empty; anything else (no manifest, unreadable manifest, missing
 * file) is a re-render, never an error.
 */
import { readFile, stat } from "node:fs/promises"
import { join } from "node:path"
import { Result } from "effect"
import type { TopLevelSpec } from "vega-lite"
import { hashValue, writeAtomic } from "../engine/index.ts"
import { fontFiles, PNG_SCALE, RENDERER_VERSIONS, specToSvg, svgToPng } from "./draw.ts"
import { type AnyFigure, figureId } from "./Figure.ts"
import { figureRegistry, type FigureRegistry } from "./registry.ts"

/** Bump when draw.ts or textMetrics.ts change what a given spec renders to. */
export const FIGURE_KEY_FORMAT = "grokflow-figure/1"
export const MANIFEST_FILE = "figures.json"

/** One figure on disk, as the report and the CLI see it. */
export interface RenderedFigure {
  readonly id: string
  readonly kind: string
  readonly title: string
  readonly caption: string
  readonly source: ReadonlyArray<string>
  readonly key: string
  /** Absolute or outDir-relative paths, as given by `outDir`. */
  readonly svgPath: string
  readonly pngPath: string
  readonly specPath: string
  /** False when drawn by this call, true when the stored files were reused. */
  readonly reused: boolean
}

export interface RenderResult {
  readonly figures: ReadonlyArray<RenderedFigure>
  /** Ids drawn by this call. */
  readonly rendered: ReadonlyArray<string>
  /** Ids whose stored files were reused. */
  readonly reused: ReadonlyArray<string>
  readonly manifestPath: string
}

interface ManifestEntry {
  readonly key: string
  readonly kind: string
  readonly title: string
  readonly caption: string
  readonly source: ReadonlyArray<string>
  readonly files: { readonly svg: string; readonly png: string; readonly spec: string }
  readonly renderedAt: string
}

interface FigureManifest {
  readonly format: string
  readonly figures: Readonly<Record<string, ManifestEntry>>
}

// A process-wide count of actual draws (SVG + PNG), so tests can assert that an
// unchanged figure costs nothing.
let draws = 0
export const renderCount = (): number => draws
export const resetRenderCount = (): void => {
  draws = 0
}

/** The figure's key: everything that determines its pixels. */
export const figureKey = (spec: TopLevelSpec, rendererCode: Readonly<Record<string, string>> = {}): string =>
  hashValue({
    format: FIGURE_KEY_FORMAT,
    spec,
    code: rendererCode,
    renderers: RENDERER_VERSIONS,
    png: { scale: PNG_SCALE, fonts: fontFiles().map((f) => f.split("/").pop() ?? f) }
  })

const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/

const readManifest = async (path: string): Promise<FigureManifest> => {
  try {
    const parsed: unknown = JSON.parse(await readFile(path, "utf8"))
    if (
      typeof parsed === "object" &&
      parsed !== null &&
      (parsed as { format?: unknown }).format === FIGURE_KEY_FORMAT &&
      typeof (parsed as { figures?: unknown }).figures === "object"
    ) {
      return parsed as FigureManifest
    }
  } catch {
    // Missing or unreadable: every figure re-renders, which is always correct.
  }
  return { format: FIGURE_KEY_FORMAT, figures: {} }
}

const nonEmpty = async (path: string): Promise<boolean> => {
  try {
    return (await stat(path)).size > 0
  } catch {
    return false
  }
}

const sourcesOf = (figure: AnyFigure): ReadonlyArray<string> =>
  figure.source === undefined ? [] : typeof figure.source === "string" ? [figure.source] : [...figure.source]

/**
 * Render the figures into `outDir` (`<id>.svg`, `<id>.png`, `<id>.vl.json`), skipping
 * those whose key matches the stored one. Figures are drawn one at a time: a vega
 * View is single-threaded CPU work, and sequential draws keep memory flat.
 */
export const renderFigures = async (
  input: ReadonlyArray<AnyFigure>,
  outDir: string,
  registry?: FigureRegistry,
  /** Digest of the code that turns a spec into pixels (draw.ts's import closure):
   *  editing the renderer redraws every figure, as editing a stage reruns it. */
  rendererCode: Readonly<Record<string, string>> = {}
): Promise<RenderResult> => {
  const kinds = registry ?? (await figureRegistry())
  // Every figure is checked against its kind's Schema first: a builder only ever
  // sees data of the shape it was written for.
  const figures = input.map((raw) => {
    const decoded = kinds.decode(raw)
    if (Result.isFailure(decoded)) throw new Error(decoded.failure)
    return decoded.success
  })
  const ids = figures.map(figureId)
  for (const id of ids) {
    if (!SAFE_ID.test(id)) throw new Error(`figure id "${id}" is not a safe file name (letters, digits, ".", "_", "-")`)
  }
  const dupes = ids.filter((id, i) => ids.indexOf(id) !== i)
  if (dupes.length > 0) throw new Error(`duplicate figure id(s): ${[...new Set(dupes)].join(", ")} — set a distinct \`id\` on each`)

  const manifestPath = join(outDir, MANIFEST_FILE)
  const before = await readManifest(manifestPath)
  const entries: Record<string, ManifestEntry> = {}
  const out: Array<RenderedFigure> = []

  for (const figure of figures) {
    const id = figureId(figure)
    let spec: TopLevelSpec
    try {
      spec = kinds.spec(figure)
    } catch (e) {
      throw new Error(`figure "${id}" (${figure.kind}): building its spec failed: ${e instanceof Error ? e.message : String(e)}`)
    }
    const key = figureKey(spec, rendererCode)
    const files = { svg: `${id}.svg`, png: `${id}.png`, spec: `${id}.vl.json` }
    const paths = { svg: join(outDir, files.svg), png: join(outDir, files.png), spec: join(outDir, files.spec) }
    const stored = before.figures[id]
    const reused =
      stored !== undefined &&
      stored.key === key &&
      (await nonEmpty(paths.svg)) &&
      (await nonEmpty(paths.png)) &&
      (await nonEmpty(paths.spec))
    if (!reused) {
      let svg: string
      let png: Uint8Array
      try {
        svg = await specToSvg(spec)
        png = svgToPng(svg)
      } catch (e) {
        throw new Error(`figure "${id}" (${figure.kind}): rendering failed: ${e instanceof Error ? e.message : String(e)}`)
      }
      draws += 1
      // The manifest that vouches for these files is written after all of them, so
      // a crash mid-way leaves at most a stale key (a re-render next time).
      await writeAtomic(paths.svg, svg)
      await writeAtomic(paths.png, png)
      await writeAtomic(paths.spec, `${JSON.stringify(spec, null, 2)}\n`)
    }
    const entry: ManifestEntry = {
      key,
      kind: figure.kind,
      title: kinds.title(figure),
      caption: figure.caption,
      source: sourcesOf(figure),
      files,
      renderedAt: reused && stored !== undefined ? stored.renderedAt : new Date().toISOString()
    }
    entries[id] = entry
    out.push({ id, kind: figure.kind, title: entry.title, caption: entry.caption, source: entry.source, key, svgPath: paths.svg, pngPath: paths.png, specPath: paths.spec, reused })
  }

  // Re-read just before writing so a concurrent render into the same folder (another
  // stage's figures) keeps its entries; figures not passed here are kept, not pruned.
  const latest = await readManifest(manifestPath)
  await writeAtomic(manifestPath, `${JSON.stringify({ format: FIGURE_KEY_FORMAT, figures: { ...latest.figures, ...entries } }, null, 2)}\n`)

  return {
    figures: out,
    rendered: out.filter((f) => !f.reused).map((f) => f.id),
    reused: out.filter((f) => f.reused).map((f) => f.id),
    manifestPath
  }
}
