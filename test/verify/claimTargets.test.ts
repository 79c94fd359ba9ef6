/**
 * `run --for 'GLOB'` (src/verify/claimTargets.ts): the nodes the matching claims read,
 * and through selectNodes what they need, and nothing else.
 */
import { Effect, Option } from "effect"
import { describe, expect, it } from "vitest"
import { loadProfile, selectNodes } from "../../src/engine/index.ts"
import { claimMatcher, claimTargets, nodesForClaims } from "../../src/verify/claimTargets.ts"
import { loadClaims } from "../../src/verify/loadClaims.ts"

const root = process.cwd()
const setup = async (name: string) => {
  const [claims, profile] = await Promise.all([Effect.runPromise(loadClaims(root)), Effect.runPromise(loadProfile(name))])
  return { claims, profile, at: { name: profile.name, nodeIds: profile.nodes.map((n) => n.id) } }
}

describe("claim patterns", () => {
  it("* and ? are wildcards, dots are literal, commas separate patterns", () => {
    const m = claimMatcher("B1.*, A3.cell-rho1.?5")
    expect(m("B1.recovery-p59")).toBe(true)
    expect(m("B10.x")).toBe(false)
    expect(m("A3.cell-rho1.15")).toBe(true)
    expect(m("A3.cell-rho1.10")).toBe(false)
    expect(claimMatcher("A1.wc")("A1xwc")).toBe(false)
  })
})

describe("run --for", () => {
  it("paper, 'B1.*': mediation-fits and its upstream only — no paper A node, no MSE or audit", async () => {
    const { claims, profile, at } = await setup("paper")
    const targets = claimTargets(claims, at, "B1.*")
    expect(targets.claims).toEqual(["B1.recovery-p59", "B1.recovery-p97", "B1.norm-up-ce", "B1.tau-shortens"])
    expect(targets.nodes).toEqual(["mediation-fits"])
    expect(selectNodes(profile, targets.nodes).map((n) => n.id).sort()).toEqual(["measure-wc-b", "mediation-fits", "temperature-grid"])
  })

  it("paper, 'A3.cell-*,A4.*': the dense fits and the moduli fits with what they need", async () => {
    const { claims, profile, at } = await setup("paper")
    const nodes = claimTargets(claims, at, "A3.cell-*,A4.*").nodes
    expect([...nodes].sort()).toEqual(["delay-law-fits-dense", "delay-law-fits-moduli"])
    const selected = selectNodes(profile, nodes).map((n) => n.id)
    expect(selected).toContain("dense-sweep")
    expect(selected).toContain("moduli-scan")
    expect(selected).not.toContain("clamp-sweep")
    expect(selected).not.toContain("temperature-grid")
  })

  it("a node named by a test's bound is read too (quick: A2.norm-lever-quick compares two delay-law-fits paths)", async () => {
    const { claims, at } = await setup("quick")
    expect(claimTargets(claims, at, "A2.norm-lever-quick").nodes).toEqual(["delay-law-fits"])
    expect(claimTargets(claims, at, "B3.*").nodes).toEqual(["mse-contrast"])
  })

  it("no matching claim, or none tested by the profile: a usage error that says which", async () => {
    const { profile } = await setup("faithful-b")
    const error = (p: string) => Effect.runPromise(Effect.flip(nodesForClaims(profile, Option.some(p), root)))
    expect((await error("Z9.*")).message).toMatch(/matches no claim id/)
    expect((await error("A1.*")).message).toMatch(/tests none of the claims it matches \(A1\.wc-cv-seeds/)
    expect(await Effect.runPromise(nodesForClaims(profile, Option.some("B4.*"), root))).toEqual(["mediation-fits"])
    expect(await Effect.runPromise(nodesForClaims(profile, Option.none(), root))).toBeUndefined()
  })
})
