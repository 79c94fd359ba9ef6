/**
 * The run record (src/engine/RunRecord.ts) and the run the report credits with
 * its results (producingRun): a run's wall time is measured from its start to
 * its end, a rerun that reuses everything does not replace the run that
 * computed the results, and a run that recomputes a node does.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import type { NodeOutput } from "../../src/engine/index.ts"
import { Effect } from "effect"
import { fileStore } from "../../src/engine/Store.ts"
import { readRunRecords } from "../../src/engine/RunRecord.ts"
import type { RunRecord } from "../../src/engine/RunRecord.ts"
import { producingRun } from "../../src/report/fromVerify.ts"
import { args, cli, sandbox } from "./helpers.ts"

const SLOW = `description: two slow stages
stages:
  source:
    config: { value: 3, delayMs: 300 }
  double: {}
`

const records = (cache: string) => Effect.runPromise(readRunRecords(fileStore(cache), "slow"))

describe("run records", () => {
  it("record each run's wall time, start to end, and what it computed", async () => {
    const s = sandbox()
    const p = s.profile("slow", SLOW)
    const t0 = Date.now()
    const first = await cli(args(s, ["run"], p), { GROKFLOW_FIXTURE_COUNTER: s.counter })
    const measured = (Date.now() - t0) / 1000
    expect(first.code).toBe(0)
    const [record] = await records(s.cache)
    expect(record).toBeDefined()
    const r = record as RunRecord
    // The CLI's own start-up is outside the record; the pipeline is inside it.
    expect(r.wallSeconds).toBeGreaterThanOrEqual(0.3)
    expect(r.wallSeconds).toBeLessThanOrEqual(measured)
    expect(Date.parse(r.endedAt) - Date.parse(r.startedAt)).toBeCloseTo(r.wallSeconds * 1000, -1)
    expect(r).toMatchObject({ profile: "slow", ran: 2, reused: 0, failed: 0 })
    expect(r.nodes.map((n) => [n.id, n.status])).toEqual([["source", "ran"], ["double", "ran"]])
    expect(r.nodes.every((n) => typeof n.key === "string" && n.key.length === 64)).toBe(true)

    const second = await cli(args(s, ["run"], p), { GROKFLOW_FIXTURE_COUNTER: s.counter })
    expect(second.code).toBe(0)
    const runs = await records(s.cache)
    expect(runs).toHaveLength(2)
    expect(runs[0]).toMatchObject({ ran: 0, reused: 2 })
    expect(fs.readdirSync(path.join(s.cache, "runs", "slow"))).toHaveLength(2)

    // The report credits the run that computed the fresh outputs, not the later no-op.
    const outputs = new Map(r.nodes.map((n) => [n.id, { key: n.key } as unknown as NodeOutput]))
    const producer = producingRun(runs, outputs)
    expect(producer?.run).toMatchObject({ startedAt: r.startedAt, wallSeconds: r.wallSeconds, laterRuns: 1 })
    expect([...(producer?.computed ?? [])].sort()).toEqual(["double", "source"])

    // A node recomputed under another key moves the credit to the run that did it.
    const third = await cli([...args(s, ["run"], p), "--set", "source.value=5"], { GROKFLOW_FIXTURE_COUNTER: s.counter })
    expect(third.code).toBe(0)
    const latest = (await records(s.cache))[0] as RunRecord
    const now = new Map(latest.nodes.map((n) => [n.id, { key: n.key } as unknown as NodeOutput]))
    expect(producingRun(await records(s.cache), now)?.run).toMatchObject({ startedAt: latest.startedAt, laterRuns: 0 })
    expect(producingRun([], now)).toBeUndefined()
  })
})
