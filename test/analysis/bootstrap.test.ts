import { describe, expect, it } from "vitest"
import {
  bootstrapDelayLaw,
  bootstrapSharedSlope,
  type DelayCell,
  fitDelayLaw,
  mean,
  pairedBootstrap,
  percentileInterval,
  pick,
  withinCellBootstrap
} from "../../src/analysis/index.ts"
import { delaySweep, normal } from "./synthetic.ts"
import { createRng } from "../../src/analysis/index.ts"

const rhos = [0.85, 0.9, 0.95, 1.0, 1.05, 1.1, 1.15, 1.2, 1.25]

describe("bootstrap", () => {
  it("percentile interval interpolates like numpy.percentile", () => {
    const xs = Array.from({ length: 101 }, (_, i) => i)
    const [lo, hi] = percentileInterval(xs, 0.95)
    expect(lo).toBeCloseTo(2.5, 12)
    expect(hi).toBeCloseTo(97.5, 12)
    const [lo90, hi90] = percentileInterval([...xs].reverse(), 0.9)
    expect(lo90).toBeCloseTo(5, 12)
    expect(hi90).toBeCloseTo(95, 12)
    expect(() => percentileInterval(xs, 1)).toThrow(RangeError)
  })

  it("the delay-law α CI covers the truth and is deterministic given the seed", () => {
    const cells = delaySweep({ seed: 5, c: 0.7, alpha: 7.6, rhos, seeds: 16, sigma: 0.3 })
    const a = bootstrapDelayLaw(cells, { seed: 1, resamples: 1000 })
    const b = bootstrapDelayLaw(cells, { seed: 1, resamples: 1000 })
    const c = bootstrapDelayLaw(cells, { seed: 2, resamples: 1000 })
    expect(b).toEqual(a)
    expect(c.lower).not.toBe(a.lower)
    expect(a.estimate).toBe(fitDelayLaw(cells).alpha)
    expect(a.lower).toBeLessThan(7.6)
    expect(a.upper).toBeGreaterThan(7.6)
    expect(a.lower).toBeLessThan(a.estimate)
    expect(a.upper).toBeGreaterThan(a.estimate)
    expect(a.upper - a.lower).toBeLessThan(1.5)
    expect(a.failed).toBe(0)
    expect(a.resamples).toBe(1000)
  })

  it("95% seed-bootstrap intervals cover the true α in most synthetic replications", () => {
    let covered = 0
    const reps = 40
    for (let r = 0; r < reps; r++) {
      const cells = delaySweep({ seed: 1000 + r, c: 0.7, alpha: 7.6, rhos, seeds: 16, sigma: 0.3 })
      const ci = bootstrapDelayLaw(cells, { seed: r, resamples: 300 })
      if (ci.lower <= 7.6 && 7.6 <= ci.upper) covered++
    }
    expect(covered / reps).toBeGreaterThanOrEqual(0.8)
  })

  it("counts resamples where a resampled cell loses its median as failed", () => {
    const cells: DelayCell[] = [
      { rho: 0.85, tGrok: [600, 700, 650, 680, 720, 640] },
      { rho: 1.0, tGrok: [2000, 2100, 1900, 2050, 1980, 2020] },
      { rho: 1.15, tGrok: [9000, 9500, null, null, 9700, 9900] } // 2/6 censored: often > half after resampling
    ]
    const ci = bootstrapDelayLaw(cells, { seed: 3, resamples: 500 })
    expect(ci.failed).toBeGreaterThan(0)
    expect(ci.failed).toBeLessThan(500)
    expect(Number.isFinite(ci.lower)).toBe(true)
  })

  it("the shared-slope CI covers the common α", () => {
    const cells = ["41", "53", "59", "71"].flatMap((g, i) =>
      delaySweep({ seed: 200 + i, c: 0.5 + 0.4 * i, alpha: 7.5, rhos: [0.85, 1, 1.15], seeds: 12, sigma: 0.25, group: g })
    )
    const ci = bootstrapSharedSlope(cells, { seed: 9, resamples: 800 })
    expect(ci.lower).toBeLessThan(7.5)
    expect(ci.upper).toBeGreaterThan(7.5)
    expect(ci.lower).toBeLessThan(ci.estimate)
    expect(ci.upper).toBeGreaterThan(ci.estimate)
  })

  it("a paired bootstrap keeps seed effects shared across arms (narrow CI) where independent resampling does not", () => {
    const rng = createRng(8)
    const seedEffect = Array.from({ length: 12 }, () => 10 * normal(rng))
    const armA = seedEffect.map((s) => s + 0.1 * normal(rng))
    const armB = seedEffect.map((s) => s + 1 + 0.1 * normal(rng))
    const paired = pairedBootstrap(12, (idx) => mean(pick(armB, idx)) - mean(pick(armA, idx)), { seed: 4 })
    const independent = withinCellBootstrap([armA, armB], ([a, b]) => mean(b ?? []) - mean(a ?? []), { seed: 4 })
    expect(paired.resamples).toBe(4000)
    expect(independent.resamples).toBe(3000)
    expect(paired.lower).toBeLessThan(1)
    expect(paired.upper).toBeGreaterThan(1)
    expect(paired.upper - paired.lower).toBeLessThan(0.3)
    expect(independent.upper - independent.lower).toBeGreaterThan(5)
    expect(pairedBootstrap(12, (idx) => mean(pick(armB, idx)) - mean(pick(armA, idx)), { seed: 4 })).toEqual(paired)
  })
})
