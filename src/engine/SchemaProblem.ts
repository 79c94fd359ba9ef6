/**
 * How a Schema's complaint about a file a user wrote reads: the first problem,
 * with the path to the field (`stages.clamp-sweep.config.rhos[2]`,
 * `claims[3].id`) and Schema's message. Profiles, claim files and figure data all
 * name a bad field this way, so one reader learns one format.
 */
import { SchemaIssue } from "effect"

/** `stages.clamp-sweep.config.rhos[2]` */
export const formatPath = (segments: ReadonlyArray<PropertyKey>): string =>
  segments.reduce<string>((acc, seg) => {
    if (typeof seg === "number") return `${acc}[${seg}]`
    const s = String(seg)
    return acc === "" ? s : `${acc}.${s}`
  }, "")

export const lowerFirst = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1)

export interface SchemaProblem {
  /** Where, as path segments from the decoded value's root. */
  readonly path: ReadonlyArray<PropertyKey>
  /** Schema's message; undefined when the issue carries none. */
  readonly message: string | undefined
}

/** The first problem of an issue (decode with `errors: "all"` to see them in document order). */
export const firstProblem = (issue: SchemaIssue.Issue): SchemaProblem => {
  const first = SchemaIssue.makeFormatterStandardSchemaV1()(issue).issues[0]
  const path = (first?.path ?? []).map((seg) => (typeof seg === "object" ? seg.key : seg))
  return { path, message: first?.message }
}

/** "rhos[2]: expected a number, got …" in one line (just the message at the root). */
export const describeIssue = (issue: SchemaIssue.Issue): string => {
  const { path, message } = firstProblem(issue)
  const where = formatPath(path)
  return `${where === "" ? "" : `${where}: `}${lowerFirst(message ?? "invalid")}`
}
