/**
 * Every claim's `node:path`, in every profile that tests it, walked against the
 * output schema of the stage bound to that node: a typo or a renamed field fails
 * here instead of showing NOT RUN after a run.
 */
import { Effect, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { listProfileNamesSync, loadProfile } from "../../src/engine/index.ts"
import type { Claim } from "../../src/verify/Claim.ts"
import { loadClaims } from "../../src/verify/loadClaims.ts"
import { checkPathAgainstSchema } from "../../src/verify/schemaPath.ts"
import { fitDelayLawMedians } from "../../src/analysis/index.ts"

const root = process.cwd()

const pathsOf = (claim: Claim, profile: string): ReadonlyArray<string> => {
  const test = claim.tests[profile]
  if (test === undefined) return []
  const bounds = [test.atLeast, test.atMost, test.greaterThan, test.lessThan].filter((b): b is string => typeof b === "string")
  return [claim.measure, ...bounds]
}

describe("claim paths", () => {
  it("every measured path of every profile's claims exists in the bound stage's output schema", async () => {
    const claims = await Effect.runPromise(loadClaims(root))
    const problems: Array<string> = []
    let checked = 0
    for (const name of listProfileNamesSync(root)) {
      const profile = await Effect.runPromise(loadProfile(name))
      for (const claim of claims) {
        for (const measure of pathsOf(claim, name)) {
          const colon = measure.indexOf(":")
          const nodeId = measure.slice(0, colon)
          const node = profile.nodes.find((n) => n.id === nodeId)
          if (node === undefined) {
            problems.push(`${name}: ${claim.id}: no node "${nodeId}" in profile ${name}`)
            continue
          }
          const output = (node.stage.stage.output as Schema.Top).ast
          const problem = checkPathAgainstSchema(output, measure.slice(colon + 1))
          if (problem !== null) problems.push(`${name}: ${claim.id}: ${measure}: ${problem}`)
          checked++
        }
      }
    }
    expect(problems).toEqual([])
    expect(checked).toBeGreaterThan(40)
  }, 60_000)

  it("every profile a claim tests exists, and every paper-scale group profile tests claims", async () => {
    const claims = await Effect.runPromise(loadClaims(root))
    const profiles = new Set(listProfileNamesSync(root))
    const named = new Set(claims.flatMap((c) => Object.keys(c.tests)))
    expect([...named].filter((n) => !profiles.has(n))).toEqual([])
    const groups = [...profiles].filter((n) => n.startsWith("faithful-"))
    expect(groups.length).toBeGreaterThanOrEqual(9)
    for (const group of groups) expect(claims.filter((c) => c.tests[group] !== undefined).length, group).toBeGreaterThan(0)
  })

  it("catches a misspelt field, a wrong selector and a path that ends at a struct", () => {
    const Out = Schema.Struct({
      sweep: Schema.Struct({
        alpha: Schema.NullOr(Schema.Struct({ estimate: Schema.Finite, lower: Schema.NullOr(Schema.Finite), upper: Schema.NullOr(Schema.Finite) })),
        cells: Schema.Array(Schema.Struct({ rho: Schema.Finite, median: Schema.NullOr(Schema.Finite) }))
      })
    })
    expect(checkPathAgainstSchema(Out.ast, "sweep.alpha")).toBeNull()
    expect(checkPathAgainstSchema(Out.ast, "sweep.cells[rho=1].median")).toBeNull()
    expect(checkPathAgainstSchema(Out.ast, "sweep.alhpa")).toMatch(/\.alhpa does not exist in sweep/)
    expect(checkPathAgainstSchema(Out.ast, "sweep.cells[tau=1].median")).toMatch(/\[tau=1\] does not exist/)
    expect(checkPathAgainstSchema(Out.ast, "sweep.cells")).toMatch(/not a number/)
  })
})

describe("paper values derived in the claim files", () => {
  it("A3.alpha-dense-low is the OLS slope of the paper's own four dense medians (ρ 0.85–1.00)", async () => {
    const claims = await Effect.runPromise(loadClaims(root))
    const cells = ["0.85", "0.90", "0.95", "1.00"].map((r) => {
      const c = claims.find((x) => x.id === `A3.cell-rho${r}`)
      if (c === undefined || c.paperValue === null) throw new Error(`no paper value for A3.cell-rho${r}`)
      return { rho: Number(r), median: c.paperValue }
    })
    const fitted = fitDelayLawMedians(cells).alpha
    const claimed = claims.find((x) => x.id === "A3.alpha-dense-low")?.paperValue
    expect(claimed).not.toBeUndefined()
    expect(Math.abs(fitted - (claimed as number))).toBeLessThan(0.005)
  })
})
