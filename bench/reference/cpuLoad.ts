/**
 * Machine-wide CPU use over an interval, from /proc/stat (Linux; undefined elsewhere).
 * The bench machine may be shared: printing how busy all cores were during each
 * measurement shows whether a figure was taken on a quiet machine.
 */
import { readdirSync, readFileSync } from "node:fs"

interface Sample {
  readonly busy: number
  readonly total: number
}

const sample = (): Sample | undefined => {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n")[0]
    const f = line.trim().split(/\s+/).slice(1).map(Number)
    const idle = f[3] + (f[4] ?? 0)
    const total = f.reduce((a, b) => a + b, 0)
    return { busy: total - idle, total }
  } catch {
    return undefined
  }
}

/** Runs `f` and reports the fraction of all cores' time that was busy meanwhile. */
export const withCpuLoad = async <A>(f: () => Promise<A>): Promise<{ readonly value: A; readonly busy: number | undefined }> => {
  const before = sample()
  const value = await f()
  const after = sample()
  const busy = before === undefined || after === undefined || after.total === before.total
    ? undefined
    : (after.busy - before.busy) / (after.total - before.total)
  return { value, busy }
}

export const formatBusy = (busy: number | undefined): string =>
  busy === undefined ? "" : ` [all cores ${(busy * 100).toFixed(0)}% busy]`

/**
 * Waits (up to `maxSeconds`) until the machine is nearly idle over a 1 s window, so
 * a measurement on a shared machine starts without a competitor. Resolves to
 * whether it got quiet; undefined where /proc/stat is unavailable.
 */
export const waitForQuiet = async (maxSeconds: number, threshold = 0.2): Promise<boolean | undefined> => {
  const deadline = performance.now() + maxSeconds * 1000
  for (;;) {
    const { busy } = await withCpuLoad(() => new Promise<void>((r) => setTimeout(r, 1000)))
    if (busy === undefined) return undefined
    if (busy < threshold) return true
    if (performance.now() > deadline) return false
  }
}

/** Linux's USER_HZ, the unit of /proc/<pid>/stat times; 100 on every mainstream build. */
const USER_HZ = 100

/**
 * CPU seconds used so far by this process's live child processes (the pool's worker
 * processes), from /proc; undefined off Linux. Sample before and after a phase —
 * the children must outlive both samples.
 */
export const childrenCpuSeconds = (): number | undefined => {
  try {
    let ticks = 0
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue
      let stat: string
      try {
        stat = readFileSync(`/proc/${entry}/stat`, "utf8")
      } catch {
        continue // exited meanwhile
      }
      // Fields after the parenthesized command name: state ppid … utime(14) stime(15).
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
      if (Number(fields[1]) !== process.pid) continue
      ticks += Number(fields[11]) + Number(fields[12])
    }
    return ticks / USER_HZ
  } catch {
    return undefined
  }
}
