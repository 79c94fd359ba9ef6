/**
 * Progress of running cells, as logs without a terminal show it: every
 * GROKFLOW_PROGRESS_SECONDS (30 by default) a line per running cell with its step
 * of the step budget, the seeds grokked so far and an ETA, so a CI or SLURM log of
 * a 40-minute cell shows life between "cell start" and "done". The terminal's live
 * block (Logger.ts) uses the same ETA.
 */
import type { SeedTally } from "./Executor.ts"

export const PROGRESS_ENV = "GROKFLOW_PROGRESS_SECONDS"
export const DEFAULT_PROGRESS_SECONDS = 30

/**
 * The interval between progress lines: GROKFLOW_PROGRESS_SECONDS when it is a
 * number ≥ 0 (0 turns the lines off), else the default, with a problem to print.
 */
export const progressSeconds = (raw: string | undefined): { readonly seconds: number; readonly problem?: string } => {
  if (raw === undefined || raw.trim() === "") return { seconds: DEFAULT_PROGRESS_SECONDS }
  const value = Number(raw)
  if (Number.isFinite(value) && value >= 0) return { seconds: value }
  return {
    seconds: DEFAULT_PROGRESS_SECONDS,
    problem: `${PROGRESS_ENV}=${raw}: expected a number of seconds ≥ 0 (0 turns progress lines off); using ${DEFAULT_PROGRESS_SECONDS}`
  }
}

/** What a running cell has reported: the first sample sets the rate's origin. */
export interface CellClock {
  readonly startedAt: number
  first?: { readonly done: number; readonly at: number }
  done: number
  total: number
  /** When `done` was reported. */
  at: number
  tally?: SeedTally
}

export const startClock = (at: number): CellClock => ({ startedAt: at, done: 0, total: 0, at })

export const recordProgress = (clock: CellClock, done: number, total: number, tally: SeedTally | undefined, at: number): void => {
  // A resumed cell's first report is its checkpoint's step: the rate counts from
  // there, not from zero, or the ETA would promise the checkpointed steps for free.
  if (clock.first === undefined || done < clock.first.done) clock.first = { done, at }
  clock.done = done
  clock.total = total
  clock.at = at
  if (tally === undefined) delete clock.tally
  else clock.tally = tally
}

/**
 * Seconds left to the step budget at the rate measured between the first and
 * the latest report, less the time since the latest: to the budget, because a
 * cell that stops early (every seed grokked) cannot be foreseen; at a steady
 * rate, then, an upper bound. Undefined until two reports a step apart exist.
 */
export const etaSeconds = (clock: CellClock, now: number): number | undefined => {
  const first = clock.first
  if (first === undefined || clock.total <= 0 || clock.done <= first.done || clock.at <= first.at) return undefined
  const perStep = (clock.at - first.at) / 1000 / (clock.done - first.done)
  return Math.max(0, Math.max(0, clock.total - clock.done) * perStep - (now - clock.at) / 1000)
}

export const duration = (seconds: number): string => {
  const s = Math.ceil(seconds)
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`
  return `${(s / 3600).toFixed(1)}h`
}

/** "step 400/1000 (40%), 1/4 seeds grokked, eta ≤ 12s, running 9s" */
export const progressText = (clock: CellClock, now: number): string => {
  const running = `running ${duration((now - clock.startedAt) / 1000)}`
  if (clock.first === undefined) return `no step reported yet, ${running}`
  const percent = clock.total > 0 ? ` (${Math.floor((100 * clock.done) / clock.total)}%)` : ""
  const seeds = clock.tally === undefined ? "" : `, ${clock.tally.grokked}/${clock.tally.seeds} seeds grokked`
  const left = etaSeconds(clock, now)
  const eta = left === undefined ? ", eta not yet known" : `, eta ≤ ${duration(left)}`
  return `step ${clock.done}/${clock.total}${percent}${seeds}${eta}, ${running}`
}
