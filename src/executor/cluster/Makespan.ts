/**
 * `run --dry-run --runners N`: how long the training would take spread over N
 * runners, from the stages' own estimates (src/experiments/estimate.ts: cells ×
 * seeds × step budget at the measured throughput, an upper bound since cells
 * stop once every seed has grokked).
 *
 * A unit is one cell and runs on one worker, so no number of runners finishes
 * sooner than the longest cell: that is the critical path printed. The makespan
 * is a longest-first list schedule of every cell over runners × workers slots,
 * which is within 4/3 of the optimum for independent units. It ignores the
 * order stages impose (a fit waits for its sweep), which costs little here: the
 * training stages of a profile do not depend on each other's cells.
 */

export interface StageCost {
  readonly stage: string
  readonly cells: number
  /** The stage's estimate: all its cells over the reference machine's 2 workers. */
  readonly hours: number
}

export interface Makespan {
  readonly hours: number
  readonly slots: number
  readonly units: number
  /** The longest single unit: the bound no number of runners improves. */
  readonly longest: { readonly stage: string; readonly hours: number } | undefined
}

/** Workers the estimates' throughput was measured over (estimate.ts). */
const REFERENCE_WORKERS = 2

export const makespan = (stages: ReadonlyArray<StageCost>, runners: number, workersPerRunner: number): Makespan => {
  const units = stages.flatMap((s) =>
    s.cells > 0 ? Array.from({ length: s.cells }, () => ({ stage: s.stage, hours: (s.hours * REFERENCE_WORKERS) / s.cells })) : []
  )
  units.sort((a, b) => b.hours - a.hours)
  const slots = Math.max(1, runners * workersPerRunner)
  const load = new Array<number>(slots).fill(0)
  for (const unit of units) {
    let best = 0
    for (let i = 1; i < slots; i++) if (load[i] < load[best]) best = i
    load[best] += unit.hours
  }
  return { hours: Math.max(0, ...load), slots, units: units.length, longest: units[0] }
}
