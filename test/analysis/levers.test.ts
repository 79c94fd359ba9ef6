import { describe, expect, it } from "vitest"
import { compareLevers, type LeverCell, lrLevers, normLever } from "../../src/analysis/index.ts"

// A synthetic ρ × lr matrix: the norm moves T_grok 20×, lr moves it 2–3×.
const table: Record<number, number[]> = {
  0.85: [1000, 800, 600, 500],
  1.0: [3000, 2400, 1500, 1200],
  1.3: [20000, 16000, 12000, 10000]
}
const lrs = [1e-3, 2e-3, 4e-3, 8e-3]
const cells: LeverCell[] = Object.entries(table).flatMap(([rho, row]) =>
  row.map((median, j) => ({ rho: Number(rho), lr: lrs[j] as number, median }))
)

describe("levers", () => {
  it("norm lever is max/min over ρ at fixed lr", () => {
    const l = normLever(cells, 1e-3)
    expect(l.ratio).toBe(20)
    expect(l.min.rho).toBe(0.85)
    expect(l.max.rho).toBe(1.3)
    expect(normLever(cells, 8e-3).ratio).toBe(20)
  })

  it("lr lever is max/min over lr per ρ row", () => {
    expect(lrLevers(cells).map((r) => [r.rho, r.ratio])).toEqual([
      [0.85, 2],
      [1.0, 2.5],
      [1.3, 2]
    ])
  })

  it("compares the levers", () => {
    const c = compareLevers(cells, 1e-3)
    expect(c.lrLeverMin).toBe(2)
    expect(c.lrLeverMax).toBe(2.5)
    expect(c.normOverLr).toBe(8)
    expect(c.normLevers.map((l) => l.lr)).toEqual(lrs)
    expect(() => normLever(cells, 5e-3)).toThrow(RangeError)
  })
})
