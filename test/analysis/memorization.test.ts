import { describe, expect, it } from "vitest"
import { memorizationShare } from "../../src/analysis/index.ts"

describe("memorization share", () => {
  it("splits the τ effect between T_mem and the gap T_grok − T_mem", () => {
    const m = memorizationShare([
      { tau: 1.7, tMem: 200, tGrok: 3000 },
      { tau: 1.0, tMem: 180, tGrok: 12000 },
      { tau: 1.3, tMem: 190, tGrok: 7000 }
    ])
    expect(m.tauLow).toBe(1.0)
    expect(m.tauHigh).toBe(1.7)
    expect(m.deltaTGrok).toBe(9000)
    expect(m.deltaTMem).toBe(-20)
    expect(m.deltaGap).toBe(9020)
    expect(m.memShare).toBeCloseTo(-20 / 9000, 12)
    expect(m.gapShare).toBeCloseTo(9020 / 9000, 12)
    expect(m.tGrokFold).toBe(4)
    expect(m.tMemFold).toBeCloseTo(200 / 180, 12)
    expect(m.gapFold).toBeCloseTo(11820 / 2800, 12)
  })

  it("a τ effect that is all memorization gives memShare = 1", () => {
    const m = memorizationShare([
      { tau: 1, tMem: 1000, tGrok: 1500 },
      { tau: 2, tMem: 500, tGrok: 1000 }
    ])
    expect(m.memShare).toBe(1)
    expect(m.gapShare).toBe(0)
    expect(m.gapFold).toBe(1)
  })
})
