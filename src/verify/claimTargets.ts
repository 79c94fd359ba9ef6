/**
 * `run --for 'GLOB'`: the nodes a set of claims reads. Every claim names its
 * `node:path` (and a test may compare with another node's path), so the claims a
 * pattern matches, among those the profile tests, give the nodes to run; the run
 * then computes them and what they need, as `--only` does.
 */
import { Effect, Option } from "effect"
import { UsageError } from "../engine/Errors.ts"
import type { Profile } from "../engine/Profile.ts"
import type { Claim } from "./Claim.ts"
import { loadClaims } from "./loadClaims.ts"
import { splitMeasure } from "./measuredValue.ts"

/** `*` any run of characters, `?` one; comma-separated patterns, any may match. */
export const claimMatcher = (patterns: string): ((id: string) => boolean) => {
  const regexes = patterns
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "")
    .map((p) => new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`))
  return (id) => regexes.some((r) => r.test(id))
}

export interface ClaimTargets {
  /** The matching claims the profile tests. */
  readonly claims: ReadonlyArray<string>
  /** The profile's nodes they read, in profile order. */
  readonly nodes: ReadonlyArray<string>
  /** Matching claims the profile does not test (they would show NOT RUN). */
  readonly untested: ReadonlyArray<string>
}

export const claimTargets = (
  claims: ReadonlyArray<Claim>,
  profile: { readonly name: string; readonly nodeIds: ReadonlyArray<string> },
  patterns: string
): ClaimTargets => {
  const matches = claimMatcher(patterns)
  const matching = claims.filter((c) => matches(c.id))
  const tested = matching.filter((c) => c.tests[profile.name] !== undefined)
  const read = new Set(
    tested.flatMap((c) => {
      const test = c.tests[profile.name]!
      const bounds = [test.atLeast, test.atMost, test.greaterThan, test.lessThan].filter((b): b is string => typeof b === "string")
      return [c.measure, ...bounds].map((m) => splitMeasure(m).node)
    })
  )
  return {
    claims: tested.map((c) => c.id),
    nodes: profile.nodeIds.filter((id) => read.has(id)),
    untested: matching.filter((c) => c.tests[profile.name] === undefined).map((c) => c.id)
  }
}

/**
 * The node ids `run --for PATTERNS` selects in `profile`; a pattern that selects no node
 * is a usage error naming the claims it matched and why none is tested here.
 */
export const nodesForClaims = (profile: Profile, patterns: Option.Option<string>, root: string) =>
  Effect.gen(function*() {
    if (Option.isNone(patterns)) return undefined
    const claims = yield* loadClaims(root)
    const targets = claimTargets(claims, { name: profile.name, nodeIds: profile.nodes.map((n) => n.id) }, patterns.value)
    if (targets.nodes.length === 0) {
      const why = targets.claims.length > 0
        ? `its claims (${targets.claims.join(", ")}) read no node of ${profile.file}`
        : targets.untested.length > 0
        ? `profile ${profile.name} tests none of the claims it matches (${targets.untested.join(", ")})`
        : `it matches no claim id in pipeline/claims`
      return yield* new UsageError({ message: `--for ${patterns.value}: ${why}` })
    }
    return targets.nodes
  })
