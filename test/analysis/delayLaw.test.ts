import { describe, expect, it } from "vitest"
import {
  type DelayCell,
  fitDelayLaw,
  fitDelayLawPerGroup,
  fitSharedSlope,
  saturationRatio
} from "../../src/analysis/index.ts"
import { delaySweep } from "./synthetic.ts"

const rhos = [0.85, 0.9, 0.95, 1.0, 1.05, 1.1, 1.15, 1.2, 1.25]

/** Noise-free cells: every seed at exp(c + α·ρ). */
const exactCells = (c: number, alpha: number, rs: ReadonlyArray<number>, group = ""): DelayCell[] =>
  rs.map((rho) => ({ rho, group, tGrok: [Math.exp(c + alpha * rho), Math.exp(c + alpha * rho)] }))

describe("delay law", () => {
  it("recovers α and c exactly from noise-free cells, R² = 1", () => {
    const f = fitDelayLaw(exactCells(0.5, 7.6, rhos))
    expect(f.alpha).toBeCloseTo(7.6, 10)
    expect(f.intercept).toBeCloseTo(0.5, 10)
    expect(f.r2).toBeCloseTo(1, 12)
    expect(f.n).toBe(9)
    expect(f.excluded).toHaveLength(0)
  })

  it("recovers a known α under lognormal seed noise", () => {
    const f = fitDelayLaw(delaySweep({ seed: 11, c: 0.9, alpha: 7.5, rhos, seeds: 16, sigma: 0.3 }))
    expect(Math.abs(f.alpha - 7.5)).toBeLessThan(0.5)
    expect(f.r2).toBeGreaterThan(0.97)
    expect(f.alphaSe).toBeGreaterThan(0)
    expect(f.cells.every((c) => c.grokked === 16 && c.total === 16)).toBe(true)
  })

  it("excludes a mostly-censored cell, reports it, and still fits the rest", () => {
    const cells: DelayCell[] = [
      ...exactCells(1, 8, [0.85, 1.0, 1.15]),
      { rho: 1.3, tGrok: [29000, null, null, null] } // 3/4 never grokked within the budget
    ]
    const f = fitDelayLaw(cells)
    expect(f.n).toBe(3)
    expect(f.alpha).toBeCloseTo(8, 10)
    expect(f.excluded).toHaveLength(1)
    expect(f.excluded[0]?.rho).toBe(1.3)
    expect(f.excluded[0]?.reason).toMatch(/3\/4 seeds censored/)
    expect(f.cells[3]?.grokked).toBe(1)
  })

  it("uses the +∞ median for partly-censored cells (a grokked-only median would bias α low)", () => {
    const e = (r: number) => Math.exp(8 * r)
    const cells: DelayCell[] = [
      { rho: 0.85, tGrok: [e(0.85), e(0.85), e(0.85)] },
      { rho: 1.0, tGrok: [e(1.0), e(1.0), e(1.0)] },
      // 1/3 censored: the true median e(1.15) is still observed.
      { rho: 1.15, tGrok: [e(1.15) / 2, e(1.15), null] }
    ]
    expect(fitDelayLaw(cells).alpha).toBeCloseTo(8, 10)
    expect(fitDelayLaw(cells, { censoring: "grokkedOnly" }).alpha).toBeLessThan(7.5)
  })

  it("fits per group and reports groups that cannot be fit", () => {
    const cells = [
      ...exactCells(0, 7, [0.85, 1, 1.15], "lr=0.001"),
      ...exactCells(-1, 9, [0.85, 1, 1.15], "lr=0.004"),
      { rho: 1, group: "lr=0.008", tGrok: [100, 120] }
    ]
    const fits = fitDelayLawPerGroup(cells)
    expect(fits.map((f) => f.group)).toEqual(["lr=0.001", "lr=0.004", "lr=0.008"])
    expect(fits[0]?.fit?.alpha).toBeCloseTo(7, 10)
    expect(fits[1]?.fit?.alpha).toBeCloseTo(9, 10)
    expect(fits[2]?.fit).toBeNull()
    expect(fits[2]?.reason).toMatch(/fewer than two/)
  })

  it("the shared-slope fit recovers one α with a different intercept per modulus", () => {
    const cells = [
      ...exactCells(1.0, 7.5, [0.85, 1, 1.15], "41"),
      ...exactCells(1.6, 7.5, [0.85, 1, 1.15], "53"),
      ...exactCells(2.3, 7.5, [0.85, 1, 1.15, 1.3], "71")
    ]
    const f = fitSharedSlope(cells)
    expect(f.alpha).toBeCloseTo(7.5, 10)
    expect(f.intercepts["41"]).toBeCloseTo(1.0, 10)
    expect(f.intercepts["53"]).toBeCloseTo(1.6, 10)
    expect(f.intercepts["71"]).toBeCloseTo(2.3, 10)
    expect(f.r2).toBeCloseTo(1, 12)
    expect(f.n).toBe(10)
    // A single pooled line would be wrong here: the intercepts differ.
    expect(Math.abs(fitDelayLaw(cells).alpha - 7.5)).toBeGreaterThan(0.5)
  })

  it("the shared slope under noise lies near the common α while per-group slopes scatter", () => {
    const cells = ["41", "53", "59", "71"].flatMap((g, i) =>
      delaySweep({ seed: 100 + i, c: 0.5 + 0.4 * i, alpha: 7.5, rhos: [0.85, 1, 1.15], seeds: 12, sigma: 0.25, group: g })
    )
    const f = fitSharedSlope(cells)
    expect(Math.abs(f.alpha - 7.5)).toBeLessThan(0.6)
    expect(f.r2).toBeGreaterThan(0.95)
    expect(f.groups).toHaveLength(4)
  })

  it("drops a whole group with an excluded cell by default (paper A drops p=31), or keeps its other cells on request", () => {
    const cells: DelayCell[] = [
      ...exactCells(1, 7.5, [0.85, 1, 1.15], "41"),
      ...exactCells(2, 7.5, [0.85, 1, 1.15], "59"),
      { rho: 0.85, group: "31", tGrok: [null, null, null] },
      { rho: 1.0, group: "31", tGrok: [Math.exp(0.2 + 7.5), Math.exp(0.2 + 7.5), Math.exp(0.2 + 7.5)] },
      { rho: 1.15, group: "31", tGrok: [Math.exp(0.2 + 7.5 * 1.15), Math.exp(0.2 + 7.5 * 1.15), null] }
    ]
    const dropped = fitSharedSlope(cells)
    expect(dropped.groups).toEqual(["41", "59"])
    expect(dropped.excludedGroups).toHaveLength(1)
    expect(dropped.excludedGroups[0]?.group).toBe("31")
    expect(dropped.excludedGroups[0]?.reason).toMatch(/ρ = 0.85.*all 3 seeds censored/)
    expect(dropped.n).toBe(6)
    expect(dropped.excluded).toHaveLength(3)
    const kept = fitSharedSlope(cells, { dropIncompleteGroups: false })
    expect(kept.groups).toEqual(["41", "59", "31"])
    expect(kept.n).toBe(8)
    expect(kept.alpha).toBeCloseTo(7.5, 10)
    expect(kept.intercepts["31"]).toBeCloseTo(0.2, 10)
  })

  it("saturation ratio: observed top-ρ median over the extrapolation of the lower-ρ fit", () => {
    const cells = [
      ...exactCells(0.4, 7.6, [0.85, 0.95, 1.05, 1.15, 1.25]),
      { rho: 1.3, tGrok: [0.69 * Math.exp(0.4 + 7.6 * 1.3)] }
    ]
    const s = saturationRatio(cells)
    expect(s.rhoMax).toBe(1.3)
    expect(s.ratio).toBeCloseTo(0.69, 10)
    expect(s.fit.alpha).toBeCloseTo(7.6, 10)
    expect(() => saturationRatio([...exactCells(0, 7, [0.85, 1]), { rho: 1.3, tGrok: [null, null] }])).toThrow(/excluded/)
  })
})
