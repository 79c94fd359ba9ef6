/**
 * The README's released-results block reads a profile's cold wall time from its
 * cells' own timings: the last run among them, a cell shared with an earlier
 * profile's run left out.
 */
import { describe, expect, it } from "vitest"
import { lastRunSpan } from "../../src/cli/results.ts"

const t = (start: string, end: string) => ({ startedAt: `2026-12-02T${start}Z`, finishedAt: `2026-12-02T${end}Z`, seconds: 0 })

describe("lastRunSpan", () => {
  it("takes the last group of overlapping or adjacent cells, not a shared cell trained hours before", () => {
    const span = lastRunSpan([t("15:17:00", "15:23:00"), t("18:37:35", "18:45:00"), t("18:37:40", "18:50:00"), t("18:50:30", "18:52:35")])
    expect(span).toEqual({ seconds: 15 * 60, cells: 3, startedAt: "2026-12-02T18:37:35.000Z", finishedAt: "2026-12-02T18:52:35.000Z" })
  })

  it("splits at a gap of more than a minute, and has nothing to say about no cells", () => {
    expect(lastRunSpan([t("10:00:00", "10:10:00"), t("10:11:01", "10:12:01")])?.cells).toBe(1)
    expect(lastRunSpan([])).toBeUndefined()
  })
})
