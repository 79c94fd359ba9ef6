/**
 * The analysis functions throw RangeError when a statistic is not identified (too
 * few grokked cells, say). Inside a stage that is a reportable result, not a crash:
 * `orNull` keeps the run going with the reason recorded; `guarded` fails the stage
 * with a message naming it.
 */
import { Effect } from "effect"
import { StageFailure } from "../engine/StageFailure.ts"

export interface Unidentified {
  readonly value: null
  readonly reason: string
}

export const orNull = <A>(compute: () => A): A | null => {
  try {
    return compute()
  } catch (e) {
    if (e instanceof RangeError) return null
    throw e
  }
}

export const guarded = <A>(stage: string, what: string, compute: () => A): Effect.Effect<A, StageFailure> =>
  Effect.try({
    try: compute,
    catch: (e) => new StageFailure({ stage, message: `${what}: ${e instanceof Error ? e.message : String(e)}`, cause: e })
  })
