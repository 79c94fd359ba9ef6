/**
 * Resolves a claim's `node:path` against the stored outputs of a profile's nodes.
 * Path segments: `.field`, `[3]` (index) and `[key=value]` (the array element whose
 * `key` equals `value`, e.g. `moduli[p=59]`), so claims name cells by what they are,
 * not by their position.
 */
import { Predicate } from "effect"

export interface Measured {
  readonly value: number
  readonly lower: number | null
  readonly upper: number | null
  /** True when the value came with an interval; then a null bound is unbounded on that
   * side (the bootstrap saw resamples censored beyond the budget). */
  readonly interval: boolean
}

export type Lookup = (node: string) => unknown

/** A claim's `node:path`, split at its first colon (a bare node has the path ""). */
export const splitMeasure = (measure: string): { readonly node: string; readonly path: string } => {
  const colon = measure.indexOf(":")
  return colon < 0 ? { node: measure, path: "" } : { node: measure.slice(0, colon), path: measure.slice(colon + 1) }
}

/** A path's segments: `field`, `[3]`, `[key=value]` (brackets kept, so a step knows which it is). */
export const pathSegments = (path: string): ReadonlyArray<string> => path.match(/[^.[\]]+|\[[^\]]*\]/g) ?? []

const step = (current: unknown, segment: string): unknown => {
  if (segment.startsWith("[")) {
    const inner = segment.slice(1, -1)
    if (!Array.isArray(current)) return undefined
    const eq = inner.indexOf("=")
    if (eq < 0) return current[Number(inner)]
    const key = inner.slice(0, eq)
    const wanted = inner.slice(eq + 1)
    return current.find((el: unknown) => Predicate.isObject(el) && String((el as Record<string, unknown>)[key]) === wanted)
  }
  return Predicate.isObject(current) ? (current as Record<string, unknown>)[segment] : undefined
}

/** The value at `path` inside `root` (`.field`, `[3]`, `[key=value]`); undefined when absent. */
export const valueAt = (root: unknown, path: string): unknown => {
  let current = root
  for (const segment of pathSegments(path)) {
    if (current === undefined || current === null) return undefined
    current = step(current, segment)
  }
  return current
}

/** The number at `node:path`: a plain number, or an interval object {estimate, lower, upper}. */
export const resolveMeasured = (measure: string, lookup: Lookup): Measured | null => {
  const { node, path } = splitMeasure(measure)
  const current = valueAt(lookup(node), path)
  if (Predicate.isNumber(current) && Number.isFinite(current)) return { value: current, lower: null, upper: null, interval: false }
  if (Predicate.isObject(current)) {
    const o = current as Record<string, unknown>
    if (Predicate.isNumber(o.estimate) && Number.isFinite(o.estimate)) {
      return {
        value: o.estimate,
        lower: Predicate.isNumber(o.lower) ? o.lower : null,
        upper: Predicate.isNumber(o.upper) ? o.upper : null,
        interval: "lower" in o && "upper" in o
      }
    }
  }
  return null
}
