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
 */
import type { Effect } from "effect"
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
  /**
   * For cheap cells only: computed in the scheduler's own process instead of
   * being handed to the Executor (a cell assembled from finer cells, engine
   * fixtures). It holds no slot of the cell pool and may request cells itself.
   */
  readonly inline?: (payload: Payload, hooks: UnitHooks) => Effect.Effect<Output, StageFailure>
}

/** What the engine needs of a declared kind, whatever its payload and output types. */
export interface AnyCellKind {
  readonly name: string
  readonly code: ReadonlyArray<string>
}

export const defineCellKind = <Payload, Output>(kind: CellKind<Payload, Output>): CellKind<Payload, Output> => kind
