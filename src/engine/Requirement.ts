/**
 * What a stage requires of the node bound to one of its inputs, beyond running
 * the right stage: e.g. mse-contrast's `wc` must be a Wc measured under MSE. The
 * profile loader checks it against the bound node's decoded config, so a wrong
 * binding is a load-time error naming the file and field, not a wrong number later.
 */
import type { AnyStage, Need, OptionalNeed } from "./Stage.ts"

/** Config values the bound node must have (compared by value), and why, in words. */
export interface InputRequirement<Config = unknown> {
  readonly config: { readonly [K in keyof Config]?: Config[K] }
  readonly because: string
}

/** A requirement as the engine sees it after discovery (types erased). */
export interface AnyRequirement {
  readonly config: Readonly<Record<string, unknown>>
  readonly because: string
}

/** The config type of the stage a need refers to. */
export type NeedConfig<N> = N extends OptionalNeed<infer S> ? S["config"]["Type"] : N extends AnyStage ? N["config"]["Type"] : never

/** `requires` of a stage: per input name, what its bound node's config must hold. */
export type Requirements<Needs extends Readonly<Record<string, Need>>> = {
  readonly [K in keyof Needs]?: InputRequirement<NeedConfig<Needs[K]>>
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b)

/** The fields of `config` that miss the requirement, with what was found. */
export const unmet = (requirement: AnyRequirement, config: unknown): ReadonlyArray<{ readonly field: string; readonly want: unknown; readonly got: unknown }> => {
  const actual = (typeof config === "object" && config !== null ? config : {}) as Readonly<Record<string, unknown>>
  return Object.entries(requirement.config).flatMap(([field, want]) => (same(actual[field], want) ? [] : [{ field, want, got: actual[field] }]))
}
