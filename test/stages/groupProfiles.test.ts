/**
 * The paper-scale group profiles (pipeline/faithful-*.yaml, docs/protocol.md §11) wired
 * end to end on the synthetic trainer: every stage runs, and every claim a group tests
 * is measured there (PASS or FAIL on the synthetic law, never NOT RUN or "not identified").
 * Groups that share a node share its cells: a later group reuses them.
 */
import { describe, expect, it } from "vitest"
import { listProfileNamesSync } from "../../src/engine/index.ts"
import { makeHarness } from "./harness.ts"
import type { Harness } from "./harness.ts"

const groups = listProfileNamesSync(process.cwd()).filter((n) => n.startsWith("faithful-")).sort()

describe("paper-scale group profiles on a synthetic trainer", () => {
  const h = makeHarness({ store: "memory" })

  it.each(groups)("%s runs, and every claim it tests is measured", async (name) => {
    const summary = await h.run(name)
    expect(summary.failed).toBe(0)
    expect(summary.skipped).toBe(0)
    const { rows } = await h.verify(name)
    const tested = rows.filter((r) => r.status !== "NOT RUN" || !/does not test/.test(r.reason ?? ""))
    expect(tested.length).toBeGreaterThan(0)
    const unmeasured = tested.filter((r) => r.measured === null).map((r) => `${r.id}: ${r.reason}`)
    expect(unmeasured).toEqual([])
  })

})

describe("groups share cells through the store", () => {
  const trainedBy = async (h: Harness, name: string): Promise<number> => {
    const before = h.trainer.trained.length
    await h.run(name)
    return h.trainer.trained.length - before
  }

  it("paper A: faithful, then faithful-a3 trains only its three dense cells, faithful-a4 only ρ 1.20 and 1.25", async () => {
    const h = makeHarness({ store: "memory" })
    expect(await trainedBy(h, "faithful")).toBe(5)
    expect(await trainedBy(h, "faithful-a3")).toBe(3)
    expect(await trainedBy(h, "faithful-a4")).toBe(2)
    expect(await trainedBy(h, "faithful-a2")).toBe(6)
    expect(await trainedBy(h, "faithful-a1")).toBe(7)
  })

  it("paper B: after faithful-b, faithful-b2 trains its eight new grid cells and faithful-b5 only the audit's two", async () => {
    const h = makeHarness({ store: "memory" })
    expect(await trainedBy(h, "faithful-b")).toBe(6)
    expect(await trainedBy(h, "faithful-b2")).toBe(8)
    expect(await trainedBy(h, "faithful-b5")).toBe(2)
  })
})
