/** Reads and validates every claim file under pipeline/claims/. */
import fg from "fast-glob"
import { readFile } from "node:fs/promises"
import * as path from "node:path"
import { Effect, Schema } from "effect"
import { parse } from "yaml"
import { ClaimFile } from "./Claim.ts"
import type { Claim } from "./Claim.ts"
import { firstProblem, formatPath } from "../engine/index.ts"
import { ClaimFileError } from "./ClaimFileError.ts"

const loadOne = (root: string, file: string): Effect.Effect<ReadonlyArray<Claim>, ClaimFileError> =>
  Effect.gen(function*() {
    const shown = path.relative(root, file)
    const text = yield* Effect.tryPromise({
      try: () => readFile(file, "utf8"),
      catch: (e) => new ClaimFileError({ file: shown, path: "", message: `cannot read: ${String(e)}` })
    })
    const raw = yield* Effect.try({
      try: () => parse(text) as unknown,
      catch: (e) => new ClaimFileError({ file: shown, path: "", message: `not valid YAML: ${e instanceof Error ? e.message : String(e)}` })
    })
    const decoded = Schema.decodeUnknownResult(ClaimFile)(raw, { errors: "all", onExcessProperty: "error" })
    if (decoded._tag === "Failure") {
      const first = firstProblem(decoded.failure.issue)
      return yield* new ClaimFileError({
        file: shown,
        path: formatPath(first.path),
        message: first.message ?? "does not fit the claim schema"
      })
    }
    const seen = new Set<string>()
    for (const [i, claim] of decoded.success.claims.entries()) {
      if (seen.has(claim.id)) {
        return yield* new ClaimFileError({ file: shown, path: `claims[${i}].id`, message: `duplicate claim id "${claim.id}"` })
      }
      seen.add(claim.id)
      // The overlap rule compares intervals: a claim it tests needs the paper's side.
      for (const [profile, test] of Object.entries(claim.tests)) {
        if (test.overlap === true && claim.paperValue === null && claim.paperCi === undefined && claim.paperInterval === undefined) {
          return yield* new ClaimFileError({
            file: shown,
            path: `claims[${i}].tests.${profile}.overlap`,
            message: `claim "${claim.id}" has no paperValue, paperCi or paperInterval for the overlap rule to compare with`
          })
        }
      }
      if (claim.paperBound !== undefined && (claim.paperValue === null || claim.paperInterval !== undefined || claim.paperCi !== undefined)) {
        return yield* new ClaimFileError({
          file: shown,
          path: `claims[${i}].paperBound`,
          message: `claim "${claim.id}": an upper bound is its paperValue, so paperBound needs a paperValue and neither paperInterval nor paperCi`
        })
      }
      const interval = claim.paperInterval ?? claim.paperCi
      if (interval !== undefined && !(interval[0] <= interval[1])) {
        return yield* new ClaimFileError({
          file: shown,
          path: `claims[${i}].${claim.paperInterval !== undefined ? "paperInterval" : "paperCi"}`,
          message: `expected [lower, upper] with lower ≤ upper, got [${interval.join(", ")}]`
        })
      }
    }
    return decoded.success.claims
  })

export const loadClaims = (root: string): Effect.Effect<ReadonlyArray<Claim>, ClaimFileError> =>
  Effect.gen(function*() {
    const files = (yield* Effect.promise(() => fg("pipeline/claims/*.{yaml,yml}", { cwd: root, absolute: true }))).sort()
    const all = yield* Effect.forEach(files, (f) => loadOne(root, f))
    return all.flat()
  })
