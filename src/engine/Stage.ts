/**
 * The stage API: a stage is a value, not a class hierarchy.
 *
 * A module under stages/ default-exports one `defineStage(...)` value. The engine
 * discovers it with fast-glob, validates the profile's config slice against
 * `config`, wires `needs` to upstream nodes, keys it, and either reuses the stored
 * output or runs it.
 */
import type { Effect, Schema } from "effect"
import type { AnyCellKind } from "./CellKind.ts"
import type { AnyRequirement, Requirements } from "./Requirement.ts"
import type { StageContext } from "./StageContext.ts"
import type { StageFailure } from "./StageFailure.ts"
import type { StageServices } from "./StageServices.ts"

/** Schemas that round-trip through JSON (what the store keeps). */
export type JsonCodec<A> = Schema.Codec<A, unknown, never, never>

/**
 * One unit of training a stage would request, as `--dry-run` plans it: the cell
 * kind and payload the stage's `run` would pass to `ctx.cell` (a held cell's
 * target, measured upstream, is a placeholder; `rho` says what multiplies it).
 * The planner (src/planning/estimate.ts) prices it; the engine only carries it.
 */
export interface PlannedUnit {
  readonly label: string
  readonly kind: string
  readonly payload: unknown
  /** ρ of a held cell (its target is ρ times a norm measured upstream); null when free. */
  readonly rho: number | null
  readonly hold: "free" | "sustained" | "one-shot" | "group"
  /** Labels of this node's units that must finish first (a held cell waits for the cell its target comes from). */
  readonly after?: ReadonlyArray<string>
}

/** What `--dry-run` prints for a stage before anything trains. */
export interface Estimate {
  /** Training cells the stage would request (hits included). */
  readonly cells: number
  /** Seeds per cell. */
  readonly seeds: number
  /** Step budget per seed. */
  readonly steps: number
  /** One line, e.g. "12 cells x 3 seeds x 20k steps, about 1.5 h on 2 cores". */
  readonly description: string
  /** Optional wall-time guess; shown and summed by `--dry-run`. */
  readonly hours?: number
  /** Optional expected wall time (cells stop once their seeds grok); summed by `--dry-run` beside the bound. */
  readonly expectedHours?: number
  /** The units themselves: `--dry-run` prices each from the T_grok model and schedules them. */
  readonly units?: ReadonlyArray<PlannedUnit>
}

/**
 * An input the stage can do without: bound when the profile has a node for it,
 * `undefined` otherwise (delay-law-fits without a clamp sweep in faithful-a1).
 */
export interface OptionalNeed<S extends AnyStage = AnyStage> {
  readonly _tag: "OptionalNeed"
  readonly stage: S
}

export const optionalNeed = <S extends AnyStage>(stage: S): OptionalNeed<S> => ({ _tag: "OptionalNeed", stage })

/** One entry of `needs`: a stage (required) or `optionalNeed(stage)`. */
export type Need = AnyStage | OptionalNeed

export const isOptionalNeed = (need: Need): need is OptionalNeed =>
  (need as { readonly _tag?: unknown })._tag === "OptionalNeed"

/** The stage a need refers to, optional or not. */
export const needStage = (need: Need): AnyStage => (isOptionalNeed(need) ? need.stage : need)

/**
 * Figures a stage feeds: the figure kinds (modules under src/figures/kinds/) and
 * how to compute them from the stage's stored output and its inputs' (a figure
 * that combines two stages is fed by the stage that has both). The engine only
 * carries this; `grokflow report` calls it and decodes each figure with its
 * kind's Schema. Build one with `feed` from src/figures/Figure.ts.
 */
export interface FigureFeed<Output = unknown, Inputs = unknown> {
  readonly kinds: ReadonlyArray<string>
  from(output: Output, inputs: Inputs): ReadonlyArray<unknown>
}

/** Any stage, as the engine sees it after discovery (types erased, shape kept). */
export interface AnyStage {
  readonly name: string
  readonly version: number
  readonly description: string
  readonly config: JsonCodec<unknown>
  readonly needs: Readonly<Record<string, Need>>
  readonly requires?: Readonly<Record<string, AnyRequirement | undefined>>
  readonly output: JsonCodec<unknown>
  readonly figures?: ReadonlyArray<FigureFeed>
  readonly code?: ReadonlyArray<string>
  readonly cells?: ReadonlyArray<AnyCellKind>
  readonly estimate?: (config: never) => Estimate
  readonly run: (config: never, inputs: never, ctx: StageContext) => Effect.Effect<unknown, StageFailure, StageServices>
}

/** The typed outputs of the stages a stage needs, keyed by input name. */
export type InputsOf<Needs extends Readonly<Record<string, Need>>> = {
  readonly [K in keyof Needs]: Needs[K] extends OptionalNeed<infer S> ? S["output"]["Type"] | undefined
    : Needs[K] extends AnyStage ? Needs[K]["output"]["Type"]
    : never
}

export interface Stage<Output, Config, Needs extends Readonly<Record<string, Need>>> extends AnyStage {
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
   * rebind an input to another node running the same stage. Wrap a stage in
   * `optionalNeed` when the input may be absent from a profile. */
  readonly needs: Needs
  /** What the node bound to an input must have in its config (checked when the
   * profile loads), e.g. `{ wc: { config: { loss: "mse" }, because: "…" } }`. */
  readonly requires?: Requirements<Needs>
  readonly output: JsonCodec<Output>
  /** The figures this stage feeds, from its output and inputs, drawn by `grokflow report`. */
  readonly figures?: ReadonlyArray<FigureFeed<Output, InputsOf<Needs>>>
  /**
   * Extra files (globs relative to the project root) that join this stage's code
   * digest: only what imports cannot reveal (data files). The stage module's own
   * import closure is always in the digest, computed, never declared.
   */
  readonly code?: ReadonlyArray<string>
  /**
   * The kinds of cell the stage runs through `ctx.cell`. Their code and the
   * training environment (backend, tfjs version, precision) join the stage's key,
   * so a change to the training core makes the stage stale and its cells retrain.
   * A stage with none (statistics, figure data) keys on neither: the backend
   * reaches its results only through its inputs, whose digests are in its key.
   * The engine enforces it: `ctx.cell` with an undeclared kind fails the stage.
   */
  readonly cells?: ReadonlyArray<AnyCellKind>
  /** Cost guess for `run --dry-run`: the units the stage would train (estimateOfUnits in src/planning/estimate.ts); never run for real. */
  readonly estimate?: (config: Config) => Estimate
  readonly run: (
    config: Config,
    inputs: InputsOf<Needs>,
    ctx: StageContext
  ) => Effect.Effect<Output, StageFailure, StageServices>
}

export const defineStage = <Output, Config, Needs extends Readonly<Record<string, Need>> = {}>(
  stage: Stage<Output, Config, Needs>
): Stage<Output, Config, Needs> => stage
