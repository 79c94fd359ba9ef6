/**
 * A profile as a file: where it lives, where a field sits in it (line and column
 * for messages), how a schema issue about it reads, and which profiles exist.
 * Loading and validation (Profile.ts) use these to name the file, the field path,
 * the line and what was expected in every ProfileError.
 */
import { readdirSync, readFileSync } from "node:fs"
import * as path from "node:path"
import { Effect } from "effect"
import type { SchemaIssue } from "effect"
import { isMap, parseDocument } from "yaml"
import type { Document, LineCounter } from "yaml"
import type { DiscoveredStage } from "./Discovery.ts"
import { ProfileError } from "./Errors.ts"
import type { Override } from "./Overrides.ts"
import { firstProblem, formatPath, lowerFirst } from "./SchemaProblem.ts"
import { didYouMean } from "./Suggest.ts"

/** `quick` → `<root>/pipeline/quick.yaml`; anything with a slash or extension is a path. */
export const resolveProfilePath = (nameOrPath: string, root: string): string =>
  /[\\/]|\.ya?ml$/.test(nameOrPath) ? path.resolve(nameOrPath) : path.join(root, "pipeline", `${nameOrPath}.yaml`)

export { displayPath } from "./ProjectRoot.ts"

export const describe = (value: unknown): string => {
  if (value === undefined) return "nothing"
  if (value === null) return "null"
  if (Array.isArray(value)) return "a list"
  if (typeof value === "object") return "a mapping"
  return JSON.stringify(value)
}


export interface Located {
  readonly line?: number
  readonly column?: number
}

/** Line of the deepest existing YAML node on the path (the parent for a missing key). */
export const locate = (doc: Document, counter: LineCounter, segments: ReadonlyArray<PropertyKey>): Located => {
  for (let n = segments.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(segments.slice(0, n) as Array<string | number>, true)
    if (node !== undefined && node !== null && typeof node === "object" && "range" in node) {
      const range = (node as { readonly range?: readonly [number, number, number] | null }).range
      if (range) {
        const pos = counter.linePos(range[0])
        return { line: pos.line, column: pos.col }
      }
    }
  }
  return {}
}

/** The top-level field names of a stage's config Struct (empty for other schemas). */
export const configFields = (schema: unknown): ReadonlySet<string> => {
  // Schemas are callable objects, so `typeof` may be "function".
  const fields = (typeof schema === "object" || typeof schema === "function") && schema !== null ? (schema as { readonly fields?: unknown }).fields : undefined
  return new Set(typeof fields === "object" && fields !== null ? Object.keys(fields) : [])
}

export const declaredAnywhere = (drafts: ReadonlyArray<{ readonly stage: DiscoveredStage }>, field: string): boolean =>
  drafts.some((d) => configFields(d.stage.stage.config).has(field))

export const configError = (
  issue: SchemaIssue.Issue,
  at: ReadonlyArray<string>,
  nodeOverrides: ReadonlyArray<Override>,
  defaultOverrides: ReadonlyArray<Override>,
  inherited: ReadonlySet<string>,
  fail: (segments: ReadonlyArray<PropertyKey>, message: string) => ProfileError,
  fields: ReadonlySet<string> = new Set()
): Effect.Effect<never, ProfileError> => {
  const first = firstProblem(issue)
  const rel = first.path
  const raw = first.message ?? "invalid config"
  // The default wording ("Unexpected key with value 3") hides the likely cause: a typo.
  const typo = rel.length === 1 ? didYouMean(String(rel[0]), fields) : ""
  const message = /^Unexpected key/.test(raw) ? `unknown config field${typo} (${raw.replace(/^Unexpected key/, "got a key")}; check the spelling against the stage's config schema)` : lowerFirst(raw)
  const full = [...at, "config", ...rel]
  // An error inside a value that came from `--set` is the command line's fault,
  // not the file's: name the flag.
  const culprit = nodeOverrides.find((o) => o.path.every((seg, i) => String(rel[i]) === seg))
  if (culprit !== undefined) {
    return Effect.fail(new ProfileError({ file: `--set ${culprit.text}`, path: formatPath(full), message }))
  }
  // A bad value inherited from `defaults` is wrong where it is written: the file's
  // `defaults:` block, or `--set defaults.…`.
  const fromFlag = defaultOverrides.find((o) => o.path.every((seg, i) => String(rel[i]) === seg))
  if (fromFlag !== undefined) {
    return Effect.fail(new ProfileError({ file: `--set ${fromFlag.text}`, path: formatPath(["defaults", ...rel]), message: `${message} (as config of node "${at[1]}")` }))
  }
  if (rel.length > 0 && inherited.has(String(rel[0]))) {
    return Effect.fail(fail(["defaults", ...rel], `${message} (as config of node "${at[1]}")`))
  }
  return Effect.fail(fail(full, message))
}

/** Profile names under `<root>/pipeline/` (files with a top-level `stages:`). */
export const listProfileNamesSync = (root: string): Array<string> => {
  const dir = path.join(root, "pipeline")
  let names: Array<string> = []
  try {
    // Sync on purpose: only used to enrich an error message or to enumerate gc roots.
    names = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f))
  } catch {
    return []
  }
  return names
    .filter((f) => {
      try {
        const doc = parseDocument(readFileSync(path.join(dir, f), "utf8"))
        const contents = doc.contents
        return isMap(contents) && contents.has("stages")
      } catch {
        return false
      }
    })
    .map((f) => f.replace(/\.ya?ml$/, ""))
    .sort()
}
