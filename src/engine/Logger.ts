/**
 * Run events and the loggers that show them (pluggable, as in wireit): plain
 * lines for CI and pipes, a live status block on a terminal, silence or an array
 * for tests. The scheduler only emits events; it never formats output.
 */
import { Context, Layer } from "effect"
import type { SeedTally } from "./Executor.ts"
import type { CellClock } from "./Progress.ts"
import { duration, etaSeconds, PROGRESS_ENV, progressSeconds, progressText, recordProgress, startClock } from "./Progress.ts"

export type RunEvent =
  | { readonly _tag: "StageStart"; readonly node: string }
  | { readonly _tag: "StageHit"; readonly node: string; readonly seconds: number }
  | { readonly _tag: "StageDone"; readonly node: string; readonly seconds: number; readonly cells: CellCounts }
  | { readonly _tag: "StageFailed"; readonly node: string; readonly seconds: number; readonly message: string }
  | { readonly _tag: "StageSkipped"; readonly node: string; readonly because: string }
  /** `composite`: a cell made of other cells (seed shards); those report the steps. */
  | { readonly _tag: "CellStart"; readonly node: string; readonly key: string; readonly label: string; readonly composite?: boolean }
  | { readonly _tag: "CellProgress"; readonly node: string; readonly key: string; readonly label: string; readonly done: number; readonly total: number; readonly tally?: SeedTally }
  | { readonly _tag: "CellHit"; readonly node: string; readonly key: string; readonly label: string }
  | { readonly _tag: "CellDone"; readonly node: string; readonly key: string; readonly label: string; readonly seconds: number }
  | { readonly _tag: "CellFailed"; readonly node: string; readonly key: string; readonly label: string; readonly message: string }
  | { readonly _tag: "Waiting"; readonly what: string; readonly holder: string }
  | { readonly _tag: "Warning"; readonly message: string }
  | { readonly _tag: "Log"; readonly node: string; readonly message: string }

export interface CellCounts {
  readonly trained: number
  readonly reused: number
}

export interface Logger {
  readonly event: (event: RunEvent) => void
  /** Clears any live display; called once at the end of a run. */
  readonly close: () => void
}

export class RunLogger extends Context.Service<RunLogger, Logger>()("grokflow/engine/RunLogger") {
  static readonly layer = (logger: Logger): Layer.Layer<RunLogger> => Layer.succeed(RunLogger, logger)
}

const secs = (s: number) => `${s.toFixed(s < 10 ? 2 : 1)}s`
const short = (key: string) => key.slice(0, 12)

/** The one-line rendering shared by the plain and terminal loggers. */
export const formatEvent = (e: RunEvent): string | undefined => {
  switch (e._tag) {
    case "StageStart":
      return `start ${e.node}`
    case "StageHit":
      return `hit ${e.node} (${secs(e.seconds)})`
    case "StageDone":
      return `done ${e.node} (${secs(e.seconds)}${e.cells.trained + e.cells.reused > 0 ? `, cells: ${e.cells.trained} trained, ${e.cells.reused} reused` : ""})`
    case "StageFailed":
      return `failed ${e.node} (${secs(e.seconds)}): ${e.message}`
    case "StageSkipped":
      return `skipped ${e.node}: ${e.because}`
    case "CellStart":
      return `cell start ${e.node} ${e.label}`
    case "CellHit":
      return `cell hit ${e.node} ${e.label}`
    case "CellDone":
      return `cell done ${e.node} ${e.label} (${secs(e.seconds)})`
    case "CellFailed":
      return `cell failed ${e.node} ${e.label}: ${e.message}`
    case "Waiting":
      return `waiting for ${e.what}: another run holds its lock (${e.holder})`
    case "Warning":
      return `warning: ${e.message}`
    case "Log":
      return `${e.node}: ${e.message}`
    case "CellProgress":
      return undefined
  }
}

export interface PlainOptions {
  /** Seconds between a running cell's progress lines; 0 or absent: none. */
  readonly progressSeconds?: number
}

/**
 * One plain line per event: CI logs, pipes, files. With `progressSeconds`, also a
 * line per running cell at that interval from the cell's start (Progress.ts).
 */
export const plainLogger = (write: (line: string) => void, options: PlainOptions = {}): Logger => {
  const every = (options.progressSeconds ?? 0) * 1000
  const running = new Map<string, { readonly node: string; readonly label: string; readonly clock: CellClock; printed: number }>()
  let ticker: NodeJS.Timeout | undefined
  const tick = () => {
    const now = Date.now()
    for (const cell of running.values()) {
      if (now - cell.printed < every) continue
      cell.printed = now
      write(`[grokflow] progress ${cell.node} ${cell.label}: ${progressText(cell.clock, now)}\n`)
    }
  }
  const stop = () => {
    if (ticker !== undefined) clearInterval(ticker)
    ticker = undefined
  }
  return {
    event: (e) => {
      if (every > 0) {
        if (e._tag === "CellStart" && e.composite !== true) {
          const now = Date.now()
          running.set(e.key, { node: e.node, label: e.label, clock: startClock(now), printed: now })
          // Checked often enough that a line is at most a second (or the interval) late.
          ticker ??= setInterval(tick, Math.min(every, 1000)).unref()
        } else if (e._tag === "CellProgress") {
          const cell = running.get(e.key)
          if (cell !== undefined) recordProgress(cell.clock, e.done, e.total, e.tally, Date.now())
        } else if (e._tag === "CellDone" || e._tag === "CellFailed") {
          running.delete(e.key)
          if (running.size === 0) stop()
        }
      }
      const line = formatEvent(e)
      if (line !== undefined) write(`[grokflow] ${line}\n`)
    },
    close: () => {
      stop()
      running.clear()
    }
  }
}

