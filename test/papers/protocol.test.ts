/**
 * Known answers for the protocol computations the paper profile relies on: per-cell
 * budgets, fit ranges, the two censoring policies side by side, paper B's grid and
 * SC rate, and the group norm at grok of the LayerNorm experiments.
 */
import { describe, expect, it } from "vitest"
import { budgetFor } from "../../src/cells/budgets.ts"
import { summarizeCell } from "../../src/outputs/cellSummary.ts"
import type { CellSummary } from "../../src/outputs/cellSummary.ts"
import { fitSweep } from "../../src/fits/sweepFits.ts"
import type { CellResult, SeedResult } from "../../src/train/CellSpec.ts"
import { groupNormAtGrok } from "../../stages/layernorm-observational.ts"
import { gridCells } from "../../stages/temperature-grid.ts"

const seed = (i: number, tGrok: number | null, extra: Partial<SeedResult["trajectory"]> = {}): SeedResult => ({
  seed: i,
  tMem: 100,
  tGrok,
  normAtGrok: tGrok === null ? null : 50,
  extraCrossings: {},
  stepsTrained: tGrok ?? 1000,
  trajectory: {
    steps: [0, 25, 50],
    trainAcc: [0, 1, 1],
    testAcc: [0, 0.5, 1],
    trainLoss: [1, 0.1, 0.01],
    testLoss: [1, 0.5, 0.1],
    norm: [20, 30, 40],
    matrixNorms: {},
    logitScale: [1, 2, 3],
    scRate: [0, 0, 0],
    ...extra
  }
})

const result = (seeds: ReadonlyArray<SeedResult>): CellResult => ({ seeds, backend: "synthetic" })

const cell = (rho: number, times: ReadonlyArray<number | null>, lr = 1e-3, budget = 30000): CellSummary =>
  summarizeCell(
    { label: `rho=${rho}`, p: 59, lr, rho, tau: 1, targetNorm: rho * 50, budget },
    result(times.map((t, i) => seed(i, t)))
  )

describe("per-cell budgets (docs/protocol.md §8)", () => {
  const dense = { budget: 66000, budgetByRho: [{ rho: 0.85, budget: 8000 }, { rho: 1.1, budget: 27000 }], budgetScalesWithP: false }
  it("a listed ρ gets its own budget, matched to 1e-9; others the default", () => {
    expect(budgetFor(dense, 59, 0.85)).toBe(8000)
    expect(budgetFor(dense, 59, 1.1000000000001)).toBe(27000)
    expect(budgetFor(dense, 59, 1.25)).toBe(66000)
  })
  it("the p-scan scales by max(1, p/59) and rounds to 1k", () => {
    const scan = { budget: 80000, budgetByRho: [{ rho: 0.85, budget: 15000 }, { rho: 1.3, budget: 160000 }], budgetScalesWithP: true }
    expect(budgetFor(scan, 41, 0.85)).toBe(15000)
    expect(budgetFor(scan, 59, 1.3)).toBe(160000)
    expect(budgetFor(scan, 71, 0.85)).toBe(18000) // 15000 · 71/59 = 18050.8
    expect(budgetFor(scan, 71, 1.3)).toBe(193000) // 160000 · 71/59 = 192542
  })
})

