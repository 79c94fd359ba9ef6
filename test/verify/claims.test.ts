import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import type { Claim } from "../../src/verify/Claim.ts"
import { evaluateClaims } from "../../src/verify/evaluate.ts"
import type { NodeOutputs } from "../../src/verify/evaluate.ts"
import { loadClaims } from "../../src/verify/loadClaims.ts"
import { resolveMeasured } from "../../src/verify/measuredValue.ts"

const claim = (over: Partial<Claim>): Claim => ({
  id: "X1.test",
  paper: "A",
  description: "a test claim",
  paperValue: 7.5,
  paperText: "7.5",
  measure: "fits:sweep.alpha",
  tests: { quick: { range: [5, 12] } },
  ...over
})

const outputs = (byNode: Record<string, unknown>, nodes = Object.keys(byNode)): NodeOutputs => ({
  nodes: new Set(nodes),
  output: (n) => byNode[n],
  source: (n) => (n in byNode ? `cache/entries/${n}/abc.json` : null)
})

describe("claim lookup", () => {
  const out = {
    fits: {
      sweep: { alpha: { estimate: 7.9, lower: 7.1, upper: 8.6, undefinedResamples: 0 }, r2: 0.97 },
      moduli: [{ p: 41, recovery: 0.7 }, { p: 59, recovery: 0.85 }]
    }
  }
  it("reads plain numbers, intervals, indices and [key=value] selectors", () => {
    const lookup = (n: string) => (out as Record<string, unknown>)[n]
    expect(resolveMeasured("fits:sweep.r2", lookup)).toEqual({ value: 0.97, lower: null, upper: null, interval: false })
    expect(resolveMeasured("fits:sweep.alpha", lookup)).toEqual({ value: 7.9, lower: 7.1, upper: 8.6, interval: true })
    expect(resolveMeasured("fits:moduli[p=59].recovery", lookup)?.value).toBe(0.85)
    expect(resolveMeasured("fits:moduli[0].recovery", lookup)?.value).toBe(0.7)
    expect(resolveMeasured("fits:moduli[p=97].recovery", lookup)).toBeNull()
    expect(resolveMeasured("fits:sweep.missing", lookup)).toBeNull()
  })
})

