/**
 * A kind of cell: the unit of work a stage hands to the Executor. It is data on
 * both sides (a payload in, an output back), so where it runs — a local worker
 * process or a runner on another machine — cannot change what it computes or how
 * it is keyed.
 *
 * `code` names the modules that compute it on the worker side. They are loaded by
 * path at run time (a worker entry, a runner module), so no import from the stage
 * reveals them; their import closure joins the key of every cell of this kind and
 * of every stage that declares the kind in `cells`.
 *
 * `variants` is code that only some payloads run (one model of several). A cell
 * keys on `code` plus its own variant's code, so work on one model never moves
 * the keys of another's cells; a stage keys on every variant, since its cells may
 * run any of them.
 */
import type { Effect } from "effect"
import type { Json } from "./Canonical.ts"
import type { UnitHooks } from "./Executor.ts"
import type { JsonCodec } from "./Stage.ts"
import type { StageFailure } from "./StageFailure.ts"

export interface CellKind<Payload, Output> {
  /** Part of every key of this kind and the store directory `entries/cell.<name>`. */
  readonly name: string
  readonly payload: JsonCodec<Payload>
  readonly output: JsonCodec<Output>
  /** Project-relative modules whose import closure computes this kind. */
  readonly code: ReadonlyArray<string>
  readonly variants?: CellVariants
  /**
   * For cheap cells only: computed in the scheduler's own process instead of
   * being handed to the Executor (a cell assembled from finer cells, engine
   * fixtures). It holds no slot of the cell pool and may request cells itself.
   */
  readonly inline?: (payload: Payload, hooks: UnitHooks) => Effect.Effect<Output, StageFailure>
}

/** Code chosen by the payload: `of` names the variant an encoded payload runs. */
export interface CellVariants {
  readonly of: (payload: Json) => string | undefined
  readonly code: Readonly<Record<string, ReadonlyArray<string>>>
}

/** What the engine needs of a declared kind, whatever its payload and output types. */
export interface AnyCellKind {
  readonly name: string
  readonly code: ReadonlyArray<string>
  readonly variants?: CellVariants
}

/** Every module a kind may run: what a stage declaring it keys on. */
export const allCellCode = (kind: AnyCellKind): ReadonlyArray<string> => [...kind.code, ...Object.values(kind.variants?.code ?? {}).flat()]

/**
 * The variant an encoded payload runs; undefined for a kind without variants. A
 * payload naming no known variant keys on them all: when in doubt, more code.
 */
export const variantOf = (kind: AnyCellKind, payload: Json): string | undefined => {
  if (kind.variants === undefined) return undefined
  const v = kind.variants.of(payload)
  return v !== undefined && Object.hasOwn(kind.variants.code, v) ? v : undefined
}

/** The modules one cell's key covers: the kind's code and its payload's variant (all variants when it names none). */
export const cellCodeOf = (kind: AnyCellKind, variant: string | undefined): ReadonlyArray<string> => {
  const own = variant === undefined ? undefined : kind.variants?.code[variant]
  return own !== undefined ? [...kind.code, ...own] : allCellCode(kind)
}

export const defineCellKind = <Payload, Output>(kind: CellKind<Payload, Output>): CellKind<Payload, Output> => kind

/**
 * The kind narrowed to some of its variants, for a stage's `cells`: the stage then
 * keys on those variants' code only, and a cell of any other variant fails the
 * stage (engine/Cells.ts), as an undeclared kind does.
 */
export const onlyVariants = <K extends AnyCellKind>(kind: K, ...names: ReadonlyArray<string>): K => {
  const variants = kind.variants
  if (variants === undefined) return kind
  const missing = names.filter((n) => !Object.hasOwn(variants.code, n))
  if (missing.length > 0) throw new Error(`cell kind "${kind.name}" has no variant ${missing.join(", ")}`)
  return { ...kind, variants: { of: variants.of, code: Object.fromEntries(names.map((n) => [n, variants.code[n]!])) } }
}

/** Whether a stage declaring `declared` may run this payload's cell of `kind`: its variant's code is in the stage's key. */
export const declaresVariant = (declared: AnyCellKind, kind: AnyCellKind, payload: Json): boolean => {
  if (declared.variants === undefined) return true
  const own = declared.variants.code
  const v = variantOf(kind, payload)
  return v === undefined ? Object.keys(kind.variants?.code ?? {}).every((n) => Object.hasOwn(own, n)) : Object.hasOwn(own, v)
}
