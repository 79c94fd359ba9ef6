/**
 * `run --dry-run --runners N`: how long the training takes on N runners × W
 * workers, over the real units the stages would request (priced by
 * src/planning/estimate.ts), in the order they can run.
 *
 * A unit is one cell, or with --split-seeds one seed shard: every seed alone
 * (phase 1), then the seeds that finished before the cell's freeze step again to
 * that step (phase 2, once the cell's phase 1 is done; src/train/shards.ts). A
 * unit starts once the cells it needs are done: a held cell after the cell its
 * target is measured from, a stage's cells after the upstream stages' cells.
 *
 * The schedule is a list schedule over runners × workers slots: whenever a slot is
 * free it takes the ready unit with the longest chain of work still behind it
 * (for independent units that is longest first, within 4/3 of the optimum). The
 * critical path is the longest chain of units through those dependencies: no
 * number of runners finishes sooner, and it names the units it runs through.
 * The cluster places units by key hash, not by load (Protocol.ts), so a real run
 * can take longer than this schedule: `placedMakespan` prices that placement.
 */
import { createRng, randomIndex } from "../../analysis/rng.ts"

export interface PlannedCellCost {
  /** Unique within the plan. */
  readonly id: string
  readonly node: string
  readonly label: string
  readonly seeds: number
  /** Expected hours on one worker as one unit. */
  readonly hours: number
  /** Expected hours per seed shard: phase 1 and (0 when none) phase 2. */
  readonly shards: ReadonlyArray<{ readonly seed: number; readonly hours: number; readonly extensionHours: number }>
  /** Ids of the cells that must be done before this one starts. */
  readonly after: ReadonlyArray<string>
}

/** One unit on the critical path. */
export interface PathStep {
  readonly node: string
  readonly label: string
  /** "8 seeds", "seed 3", "seed 3 to the freeze step". */
  readonly seeds: string
  readonly hours: number
}

export interface Makespan {
  readonly hours: number
  readonly slots: number
  readonly units: number
  readonly unit: "cell" | "seed"
  /** The longest chain of units, first to last, and its length in hours. */
  readonly critical: ReadonlyArray<PathStep>
  readonly criticalHours: number
  /** The longest single unit. */
  readonly longest: PathStep | undefined
}

interface Job {
  readonly step: PathStep
  readonly hours: number
  readonly deps: Array<number>
  /** Takes no worker: a zero-length marker "cell done", or a stage body (it runs in the coordinator). */
  readonly barrier: boolean
}

/** Jobs for every cell; `done[id]` is the job index that completes the cell. */
const jobsOf = (cells: ReadonlyArray<PlannedCellCost>, splitSeeds: boolean): Array<Job> => {
  const jobs: Array<Job> = []
  const done = new Map<string, number>()
  const pending = [...cells]
  // Cells in dependency order (a cell whose `after` is unknown is treated as free of it).
  const ids = new Set(cells.map((c) => c.id))
  const placed = new Set<string>()
  while (pending.length > 0) {
    const i = pending.findIndex((c) => c.after.every((a) => !ids.has(a) || placed.has(a)))
    const cell = pending.splice(i < 0 ? 0 : i, 1)[0]!
    const deps = cell.after.flatMap((a) => (done.has(a) ? [done.get(a)!] : []))
    const push = (job: Job): number => jobs.push(job) - 1
    const whole = (): number =>
      push({ step: { node: cell.node, label: cell.label, seeds: cell.seeds > 0 ? `${cell.seeds} seeds` : "no cells", hours: cell.hours }, hours: cell.hours, deps, barrier: cell.seeds === 0 })
    if (!splitSeeds || cell.shards.length <= 1) done.set(cell.id, whole())
    else {
      const alone = cell.shards.map((s) =>
        push({ step: { node: cell.node, label: cell.label, seeds: `seed ${s.seed}`, hours: s.hours }, hours: s.hours, deps, barrier: false })
      )
      const extended = cell.shards.flatMap((s) =>
        s.extensionHours > 0
          ? [push({ step: { node: cell.node, label: cell.label, seeds: `seed ${s.seed} to the freeze step`, hours: s.extensionHours }, hours: s.extensionHours, deps: alone, barrier: false })]
          : []
      )
      done.set(cell.id, push({ step: { node: cell.node, label: cell.label, seeds: "done", hours: 0 }, hours: 0, deps: [...alone, ...extended], barrier: true }))
    }
    placed.add(cell.id)
  }
  return jobs
}