describe("sweep fits: fit range and censoring policy", () => {
  // ln T = 1 + 7·ρ exactly at ρ 0.85, 1, 1.15; the ρ = 1.30 cell sits far below the line.
  const exact = (rho: number) => Math.round(Math.exp(1 + 7 * rho))
  const sweep = {
    hold: "sustained" as const,
    tInt: 500,
    wc: [{ p: 59, wc: 50 }],
    cells: [
      cell(0.85, [exact(0.85), exact(0.85), exact(0.85)]),
      cell(1, [exact(1), exact(1), exact(1)]),
      cell(1.15, [exact(1.15), exact(1.15), exact(1.15)]),
      // 1 of 3 censored: grokked-only median 3000, censoring-aware (censored = +∞) median 4000.
      cell(1.3, [3000, 4000, null])
    ]
  }
  const options = { seed: 1, resamples: 200 }

  it("only the fit range enters α (paper A's per-lr α over ρ 0.85, 1, 1.15)", () => {
    const fits = fitSweep(sweep, { ...options, fitRhos: [0.85, 1, 1.15] })
    expect(fits.primary?.alpha?.estimate).toBeCloseTo(7, 2)
    expect(fits.primary?.n).toBe(3)
    expect(fits.primary?.cells.find((c) => c.rho === 1.3)?.inFit).toBe(false)
    expect(fits.fitRhos).toEqual([0.85, 1, 1.15])
    // Over every ρ the low ρ = 1.30 cell pulls α down.
    expect(fitSweep(sweep, options).primary?.alpha?.estimate).toBeLessThan(6.5)
  })

  it("each fit is labelled with its censoring policy and uses its medians", () => {
    const papers = fitSweep(sweep, { ...options, censoring: "grokkedOnly" })
    const ours = fitSweep(sweep, { ...options, censoring: "infinity" })
    expect(papers.censoring).toBe("grokkedOnly")
    expect(ours.censoring).toBe("infinity")
    const top = (f: typeof papers) => f.primary?.cells.find((c) => c.rho === 1.3)
    expect(top(papers)?.median).toBe(3500)
    expect(top(ours)?.median).toBe(4000)
    expect(top(papers)?.grokked).toBe(2)
    expect(top(papers)?.total).toBe(3)
    expect(top(papers)?.tGrok?.estimate).toBe(3500)
  })

  it("saturation against another sweep's cell: fit on all of this sweep's ρ below it", () => {
    const own = { ...sweep, cells: sweep.cells.slice(0, 3).concat([cell(1.2, [exact(1.2), exact(1.2), exact(1.2)])]) }
    const topRho = 1.3
    const external = cell(topRho, [1, 1, 1].map(() => Math.round(0.69 * Math.exp(1 + 7 * topRho))))
    const fits = fitSweep(own, { ...options, saturationCell: { cell: external, source: "p-scan" } })
    expect(fits.saturation?.rhoMax).toBe(1.3)
    expect(fits.saturation?.ratio.estimate).toBeCloseTo(0.69, 3)
    expect(fits.saturation?.source).toBe("p-scan")
  })
})

describe("paper B cells", () => {
  it("the grid ρ × τ plus the mediation sweep's extra τ at the raised ρ: 12 + 2 cells", () => {
    const cells = gridCells({ moduli: [59], rhos: [1, 1.05, 1.1, 1.15], taus: [1, 1.3, 1.7], sweepTaus: [1, 1.15, 1.3, 1.5, 1.7], sweepRho: 1.15 })
    expect(cells).toHaveLength(14)
    expect(cells.filter((c) => c.rho === 1.15).map((c) => c.tau).sort()).toEqual([1, 1.15, 1.3, 1.5, 1.7])
    expect(gridCells({ moduli: [59], rhos: [1, 1.1], taus: [1, 1.3], sweepTaus: [] })).toHaveLength(4)
  })

  it("SC rate: the paper's mean over seeds of each seed's maximum, beside grokflow's overall maximum", () => {
    const summary = summarizeCell(
      { label: "sc", p: 59, lr: 1e-3, rho: 1.25, tau: 1, targetNorm: 60, budget: 100 },
      result([seed(0, 50, { scRate: [0, 0.2, 0.4] }), seed(1, 50, { scRate: [0, 0.1, 0] }), seed(2, 50, { scRate: [0, 0, 0] })])
    )
    expect(summary.scRateMax).toBe(0.4)
    expect(summary.scRateMaxBySeed).toEqual([0.4, 0.1, 0])
    expect(summary.scRateSeedMaxMean).toBeCloseTo(0.5 / 3, 12)
  })
})

describe("LayerNorm experiments", () => {
  it("a group's norm at grok is the Frobenius norm of its matrices at the T_grok step", () => {
    const r = result([
      seed(0, 25, { matrixNorms: { U: [1, 3, 5], Win: [1, 4, 6], Wout: [0, 0, 0] } }),
      seed(1, null, { matrixNorms: { U: [1, 3, 5], Win: [1, 4, 6], Wout: [0, 0, 0] } })
    ])
    expect(groupNormAtGrok(r, ["U"])).toEqual([3, null])
    expect(groupNormAtGrok(r, ["U", "Win"])).toEqual([5, null])
    expect(groupNormAtGrok(r, ["Missing"])).toEqual([null, null])
  })
})