describe("the paper-scale overlap rule", () => {
  const fits = (alpha: unknown) => outputs({ fits: { sweep: { alpha } } })
  const rule = (over: Partial<Claim>, alpha: unknown) =>
    evaluateClaims([claim({ tests: { paper: { overlap: true } }, ...over })], "paper", fits(alpha))[0]
  const interval = (estimate: number, lower: number | null, upper: number | null) => ({ estimate, lower, upper, undefinedResamples: 0 })

  it("PASS when grokflow's interval overlaps the paper's CI, FAIL when disjoint, and says where the point lies", () => {
    const paper = { paperValue: 7.64, paperCi: [7.47, 7.81] as [number, number] }
    const overlapping = rule(paper, interval(7.3, 6.9, 7.5))
    expect(overlapping.status).toBe("PASS")
    expect(overlapping.insidePaperInterval).toBe(false)
    expect(overlapping.tolerance).toMatch(/overlaps paper's · point outside/)
    const disjoint = rule(paper, interval(7.0, 6.8, 7.2))
    expect(disjoint.status).toBe("FAIL")
    expect(disjoint.reason).toMatch(/\[6\.8, 7\.2\] does not overlap the paper's \[7\.47, 7\.81\]/)
    expect(rule(paper, interval(7.6, 7.5, 7.7)).insidePaperInterval).toBe(true)
  })

  it("a null bound of a measured interval is unbounded (censoring), a plain number is a point", () => {
    const paper = { paperValue: 0.69 }
    expect(rule(paper, interval(0.6, 0.5, null)).status).toBe("PASS")
    expect(rule(paper, interval(0.6, 0.5, 0.65)).status).toBe("FAIL")
    // A point against a point must match exactly: such claims state a range instead.
    expect(rule(paper, 0.6).status).toBe("FAIL")
    expect(rule({ paperValue: 0.02, paperInterval: [0, 0.02] }, 0.013).status).toBe("PASS")
    expect(rule({ paperValue: 0.02, paperInterval: [0, 0.02] }, 0.025).status).toBe("FAIL")
  })

  it("the paper's stated range takes precedence over its CI, and a claim without paper value or interval FAILs", () => {
    expect(rule({ paperValue: 3999, paperInterval: [3795, 4257] }, interval(4300, 4100, 4500)).status).toBe("PASS")
    expect(rule({ paperValue: null }, interval(1, 0, 2)).reason).toMatch(/no paper value or interval/)
  })
})

describe("claim evaluation", () => {
  const out = { fits: { sweep: { alpha: 7.9, r2: 0.9, lever: 3, lrLever: 2 } } }

  it("PASS inside the tolerance, FAIL outside it, with the reason", () => {
    const [pass] = evaluateClaims([claim({})], "quick", outputs(out))
    expect(pass.status).toBe("PASS")
    expect(pass.source).toBe("cache/entries/fits/abc.json")
    const [fail] = evaluateClaims([claim({ measure: "fits:sweep.r2", tests: { quick: { atLeast: 0.95 } } })], "quick", outputs(out))
    expect(fail.status).toBe("FAIL")
    expect(fail.reason).toContain("0.9 is not ≥ 0.95")
  })

  it("NOT RUN when the profile has no test, no such node, or the node has not run", () => {
    const rows = evaluateClaims(
      [claim({ id: "a", tests: { paper: { withinAbs: 1 } } }), claim({ id: "b", measure: "dense:sweep.alpha" }), claim({ id: "c" })],
      "quick",
      outputs({}, ["fits"])
    )
    expect(rows.map((r) => r.status)).toEqual(["NOT RUN", "NOT RUN", "NOT RUN"])
    expect(rows[0].reason).toContain("does not test")
    expect(rows[1].reason).toContain("no node dense")
    expect(rows[2].reason).toContain("has not run")
  })

  it("compares with another measured value, scaled by factor", () => {
    const lever = (factor: number) =>
      evaluateClaims(
        [claim({ measure: "fits:sweep.lever", tests: { quick: { greaterThan: "fits:sweep.lrLever", factor } } })],
        "quick",
        outputs(out)
      )[0].status
    expect(lever(1)).toBe("PASS")
    expect(lever(2)).toBe("FAIL")
  })

  it("withinAbs and withinRel are measured from the paper's value", () => {
    const within = (test: Claim["tests"][string]) => evaluateClaims([claim({ tests: { quick: test } })], "quick", outputs(out))[0].status
    expect(within({ withinAbs: 0.5 })).toBe("PASS")
    expect(within({ withinAbs: 0.3 })).toBe("FAIL")
    expect(within({ withinRel: 0.1 })).toBe("PASS")
    expect(within({ withinRel: 0.01 })).toBe("FAIL")
  })

  it("a value the output does not identify FAILs in a profile that tests it", () => {
    const [row] = evaluateClaims([claim({ measure: "fits:sweep.nothing" })], "quick", outputs(out))
    expect(row.status).toBe("FAIL")
  })
})

describe("claim files", () => {
  const root = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "grokflow-claims-"))
    fs.mkdirSync(path.join(dir, "pipeline", "claims"), { recursive: true })
    return dir
  }

  it("the repository's claim files load, with unique ids", async () => {
    const claims = await Effect.runPromise(loadClaims(process.cwd()))
    expect(claims.length).toBeGreaterThan(25)
    expect(new Set(claims.map((c) => c.id)).size).toBe(claims.length)
  })

  it("a bad claim names the file and the field, with exit code 2", async () => {
    const dir = root()
    fs.writeFileSync(
      path.join(dir, "pipeline", "claims", "bad.yaml"),
      "claims:\n  - id: X\n    paper: C\n    description: d\n    paperValue: 1\n    paperText: '1'\n    measure: 'a:b'\n    tests: {}\n"
    )
    const error = await Effect.runPromise(Effect.flip(loadClaims(dir)))
    expect(error.exitCode).toBe(2)
    expect(error.rendered).toContain(path.join("pipeline", "claims", "bad.yaml"))
    expect(error.rendered).toContain("claims[0].paper")
  })

  it("a duplicate id is an error naming the second one", async () => {
    const dir = root()
    const one = (id: string) =>
      `  - { id: ${id}, paper: A, description: d, paperValue: 1, paperText: '1', measure: 'a:b', tests: {} }\n`
    fs.writeFileSync(path.join(dir, "pipeline", "claims", "dup.yaml"), `claims:\n${one("X")}${one("X")}`)
    const error = await Effect.runPromise(Effect.flip(loadClaims(dir)))
    expect(error.rendered).toContain("claims[1].id")
    expect(error.rendered).toContain("duplicate")
  })

  it("an overlap test without the paper's side, or a reversed interval, names the field (exit 2)", async () => {
    const write = (body: string) => {
      const dir = root()
      fs.writeFileSync(path.join(dir, "pipeline", "claims", "rule.yaml"), `claims:\n  - { id: X, paper: A, description: d, paperText: 'x', measure: 'a:b', ${body} }\n`)
      return Effect.runPromise(Effect.flip(loadClaims(dir)))
    }
    const noPaper = await write("paperValue: null, tests: { paper: { overlap: true } }")
    expect(noPaper.exitCode).toBe(2)
    expect(noPaper.rendered).toContain("claims[0].tests.paper.overlap")
    const reversed = await write("paperValue: 1, paperInterval: [2, 1], tests: { paper: { overlap: true } }")
    expect(reversed.rendered).toContain("claims[0].paperInterval")
    expect(reversed.rendered).toContain("lower ≤ upper")
  })
})
