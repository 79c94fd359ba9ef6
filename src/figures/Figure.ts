/**
 * A figure kind is a value, like a stage: one module under src/figures/kinds/
 * default-exports `defineFigure({ kind, title, schema, spec })` — the Schema of
 * its data, its default title and its Vega-Lite spec builder. The registry finds
 * the modules by discovery (registry.ts); a stage names the figures its output
 * feeds (`figures: [feed(kind, (output, inputs) => data)]`), and `grokflow report`
 * decodes each figure with its kind's Schema before drawing it.
 *
 * Adding a figure: one file under kinds/, and one line in the stage that feeds it.
 */
import { Schema } from "effect"
import type { TopLevelSpec } from "vega-lite"
import type { FigureFeed } from "../engine/index.ts"

/** What every figure carries besides its data, whatever its kind. */
export const figureMetaFields = {
  /** File stem and report anchor; defaults to `kind`. Set it when one run draws two
   *  figures of the same kind (e.g. the mediation figure at p = 59 and p = 97). */
  id: Schema.optional(Schema.String),
  /** Overrides the kind's default title. */
  title: Schema.optional(Schema.String),
  /** One line stating the measured result, e.g. "α = 7.58 [7.41, 7.77], R² = 0.993
   *  over ρ ∈ [0.85, 1.25]". Shown under the figure in the report. */
  caption: Schema.String,
  /** Where the numbers came from besides the feeding node's own entry (which the
   *  report always lists first): the names of the feeding stage's inputs the figure
   *  also reads (the report resolves them to their cache entries). */
  source: Schema.optional(Schema.Union([Schema.String, Schema.Array(Schema.String)]))
}

/** Any figure, as stored and as drawn: its kind, the shared fields, its data. */
export interface AnyFigure {
  readonly kind: string
  readonly id?: string | undefined
  readonly title?: string | undefined
  readonly caption: string
  readonly source?: string | ReadonlyArray<string> | undefined
}

/** The fields of a figure of kind K with the data fields D (for a kind's Schema). */
export const figureFields = <const K extends string, const D extends Schema.Struct.Fields>(kind: K, data: D) => ({
  kind: Schema.Literal(kind),
  ...figureMetaFields,
  ...data
})

/** A figure kind. Methods (not function properties) so that a kind of a specific
 *  figure type is usable where any figure kind is expected. */
export interface FigureKind<A extends AnyFigure = AnyFigure> {
  readonly kind: A["kind"]
  /** Decodes and encodes the figure as stored (JSON). */
  readonly schema: Schema.Codec<A, unknown>
  /** The default title (a figure's own `title` overrides it). */
  defaultTitle(figure: A): string
  /** The Vega-Lite spec; `figure.title` is already resolved. */
  spec(figure: A & { readonly title: string }): TopLevelSpec
}

export interface FigureDefinition<A extends AnyFigure> {
  readonly kind: A["kind"]
  readonly schema: Schema.Codec<A, unknown>
  /** A fixed title, or one computed from the figure. Per-modulus figures (those with
   *  a `p` field) get " (p = …)" appended to a fixed title. */
  readonly title: string | ((figure: A) => string)
  readonly spec: (figure: A & { readonly title: string }) => TopLevelSpec
}

export interface DefinedFigure<A extends AnyFigure> extends FigureKind<A> {
  /** A typed figure of this kind (what a stage's mapping returns). */
  of(data: Omit<A, "kind">): A
}

export const defineFigure = <A extends AnyFigure>(definition: FigureDefinition<A>): DefinedFigure<A> => ({
  kind: definition.kind,
  schema: definition.schema,
  defaultTitle: (figure) => {
    if (typeof definition.title === "function") return definition.title(figure)
    const p = (figure as { readonly p?: unknown }).p
    return typeof p === "number" ? `${definition.title} (p = ${p})` : definition.title
  },
  spec: definition.spec,
  // Omit<A, "kind"> plus A's own kind is A; TypeScript cannot see through the spread.
  of: (data) => ({ ...data, kind: definition.kind }) as A
})

/** The title a figure is shown with: its own, else its kind's default. */
export const titleOf = <A extends AnyFigure>(kind: FigureKind<A>, figure: A): string => figure.title ?? kind.defaultTitle(figure)

/** The figure's id: its file stem in the output folder and its anchor in the report. */
export const figureId = (figure: AnyFigure): string => figure.id ?? figure.kind

/** What a feed computes for a figure of kind A: everything but the kind. */
export type FigureData<A extends AnyFigure> = Omit<A, "kind">

/**
 * A figure a stage feeds (the `figures` of defineStage): its kind and how to
 * compute it from the stage's output and inputs; none when they cannot show it.
 * `grokflow report` calls it on the stored outputs, so a feed never runs in a stage.
 */
export const feed = <A extends AnyFigure, Output, Inputs = unknown>(
  kind: DefinedFigure<A>,
  from: (output: Output, inputs: Inputs) => FigureData<A> | ReadonlyArray<FigureData<A>> | null
): FigureFeed<Output, Inputs> => ({
  kinds: [kind.kind],
  from(output: Output, inputs: Inputs): ReadonlyArray<unknown> {
    const data = from(output, inputs)
    return data === null ? [] : (Array.isArray(data) ? data : [data]).map((d: FigureData<A>) => kind.of(d))
  }
})
