import { describe, expect, it } from "vitest"
import { criticalNorm, cvAcrossConfigs, heldNormDeviation, thresholdRobustness } from "../../src/analysis/index.ts"

describe("critical norm", () => {
  it("Wc is the median norm at grok over grokked seeds, with its seed CV", () => {
    const w = criticalNorm([54, 55, null, 56, 53])
    expect(w.wc).toBe(54.5)
    expect(w.grokked).toBe(4)
    expect(w.total).toBe(5)
    expect(w.cvSeeds).toBeCloseTo(Math.sqrt(5 / 3) / 54.5, 12)
    expect(criticalNorm([null, null]).wc).toBeNull()
    expect(criticalNorm([50]).cvSeeds).toBeNull()
  })

  it("CV across configurations", () => {
    expect(cvAcrossConfigs([10, 12, 14])).toBeCloseTo(2 / 12, 12)
    expect(() => cvAcrossConfigs([10])).toThrow(RangeError)
  })

  it("threshold robustness is measured against the 0.9 threshold", () => {
    const t = thresholdRobustness([
      { threshold: 0.8, wc: 49 },
      { threshold: 0.9, wc: 50 },
      { threshold: 0.95, wc: 50.5 }
    ])
    expect(t.wcReference).toBe(50)
    expect(t.maxRelativeChange).toBeCloseTo(0.02, 12)
    expect(t.relativeSpread).toBeCloseTo(0.03, 12)
    expect(() => thresholdRobustness([{ threshold: 0.8, wc: 1 }])).toThrow(/reference/)
  })

  it("held-norm deviation", () => {
    expect(heldNormDeviation(63.5, 63)).toBeCloseTo(0.5 / 63, 12)
  })
})
