/**
 * The stage API: a stage is a value, not a class hierarchy.
 *
 * A module under stages/ default-exports one `defineStage(...)` value. The engine
 * discovers it with fast-glob, validates the profile's config slice against
 * `config`, wires `needs` to upstream nodes, keys it, and either reuses the stored
 * output or runs it.
 */
import type { Effect, Schema } from "effect"
import type { StageContext } from "./StageContext.ts"
import type { StageFailure } from "./StageFailure.ts"
import type { StageServices } from "./StageServices.ts"

/** Schemas that round-trip through JSON (what the store keeps). */
export type JsonCodec<A> = Schema.Codec<A, unknown, never, never>

/** Any stage, as the engine sees it after discovery (types erased, shape kept). */
export interface AnyStage {
  readonly name: string
  readonly version: number
  readonly description: string
  readonly config: JsonCodec<unknown>
  readonly needs: Readonly<Record<string, AnyStage>>
  readonly output: JsonCodec<unknown>
  readonly code?: ReadonlyArray<string>
  readonly run: (config: never, inputs: never, ctx: StageContext) => Effect.Effect<unknown, StageFailure, StageServices>
}

/** The typed outputs of the stages a stage needs, keyed by input name. */
export type InputsOf<Needs extends Readonly<Record<string, AnyStage>>> = {
  readonly [K in keyof Needs]: Needs[K]["output"]["Type"]
}

export interface Stage<Output, Config, Needs extends Readonly<Record<string, AnyStage>>> extends AnyStage {
  /** Stable identifier; part of every key and every store path. */
  readonly name: string
  /** Bumped by hand when the stage's meaning changes without its code changing. */
  readonly version: number
  readonly description: string
  /**
   * The slice of the profile the stage reads. Defaults are applied by decoding
   * before hashing, so writing a default explicitly changes no key.
   */
  readonly config: JsonCodec<Config>
  /** Upstream stages whose outputs `run` receives, by input name. A profile may
   * rebind an input to another node running the same stage. */
  readonly needs: Needs
  readonly output: JsonCodec<Output>
  /**
   * Extra files (globs relative to the project root) whose contents join this
   * stage's code digest beside its own module: the src/ libraries it uses.
   */
  readonly code?: ReadonlyArray<string>
  readonly run: (
    config: Config,
    inputs: InputsOf<Needs>,
    ctx: StageContext
  ) => Effect.Effect<Output, StageFailure, StageServices>
}

export const defineStage = <Output, Config, Needs extends Readonly<Record<string, AnyStage>> = {}>(
  stage: Stage<Output, Config, Needs>
): Stage<Output, Config, Needs> => stage
