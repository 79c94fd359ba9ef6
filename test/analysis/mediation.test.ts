import { describe, expect, it } from "vitest"
import {
  bootstrapRecovery,
  createRng,
  interpolateAtLogitScale,
  type MediationCells,
  recoveryFraction,
  recoveryFromSeeds,
  type SweepPoint
} from "../../src/analysis/index.ts"
import { normal } from "./synthetic.ts"

// A τ sweep at the raised norm, deliberately unsorted: (L, T).
const sweep: SweepPoint[] = [
  { logitScale: 30, t: 9000 },
  { logitScale: 20, t: 3000 },
  { logitScale: 34, t: 12000 },
  { logitScale: 24, t: 5000 }
]
const t0 = 4000
const t1 = 12000

describe("recovery fraction", () => {
  it("L0 exactly at a sweep point reads that point's T", () => {
    const r = recoveryFraction({ t0, t1, l0: 24, sweep })
    expect(r.t2).toBe(5000)
    expect(r.recovery).toBeCloseTo(7000 / 8000, 12)
    expect(r.extrapolated).toBe(false)
  })

  it("L0 between sweep points interpolates linearly in T over the sweep sorted by L", () => {
    const r = recoveryFraction({ t0, t1, l0: 27, sweep })
    expect(r.t2).toBeCloseTo(7000, 10) // halfway from (24, 5000) to (30, 9000)
    expect(r.recovery).toBeCloseTo(0.625, 12)
    expect(r.side).toBeNull()
  })

  it("L0 below the sweep is extrapolated from the two lowest points, or clamped on request, and flagged", () => {
    const e = recoveryFraction({ t0, t1, l0: 18, sweep })
    expect(e.t2).toBeCloseTo(2000, 10)
    expect(e.recovery).toBeCloseTo(1.25, 12)
    expect(e.extrapolated).toBe(true)
    expect(e.side).toBe("below")
    const c = recoveryFraction({ t0, t1, l0: 18, sweep }, { outside: "clamp" })
    expect(c.t2).toBe(3000)
    expect(c.recovery).toBeCloseTo(9000 / 8000, 12)
    expect(c.extrapolated).toBe(true)
  })

  it("L0 above the sweep extrapolates from the two highest points", () => {
    const e = interpolateAtLogitScale(sweep, 36)
    expect(e.value).toBeCloseTo(13500, 10)
    expect(e.side).toBe("above")
    expect(e.lower.logitScale).toBe(30)
  })

  it("merges sweep points with equal L and rejects a degenerate sweep", () => {
    const i = interpolateAtLogitScale(
      [
        { logitScale: 10, t: 100 },
        { logitScale: 10, t: 300 },
        { logitScale: 20, t: 400 }
      ],
      15
    )
    expect(i.value).toBeCloseTo(300, 10)
    expect(() => interpolateAtLogitScale([{ logitScale: 10, t: 1 }], 10)).toThrow(RangeError)
  })

  it("cross-check on the published p59 τ sweep table reproduces its ≈ 0.83 recovery", () => {
    const table: SweepPoint[] = [
      { logitScale: 34.3, t: 12600 },
      { logitScale: 29.5, t: 9100 },
      { logitScale: 26.5, t: 6825 },
      { logitScale: 23.1, t: 4700 },
      { logitScale: 20.9, t: 3450 }
    ]
    const r = recoveryFraction({ t0: 3675, t1: 12600, l0: 23.9, sweep: table })
    expect(r.t2).toBeCloseTo(5200, 6)
    expect(r.recovery).toBeCloseTo(7400 / 8925, 10)
  })
})

/** Seed-level mediation cells: each seed has a shared multiplicative effect across all cells (matched seeding). */
const syntheticCells = (seed: number, seeds = 12): MediationCells => {
  const rng = createRng(seed)
  const effect = Array.from({ length: seeds }, () => Math.exp(0.25 * normal(rng)))
  const cell = (T: number, L: number) => ({
    tGrok: effect.map((e) => Math.round(T * e * Math.exp(0.05 * normal(rng)))),
    logitScale: effect.map(() => L + 0.3 * normal(rng))
  })
  return {
    baseline: cell(4000, 24),
    raised: cell(12000, 34),
    sweep: [cell(12000, 34), cell(9000, 30), cell(5000, 24), cell(3000, 20)]
  }
}

describe("recovery with a paired seed bootstrap", () => {
  it("the point estimate comes from per-cell medians of T and means of L, and the CI brackets it", () => {
    const cells = syntheticCells(21)
    const est = recoveryFromSeeds(cells)
    expect(Math.abs(est.recovery - 0.875)).toBeLessThan(0.1)
    const { estimate, interval, extrapolatedResamples } = bootstrapRecovery(cells, { seed: 5, resamples: 1000 })
    expect(estimate).toEqual(est)
    expect(interval.estimate).toBe(est.recovery)
    expect(interval.lower).toBeLessThan(est.recovery)
    expect(interval.upper).toBeGreaterThan(est.recovery)
    expect(interval.lower).toBeGreaterThan(0.5)
    expect(interval.upper).toBeLessThan(1.2)
    expect(extrapolatedResamples).toBeGreaterThanOrEqual(0)
    expect(bootstrapRecovery(cells, { seed: 5, resamples: 1000 })).toEqual({ estimate, interval, extrapolatedResamples })
  })

  it("holds L fixed when a cell-level L is given, and requires matched seed counts", () => {
    const cells = syntheticCells(22)
    const fixed: MediationCells = {
      baseline: { tGrok: cells.baseline.tGrok, logitScale: 24 },
      raised: { tGrok: cells.raised.tGrok, logitScale: 34 },
      sweep: cells.sweep.map((c, i) => ({ tGrok: c.tGrok, logitScale: [34, 30, 24, 20][i] as number }))
    }
    const r = recoveryFromSeeds(fixed)
    expect(r.l0).toBe(24)
    expect(r.extrapolated).toBe(false)
    expect(() =>
      recoveryFromSeeds({ ...cells, baseline: { tGrok: [1, 2], logitScale: [1, 2] } })
    ).toThrow(/same number of seeds/)
  })

  it("throws when a cell's median delay is not identified", () => {
    const cells = syntheticCells(23)
    const censored = { ...cells.baseline, tGrok: cells.baseline.tGrok.map((t, i) => (i < 7 ? null : t)) }
    expect(() => recoveryFromSeeds({ ...cells, baseline: censored })).toThrow(/not identified/)
  })
})
