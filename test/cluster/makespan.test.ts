/** `run --dry-run --runners N`: the makespan over real units (no database needed). */
import { describe, expect, it } from "vitest"
import { makespan, placedMakespan } from "../../src/executor/cluster/Makespan.ts"
import type { PlannedCellCost } from "../../src/executor/cluster/Makespan.ts"

const cell = (id: string, hours: number, seeds = 2, after: ReadonlyArray<string> = [], extension = 0): PlannedCellCost => ({
  id,
  node: id.split("/")[0]!,
  label: id.split("/")[1]!,
  seeds,
  hours,
  // As shards: each seed alone costs its share; seed 0 finished early and reruns to the freeze step.
  shards: Array.from({ length: seeds }, (_, seed) => ({ seed, hours: hours / seeds, extensionHours: seed === 0 ? extension : 0 })),
  after
})

describe("makespan over real units", () => {
  const independent = [cell("sweep/rho=1", 1), cell("sweep/rho=1.05", 1), cell("sweep/rho=1.1", 1), cell("sweep/rho=1.15", 1), cell("long/rho=1.2", 6, 4)]

  it("is the total work on one worker, and the longest cell on enough workers, named", () => {
    expect(makespan(independent, 1, 1).hours).toBeCloseTo(10)
    const wide = makespan(independent, 8, 2)
    expect(wide.hours).toBeCloseTo(6)
    expect(wide.longest).toEqual({ node: "long", label: "rho=1.2", seeds: "4 seeds", hours: 6 })
    expect(wide.critical).toEqual([{ node: "long", label: "rho=1.2", seeds: "4 seeds", hours: 6 }])
    expect(wide.criticalHours).toBeCloseTo(6)
  })

  it("schedules longest first, so the long cell does not land last", () => {
    // 2 slots: the 6 h cell on one, four 1 h cells on the other -> 6 h, not 7 h.
    const two = makespan(independent, 1, 2)
    expect(two.hours).toBeCloseTo(6)
    expect(two.units).toBe(5)
    expect(two.slots).toBe(2)
  })

  it("a held cell waits for the cell its target comes from; the critical path is that chain", () => {
    const cells = [
      cell("wc/free", 2, 8),
      cell("sweep/rho=1", 1, 8, ["wc/free"]),
      cell("sweep/rho=1.2", 3, 8, ["wc/free"]),
      cell("other/free", 4, 8)
    ]
    const m = makespan(cells, 8, 2)
    expect(m.hours).toBeCloseTo(5)
    expect(m.critical.map((s) => `${s.node} ${s.label}`)).toEqual(["wc free", "sweep rho=1.2"])
    expect(m.criticalHours).toBeCloseTo(5)
    // One worker: everything in sequence, dependencies respected.
    expect(makespan(cells, 1, 1).hours).toBeCloseTo(10)
    // Two workers: the chain (wc, then the long held cell) runs first beside the other free cell.
    expect(makespan(cells, 1, 2).hours).toBeCloseTo(5)
    // In request order (the local pool), the free cells start together and the held cells follow wc's.
    expect(makespan(cells, 1, 2, false, "fifo").hours).toBeCloseTo(6)
  })

  it("with seed shards, units are seeds; phase 2 follows its cell's phase 1, and downstream waits for both", () => {
    const cells = [cell("wc/free", 4, 4, [], 0.5), cell("sweep/rho=1", 2, 2, ["wc/free"])]
    const split = makespan(cells, 8, 2, true)
    expect(split.unit).toBe("seed")
    // 4 + 1 extension + 2 shards.
    expect(split.units).toBe(7)
    // Each free seed 1 h, then seed 0's rerun 0.5 h, then the held cell's 1 h seeds.
    expect(split.hours).toBeCloseTo(2.5)
    expect(split.critical.map((s) => s.seeds)).toEqual(["seed 0", "seed 0 to the freeze step", "seed 0"])
    expect(split.critical[0]).toMatchObject({ node: "wc", label: "free" })
  })
})

describe("makespan as the cluster places units (by key hash over its shards)", () => {
  const many = Array.from({ length: 64 }, (_, i) => cell(`grid/cell ${i}`, 1, 1))

  it("on one runner it is the runner's queue; on many, hashing leaves some runners more than their share", () => {
    expect(placedMakespan(many, 1, 1, 16).median).toBeCloseTo(64)
    const spread = placedMakespan(many, 16, 1, 16)
    expect(spread.busyRunners).toBe(16)
    // A load-aware schedule gives every runner 4 cells; 64 draws over 16 runners do not.
    expect(makespan(many, 16, 1).hours).toBeCloseTo(4)
    expect(spread.median).toBeGreaterThan(4)
    expect(spread.p90).toBeGreaterThanOrEqual(spread.median)
    expect(spread.p90).toBeLessThanOrEqual(64)
    // Drawn with a fixed seed: the dry-run prints the same numbers every time.
    expect(placedMakespan(many, 16, 1, 16)).toEqual(spread)
  })

  it("runners beyond the shard count idle, and dependencies still order the units", () => {
    expect(placedMakespan(many, 32, 1, 16).busyRunners).toBe(16)
    const chain = [cell("wc/free", 2, 1), cell("sweep/rho=1.2", 3, 1, ["wc/free"])]
    expect(placedMakespan(chain, 8, 2, 16).median).toBeCloseTo(5)
  })
})