export const silentLogger: Logger = { event: () => {}, close: () => {} }

/** Collects events (tests). */
export const collectingLogger = (into: Array<RunEvent>): Logger => ({ event: (e) => void into.push(e), close: () => {} })

interface Live {
  readonly label: string
  readonly clock: CellClock
}

const bar = (fraction: number, width: number) => {
  const full = Math.round(Math.max(0, Math.min(1, fraction)) * width)
  return "█".repeat(full) + "░".repeat(width - full)
}

const eta = (item: Live, now: number): string => {
  const left = etaSeconds(item.clock, now)
  return left === undefined ? "" : ` eta ${duration(left)}`
}

/**
 * A live block under the scrolling event lines: one line per running stage and
 * per running cell, with a bar and ETA for cells that report progress. Redraws
 * are throttled so progress callbacks from fast cells cost nothing visible.
 */
export const ttyLogger = (stream: NodeJS.WriteStream): Logger => {
  const running = new Map<string, Live>()
  let drawn = 0
  let last = 0
  let timer: NodeJS.Timeout | undefined
  const clear = () => {
    if (drawn > 0) stream.write(`\x1b[${drawn}A\x1b[0J`)
    drawn = 0
  }
  const draw = () => {
    const now = Date.now()
    last = now
    const width = Math.max(40, (stream.columns || 80) - 1)
    const lines = [...running.values()].slice(0, Math.max(3, (stream.rows || 24) - 4)).map((item) => {
      const { clock } = item
      const elapsed = `${((now - clock.startedAt) / 1000).toFixed(0)}s`
      const seeds = clock.tally === undefined ? "" : ` ${clock.tally.grokked}/${clock.tally.seeds} grokked`
      const progress = clock.total > 0 ? ` ${bar(clock.done / clock.total, 20)} ${clock.done}/${clock.total}${seeds}${eta(item, now)}` : ""
      return `  ${item.label}${progress} ${elapsed}`.slice(0, width)
    })
    if (lines.length) stream.write(lines.join("\n") + "\n")
    drawn = lines.length
  }
  const redraw = () => {
    clear()
    draw()
  }
  const schedule = () => {
    if (timer !== undefined) return
    const wait = Math.max(0, 100 - (Date.now() - last))
    timer = setTimeout(() => {
      timer = undefined
      redraw()
    }, wait)
    timer.unref()
  }
  const tick = setInterval(schedule, 1000)
  tick.unref()
  return {
    event: (e) => {
      switch (e._tag) {
        case "StageStart":
          running.set(`s:${e.node}`, { label: `▶ ${e.node}`, clock: startClock(Date.now()) })
          break
        case "CellStart":
          running.set(`c:${e.key}`, { label: `  ↳ ${e.node} ${e.label}`, clock: startClock(Date.now()) })
          break
        case "CellProgress": {
          const item = running.get(`c:${e.key}`)
          if (item) recordProgress(item.clock, e.done, e.total, e.tally, Date.now())
          schedule()
          return
        }
        case "StageDone":
        case "StageFailed":
        case "StageHit":
          running.delete(`s:${e.node}`)
          break
        case "CellDone":
        case "CellFailed":
        case "CellHit":
          running.delete(`c:${e.key}`)
          break
        default:
          break
      }
      const line = formatEvent(e)
      clear()
      if (line !== undefined && e._tag !== "CellHit" && e._tag !== "CellStart") stream.write(`${line}\n`)
      draw()
    },
    close: () => {
      clearInterval(tick)
      if (timer !== undefined) clearTimeout(timer)
      clear()
    }
  }
}

/**
 * Live block on a terminal (unless CI is set), plain lines otherwise, with a
 * progress line per running cell every GROKFLOW_PROGRESS_SECONDS (default 30).
 */
export const defaultLogger = (stream: NodeJS.WriteStream = process.stderr, env: NodeJS.ProcessEnv = process.env): Logger => {
  if (stream.isTTY && !env.CI) return ttyLogger(stream)
  const interval = progressSeconds(env[PROGRESS_ENV])
  if (interval.problem !== undefined) stream.write(`[grokflow] warning: ${interval.problem}\n`)
  return plainLogger((line) => stream.write(line), { progressSeconds: interval.seconds })
}
