/**
 * Canonical JSON and sha256: the one way the engine turns a value into bytes for
 * hashing and storing. Object keys are sorted at every depth and `undefined`
 * fields dropped, so two equal values always hash alike whatever order their
 * fields were built in. Chosen over object-hash because the preimage is stored as
 * JSON anyway: what is hashed is exactly what `status --explain` reads back.
 */
import { createHash } from "node:crypto"

export type Json = null | boolean | number | string | ReadonlyArray<Json> | { readonly [key: string]: Json }

const normalise = (value: unknown, path: string): Json => {
  if (value === null) return null
  switch (typeof value) {
    case "boolean":
    case "string":
      return value
    case "number":
      // JSON has no NaN/Infinity; silently writing null would make two different
      // values share a key.
      if (!Number.isFinite(value)) throw new TypeError(`canonical JSON: non-finite number at ${path || "<root>"}`)
      return Object.is(value, -0) ? 0 : value
    case "object": {
      if (Array.isArray(value)) return value.map((item, i) => normalise(item === undefined ? null : item, `${path}[${i}]`))
      const out: Record<string, Json> = {}
      for (const key of Object.keys(value).sort()) {
        const item = (value as Record<string, unknown>)[key]
        if (item !== undefined) out[key] = normalise(item, path ? `${path}.${key}` : key)
      }
      return out
    }
    default:
      throw new TypeError(`canonical JSON: cannot encode ${typeof value} at ${path || "<root>"}`)
  }
}

/** The value as plain JSON data with sorted keys (throws on non-JSON values). */
export const toJson = (value: unknown): Json => normalise(value, "")

/** Canonical JSON text: sorted keys, no whitespace. */
export const canonicalJson = (value: unknown): string => JSON.stringify(normalise(value, ""))

export const sha256 = (data: string | Uint8Array): string => createHash("sha256").update(data).digest("hex")

/** sha256 of the canonical JSON of a value. */
export const hashValue = (value: unknown): string => sha256(canonicalJson(value))
