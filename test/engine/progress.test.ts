/**
 * Progress lines without a terminal (src/engine/Progress.ts, plainLogger): the
 * interval, the line's fields, and the ETA's rate. Time is faked here; the real
 * cell on a pipe is test/train-runtime/cli.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest"
import { defaultLogger, plainLogger } from "../../src/engine/Logger.ts"
import { etaSeconds, progressSeconds, progressText, recordProgress, startClock } from "../../src/engine/Progress.ts"

const cell = { node: "measure-wc", key: "k1", label: "p=31 lr=6e-3" }

describe("progress lines on a non-TTY", () => {
  beforeEach(() => {
    vi.useFakeTimers()
    vi.setSystemTime(0)
  })
  afterEach(() => vi.useRealTimers())

  it("prints a line per running cell every interval with step/budget, seeds grokked and the ETA", () => {
    const lines: Array<string> = []
    const logger = plainLogger((l) => void lines.push(l), { progressSeconds: 30 })
    logger.event({ _tag: "CellStart", ...cell })
    vi.advanceTimersByTime(10_000)
    logger.event({ _tag: "CellProgress", ...cell, done: 100, total: 1000, tally: { grokked: 0, seeds: 4 } })
    vi.advanceTimersByTime(10_000)
    logger.event({ _tag: "CellProgress", ...cell, done: 200, total: 1000, tally: { grokked: 1, seeds: 4 } })
    expect(lines.filter((l) => l.includes("progress"))).toEqual([])
    vi.advanceTimersByTime(10_000)
    const progress = lines.filter((l) => l.startsWith("[grokflow] progress"))
    // 100 steps in 10 s between the reports: 800 steps left, 80 s from the last report 10 s ago.
    expect(progress).toEqual(["[grokflow] progress measure-wc p=31 lr=6e-3: step 200/1000 (20%), 1/4 seeds grokked, eta ≤ 1m10s, running 30s\n"])
    vi.advanceTimersByTime(30_000)
    expect(lines.filter((l) => l.startsWith("[grokflow] progress"))).toHaveLength(2)
    logger.event({ _tag: "CellDone", ...cell, seconds: 61 })
    vi.advanceTimersByTime(120_000)
    expect(lines.filter((l) => l.startsWith("[grokflow] progress"))).toHaveLength(2)
    logger.close()
  })

  it("says when a cell has reported no step yet, and skips composite cells (their shards report)", () => {
    const lines: Array<string> = []
    const logger = plainLogger((l) => void lines.push(l), { progressSeconds: 5 })
    logger.event({ _tag: "CellStart", ...cell })
    logger.event({ _tag: "CellStart", node: "measure-wc", key: "k2", label: "split", composite: true })
    vi.advanceTimersByTime(5_000)
    expect(lines.filter((l) => l.startsWith("[grokflow] progress"))).toEqual([
      "[grokflow] progress measure-wc p=31 lr=6e-3: no step reported yet, running 5s\n"
    ])
    logger.close()
    vi.advanceTimersByTime(60_000)
    expect(lines.filter((l) => l.startsWith("[grokflow] progress"))).toHaveLength(1)
  })

  it("prints nothing extra with the interval 0", () => {
    const lines: Array<string> = []
    const logger = plainLogger((l) => void lines.push(l), { progressSeconds: 0 })
    logger.event({ _tag: "CellStart", ...cell })
    logger.event({ _tag: "CellProgress", ...cell, done: 10, total: 100 })
    vi.advanceTimersByTime(600_000)
    expect(lines).toEqual(["[grokflow] cell start measure-wc p=31 lr=6e-3\n"])
  })

  it("times a resumed cell from its first report, not from step 0", () => {
    const clock = startClock(0)
    recordProgress(clock, 900, 1000, undefined, 5_000)
    expect(etaSeconds(clock, 5_000)).toBeUndefined()
    recordProgress(clock, 950, 1000, undefined, 10_000)
    expect(etaSeconds(clock, 10_000)).toBeCloseTo(5)
    expect(progressText(clock, 10_000)).toBe("step 950/1000 (95%), eta ≤ 5s, running 10s")
    expect(etaSeconds(clock, 13_000)).toBeCloseTo(2)
  })

  it("reads GROKFLOW_PROGRESS_SECONDS, and names a bad value before using the default", () => {
    expect(progressSeconds(undefined)).toEqual({ seconds: 30 })
    expect(progressSeconds("2.5")).toEqual({ seconds: 2.5 })
    expect(progressSeconds("0")).toEqual({ seconds: 0 })
    expect(progressSeconds("soon").problem).toMatch(/GROKFLOW_PROGRESS_SECONDS=soon: expected a number of seconds ≥ 0/)
    const written: Array<string> = []
    const stream = { isTTY: false, write: (s: string) => void written.push(s) } as unknown as NodeJS.WriteStream
    const logger = defaultLogger(stream, { GROKFLOW_PROGRESS_SECONDS: "-1" })
    expect(written[0]).toMatch(/^\[grokflow\] warning: GROKFLOW_PROGRESS_SECONDS=-1: expected/)
    logger.event({ _tag: "CellStart", ...cell })
    vi.advanceTimersByTime(30_000)
    expect(written.at(-1)).toMatch(/progress measure-wc p=31 lr=6e-3: no step reported yet, running 30s/)
    logger.close()
  })
})