/** Longest chain of work from each job to the end (its own length included). */
const tails = (jobs: ReadonlyArray<Job>): Array<number> => {
  const after: Array<Array<number>> = jobs.map(() => [])
  jobs.forEach((j, i) => j.deps.forEach((d) => after[d]!.push(i)))
  const tail = new Array<number>(jobs.length).fill(0)
  // Dependencies always point to earlier jobs (jobsOf), so one backward pass suffices.
  for (let i = jobs.length - 1; i >= 0; i--) tail[i] = jobs[i]!.hours + Math.max(0, ...after[i]!.map((k) => tail[k]!))
  return tail
}

const criticalPath = (jobs: ReadonlyArray<Job>): { readonly steps: Array<PathStep>; readonly hours: number } => {
  const head = new Array<number>(jobs.length).fill(0)
  const via = new Array<number>(jobs.length).fill(-1)
  jobs.forEach((j, i) => {
    let best = -1
    for (const d of j.deps) {
      if (head[d]! > best) {
        best = head[d]!
        via[i] = d
      }
    }
    head[i] = Math.max(0, best) + j.hours
  })
  let end = -1
  head.forEach((h, i) => {
    if (end < 0 || h > head[end]!) end = i
  })
  const steps: Array<PathStep> = []
  for (let i = end; i >= 0; i = via[i]!) if (jobs[i]!.step.seeds !== "done") steps.unshift(jobs[i]!.step)
  return { steps, hours: end < 0 ? 0 : head[end]! }
}

interface Running {
  readonly job: number
  readonly end: number
}

/** Removes and returns the running job that ends first (a few dozen at most: a scan beats a heap). */
const takeFirstToEnd = (running: Array<Running>): Running => {
  let first = 0
  for (let i = 1; i < running.length; i++) if (running[i]!.end < running[first]!.end) first = i
  return running.splice(first, 1)[0]!
}

/**
 * `order`: "longest" (the longest chain behind a unit first: what a scheduler
 * that knows the costs does), or "fifo" (in the order units become ready, then
 * in the order the stages request them: what the local executor's pool does).
 */
export const makespan = (
  cells: ReadonlyArray<PlannedCellCost>,
  runners: number,
  workersPerRunner: number,
  splitSeeds = false,
  order: "longest" | "fifo" = "longest"
): Makespan => {
  const jobs = jobsOf(cells, splitSeeds)
  const tail = tails(jobs)
  const readyAt = new Array<number>(jobs.length).fill(0)
  const before = (a: number, b: number): boolean =>
    order === "longest" ? tail[a]! > tail[b]! : readyAt[a]! < readyAt[b]! || (readyAt[a] === readyAt[b] && a < b)
  const slots = Math.max(1, runners * workersPerRunner)
  const waiting = jobs.map((j) => j.deps.length)
  const dependents: Array<Array<number>> = jobs.map(() => [])
  jobs.forEach((j, i) => j.deps.forEach((d) => dependents[d]!.push(i)))
  const ready: Array<number> = jobs.flatMap((_, i) => (waiting[i] === 0 ? [i] : []))
  const running: Array<Running> = []
  let now = 0
  let finished = 0
  const complete = (job: number): void => {
    finished++
    for (const k of dependents[job]!) {
      if (--waiting[k]! === 0) {
        readyAt[k] = now
        ready.push(k)
      }
    }
  }
  let busy = 0
  while (finished < jobs.length) {
    // Jobs that need no worker start as soon as they are ready; then fill the free workers.
    for (let b = ready.findIndex((i) => jobs[i]!.barrier); b >= 0; b = ready.findIndex((i) => jobs[i]!.barrier)) {
      const job = ready.splice(b, 1)[0]!
      if (jobs[job]!.hours > 0) running.push({ job, end: now + jobs[job]!.hours })
      else complete(job)
    }
    while (busy < slots && ready.length > 0) {
      let best = 0
      for (let i = 1; i < ready.length; i++) if (before(ready[i]!, ready[best]!)) best = i
      const job = ready.splice(best, 1)[0]!
      running.push({ job, end: now + jobs[job]!.hours })
      busy++
    }
    if (running.length === 0) {
      if (ready.length === 0) break
      continue
    }
    const { job, end } = takeFirstToEnd(running)
    now = end
    if (!jobs[job]!.barrier) busy--
    complete(job)
  }
  const units = jobs.filter((j) => j.step.seeds !== "done" && j.step.seeds !== "no cells")
  const longest = units.reduce<Job | undefined>((a, j) => (a === undefined || j.hours > a.hours ? j : a), undefined)
  const path = criticalPath(jobs)
  return {
    hours: now,
    slots,
    units: units.length,
    unit: splitSeeds ? "seed" : "cell",
    critical: path.steps,
    criticalHours: path.hours,
    longest: longest?.step
  }
}

