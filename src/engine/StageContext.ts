import type { Effect } from "effect"
import type { CellKind } from "./CellKind.ts"
import type { StageFailure } from "./StageFailure.ts"

/** The engine's handle given to a running stage. */
export interface StageContext {
  /** Node id in the profile (a stage may run under several ids). */
  readonly node: string
  /**
   * One cell of a declared kind, memoized in the same store, keyed by {keyFormat,
   * kind name, the kind's code digest, payload, env}. A miss is handed to the
   * Executor; concurrent cells are bounded by the scheduler's cell pool. `label`
   * is for progress lines only (e.g. "p=59 rho=1.15 lr=4e-3").
   */
  readonly cell: <P, A>(kind: CellKind<P, A>, payload: P, label: string) => Effect.Effect<A, StageFailure>
  /** The environment that joins the stage's key and its cells' keys: backend,
   * tfjs version, precision. Empty for a stage that declares no cell kinds. */
  readonly env: Readonly<Record<string, string>>
  readonly log: (message: string) => Effect.Effect<void>
  /**
   * Split cells into finer work units where the stage's helpers know how (a
   * training cell into seed shards, src/train/shards.ts), so that one long cell
   * can use several workers. A scheduling choice only: results, and the keys they
   * are stored under, are the same either way.
   */
  readonly splitCells: boolean
}
