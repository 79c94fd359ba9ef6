import type { Effect } from "effect"
import type { JsonCodec } from "./Stage.ts"
import type { StageFailure } from "./StageFailure.ts"
import type { StageServices } from "./StageServices.ts"

/** What a memoized cell's computation is handed by the engine. */
export interface CellRun {
  /** The cell's cache key (hex sha256). */
  readonly key: string
  /** A private directory for checkpoints of this key; survives interruption,
   * removed once the cell's entry is committed. */
  readonly checkpointDir: string
  /** Reports progress within the cell (e.g. steps done of the budget). */
  readonly progress: (done: number, total: number) => void
}

export interface CellRequest<A> {
  /** Names the kind of cell ("train", "fork", ...), part of the key. */
  readonly name: string
  /** Everything that determines the result; canonicalised and hashed. */
  readonly key: unknown
  readonly output: JsonCodec<A>
  /** Globs (relative to the project root) of the code that computes the cell.
   * The stage's own module is deliberately not included: editing a stage must not
   * retrain its cells. */
  readonly code: ReadonlyArray<string>
  /** A short human label for progress lines, e.g. "p=59 rho=1.15 lr=4e-3". */
  readonly label: string
  readonly run: (cell: CellRun) => Effect.Effect<A, StageFailure, StageServices>
}

/** The engine's handle given to a running stage. */
export interface StageContext {
  /** Node id in the profile (a stage may run under several ids). */
  readonly node: string
  /**
   * Memoizes one sub-unit (one training cell) in the same store, keyed by
   * {keyFormat, cell name, code digest, key, env}. Concurrent cells are bounded by
   * the scheduler's job pool; a hit returns the stored output without running.
   */
  readonly cell: <A>(request: CellRequest<A>) => Effect.Effect<A, StageFailure, StageServices>
  /** The environment that joins the stage's key and its cells' keys: backend,
   * tfjs version, precision. Empty for a stage declaring `usesTrainer: false`
   * (it does not join that stage's key; its cells still key on it). */
  readonly env: Readonly<Record<string, string>>
  readonly log: (message: string) => Effect.Effect<void>
}
