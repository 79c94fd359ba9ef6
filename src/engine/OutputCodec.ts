/**
 * Outputs cross the store as canonical JSON encoded through their schema: the
 * bytes (and so the digest downstream keys see) depend only on the value.
 */
import { Effect, Result, Schema } from "effect"
import { canonicalJson } from "./Canonical.ts"
import { StageFailure } from "./StageFailure.ts"

/** Serializes an output through its schema into canonical JSON bytes. */
export const encodeOutput = (schema: Schema.Codec<unknown, unknown>, value: unknown, who: string) =>
  Effect.suspend(() => {
    const encoded = Schema.encodeUnknownResult(schema)(value)
    if (Result.isFailure(encoded)) {
      return Effect.fail(new StageFailure({ stage: who, message: `output does not match its schema: ${String(encoded.failure)}` }))
    }
    try {
      return Effect.succeed(new TextEncoder().encode(canonicalJson(encoded.success)))
    } catch (e) {
      return Effect.fail(new StageFailure({ stage: who, message: `output is not JSON data: ${e instanceof Error ? e.message : String(e)}` }))
    }
  })

/** Decodes JSON data through a schema; undefined when it does not fit. */
export const decodeJson = (schema: Schema.Codec<unknown, unknown>, data: unknown): unknown | undefined => {
  const decoded = Schema.decodeUnknownResult(schema)(data)
  return Result.isSuccess(decoded) ? decoded.success : undefined
}

/** Decodes stored bytes through a schema; undefined when they no longer fit (treated as a miss). */
export const decodeOutput = (schema: Schema.Codec<unknown, unknown>, bytes: Uint8Array): unknown | undefined => {
  try {
    return decodeJson(schema, JSON.parse(new TextDecoder().decode(bytes)))
  } catch {
    return undefined
  }
}
