/**
 * The figure kinds, found by discovery: every module under src/figures/kinds/
 * default-exports one `defineFigure(...)` value, named like its file. Nothing
 * lists the kinds by hand; the registry decodes a stored figure with its kind's
 * Schema and builds its Vega-Lite spec.
 */
import fg from "fast-glob"
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import { Result, Schema } from "effect"
import type { TopLevelSpec } from "vega-lite"
import { describeIssue, displayPath } from "../engine/index.ts"
import { type AnyFigure, figureId, type FigureKind, titleOf } from "./Figure.ts"

export const KINDS_DIR = path.join(import.meta.dirname, "kinds")

/**
 * Figure modules compiled into the CLI bundle (bin/bundle.mjs), by absolute path:
 * under the bundle there is no TypeScript loader to import them from source.
 */
const bundledKinds = new Map<string, Record<string, unknown>>()

export const registerBundledFigures = (modules: Readonly<Record<string, Record<string, unknown>>>): void => {
  for (const [file, mod] of Object.entries(modules)) bundledKinds.set(path.resolve(file), mod)
}

const importKind = (file: string): Promise<Record<string, unknown>> => {
  const bundled = bundledKinds.get(path.resolve(file))
  return bundled !== undefined ? Promise.resolve(bundled) : import(pathToFileURL(file).href) as Promise<Record<string, unknown>>
}

const isFigureKind = (value: unknown): value is FigureKind => {
  if (typeof value !== "object" || value === null) return false
  const v = value as Record<string, unknown>
  return typeof v.kind === "string" && typeof v.spec === "function" && typeof v.defaultTitle === "function" &&
    (typeof v.schema === "object" || typeof v.schema === "function") && v.schema !== null
}

export interface FigureRegistry {
  readonly kinds: ReadonlyMap<string, FigureKind>
  /** The figure checked against its kind's Schema, or what is wrong with it (kind,
   *  id, field path, expectation). */
  decode(raw: unknown): Result.Result<AnyFigure, string>
  /** The figure's title: its own, else its kind's default. */
  title(figure: AnyFigure): string
  /** Its Vega-Lite spec (the figure must have been decoded). */
  spec(figure: AnyFigure): TopLevelSpec
}

const KindOnly = Schema.Struct({ kind: Schema.String, id: Schema.optional(Schema.String) })

const makeRegistry = (kinds: ReadonlyMap<string, FigureKind>): FigureRegistry => {
  const kindOf = (figure: AnyFigure): FigureKind => {
    const kind = kinds.get(figure.kind)
    if (kind === undefined) throw new Error(`figure "${figureId(figure)}": unknown figure kind "${figure.kind}" (known: ${[...kinds.keys()].join(", ")})`)
    return kind
  }
  return {
    kinds,
    decode: (raw) => {
      const head = Schema.decodeUnknownResult(KindOnly)(raw)
      if (Result.isFailure(head)) return Result.fail(`not a figure: ${describeIssue(head.failure.issue)}`)
      const label = `figure "${head.success.id ?? head.success.kind}" (${head.success.kind})`
      const kind = kinds.get(head.success.kind)
      if (kind === undefined) return Result.fail(`${label}: unknown figure kind (known: ${[...kinds.keys()].join(", ")}; add src/figures/kinds/${head.success.kind}.ts)`)
      const decoded = Schema.decodeUnknownResult(kind.schema)(raw, { errors: "all", onExcessProperty: "error" })
      return Result.isFailure(decoded) ? Result.fail(`${label}: ${describeIssue(decoded.failure.issue)}`) : Result.succeed(decoded.success)
    },
    title: (figure) => titleOf(kindOf(figure), figure),
    spec: (figure) => {
      const kind = kindOf(figure)
      return kind.spec({ ...figure, title: titleOf(kind, figure) })
    }
  }
}

const registries = new Map<string, Promise<FigureRegistry>>()

/** The kinds under `dir` (default src/figures/kinds), discovered once per process. */
export const figureRegistry = (dir: string = KINDS_DIR): Promise<FigureRegistry> => {
  const key = path.resolve(dir)
  let memo = registries.get(key)
  if (memo === undefined) {
    memo = discover(key)
    registries.set(key, memo)
  }
  return memo
}

const discover = async (dir: string): Promise<FigureRegistry> => {
  const files = (await fg("*.ts", { cwd: dir, absolute: true, ignore: ["_*.ts", "*.d.ts", "*.test.ts"] })).sort()
  const kinds = new Map<string, FigureKind>()
  for (const file of files) {
    const value = (await importKind(file)).default
    const rel = displayPath(file)
    if (!isFigureKind(value)) throw new Error(`${rel}: expected \`export default defineFigure({ kind, schema, title, spec })\``)
    if (value.kind !== path.basename(file, ".ts")) throw new Error(`${rel}: defines kind "${value.kind}"; a figure module is named like its kind (${value.kind}.ts)`)
    kinds.set(value.kind, value)
  }
  return makeRegistry(kinds)
}