/** The spread of makespans over random placements. */
export interface PlacedMakespan {
  readonly median: number
  readonly p90: number
  readonly placements: number
  /** Runners that own a shard (the rest idle). */
  readonly busyRunners: number
}

/** One placement: each worker-bound job on `runnerOf[job]`, each runner serving its units in arrival order, W at a time. */
const placedHours = (jobs: ReadonlyArray<Job>, runnerOf: ReadonlyArray<number>, runners: number, workersPerRunner: number): number => {
  const waiting = jobs.map((j) => j.deps.length)
  const dependents: Array<Array<number>> = jobs.map(() => [])
  jobs.forEach((j, i) => j.deps.forEach((d) => dependents[d]!.push(i)))
  const queues: Array<Array<number>> = Array.from({ length: runners }, () => [])
  const heads = new Array<number>(runners).fill(0)
  const free = new Array<number>(runners).fill(workersPerRunner)
  const barriers: Array<number> = []
  const running: Array<Running> = []
  let now = 0
  let finished = 0
  const ready = (job: number): void => void (jobs[job]!.barrier ? barriers.push(job) : queues[runnerOf[job]!]!.push(job))
  jobs.forEach((_, i) => waiting[i] === 0 && ready(i))
  const complete = (job: number): void => {
    finished++
    for (const k of dependents[job]!) if (--waiting[k]! === 0) ready(k)
  }
  while (finished < jobs.length) {
    while (barriers.length > 0) {
      const job = barriers.pop()!
      if (jobs[job]!.hours > 0) running.push({ job, end: now + jobs[job]!.hours })
      else complete(job)
    }
    for (let r = 0; r < runners; r++) {
      while (free[r]! > 0 && heads[r]! < queues[r]!.length) {
        const job = queues[r]![heads[r]!++]!
        running.push({ job, end: now + jobs[job]!.hours })
        free[r]!--
      }
    }
    if (running.length === 0) {
      if (barriers.length === 0) break
      continue
    }
    const { job, end } = takeFirstToEnd(running)
    now = end
    if (!jobs[job]!.barrier) free[runnerOf[job]!]!++
    complete(job)
  }
  return now
}

/**
 * The makespan as the cluster places units (Protocol.ts): a unit's key hashes to
 * one of `shards` shards, the shards are spread evenly over the runners, and a
 * runner trains what it is sent in arrival order, W at a time, whatever the other
 * runners have queued. Keys are not known before the cells upstream train (a held
 * cell's target is measured), so placement is drawn at random `placements` times
 * with a fixed seed; the median and the 90th percentile say what to expect. With
 * more runners than shards the extra runners get nothing.
 */
export const placedMakespan = (
  cells: ReadonlyArray<PlannedCellCost>,
  runners: number,
  workersPerRunner: number,
  shards: number,
  splitSeeds = false,
  placements = 64
): PlacedMakespan => {
  const jobs = jobsOf(cells, splitSeeds)
  const busy = Math.max(1, Math.min(runners, shards))
  const rng = createRng(0x5eed)
  const hours = Array.from({ length: placements }, () => {
    const runnerOf = jobs.map(() => randomIndex(rng, shards) % busy)
    return placedHours(jobs, runnerOf, busy, Math.max(1, workersPerRunner))
  }).sort((a, b) => a - b)
  return { median: hours[Math.floor((placements - 1) / 2)]!, p90: hours[Math.ceil(0.9 * placements) - 1]!, placements, busyRunners: busy }
}
