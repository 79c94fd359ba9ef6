/** `run --dry-run --runners N`: the makespan model (no database needed). */
import { describe, expect, it } from "vitest"
import { makespan } from "../../src/executor/cluster/Makespan.ts"

describe("makespan over runners", () => {
  // Stage estimates are for the 2-worker reference machine: 4 cells in 2 h there
  // are 1 h each on one worker.
  const stages = [
    { stage: "sweep", cells: 4, seeds: 2, hours: 2 },
    { stage: "long", cells: 1, seeds: 4, hours: 3 }
  ]

  it("is the total work on one worker, and the longest cell on enough workers", () => {
    expect(makespan(stages, 1, 1).hours).toBeCloseTo(10)
    const wide = makespan(stages, 8, 2)
    expect(wide.hours).toBeCloseTo(6)
    expect(wide.longest).toEqual({ stage: "long", hours: 6 })
  })

  it("schedules longest first, so the long cell does not land last", () => {
    // 2 slots: the 6 h cell on one, four 1 h cells on the other -> 6 h, not 7 h.
    const two = makespan(stages, 1, 2)
    expect(two.hours).toBeCloseTo(6)
    expect(two.units).toBe(5)
    expect(two.slots).toBe(2)
  })

  it("with seed shards, the bound is the longest seed, not the longest cell", () => {
    const split = makespan(stages, 8, 2, true)
    expect(split.unit).toBe("seed")
    expect(split.units).toBe(4 * 2 + 4)
    // The 6 h cell of 4 seeds is four 1.5 h units; 16 slots take every unit at once.
    expect(split.longest).toEqual({ stage: "long", hours: 1.5 })
    expect(split.hours).toBeCloseTo(1.5)
  })
})
