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
  readonly seeds: number
  /** The stage's estimate: all its cells over the reference machine's 2 workers. */
  readonly hours: number
}

export interface Makespan {
  readonly hours: number
  readonly slots: number
  readonly units: number
  /** The longest single unit: the bound no number of runners improves. */
  readonly longest: { readonly stage: string; readonly hours: number } | undefined
  /** "cell", or "seed" with --split-seeds. */
  readonly unit: "cell" | "seed"
}

/** Workers the estimates' throughput was measured over (estimate.ts). */
const REFERENCE_WORKERS = 2

/**
 * With `splitSeeds`, a unit is one seed (src/train/shards.ts): the bound is then the
 * longest seed. The early seeds' second phase is left out, so that makespan is a
 * lower estimate by up to the cost of half the seeds training to the freeze step.
 */
export const makespan = (stages: ReadonlyArray<StageCost>, runners: number, workersPerRunner: number, splitSeeds = false): Makespan => {
  const units = stages.flatMap((s) => {
    const count = s.cells * (splitSeeds ? Math.max(1, s.seeds) : 1)
    return count > 0 ? Array.from({ length: count }, () => ({ stage: s.stage, hours: (s.hours * REFERENCE_WORKERS) / count })) : []
  })
  units.sort((a, b) => b.hours - a.hours)
  const slots = Math.max(1, runners * workersPerRunner)
  const load = new Array<number>(slots).fill(0)
  for (const unit of units) {
    let best = 0
    for (let i = 1; i < slots; i++) if (load[i] < load[best]) best = i
    load[best] += unit.hours
  }
  return { hours: Math.max(0, ...load), slots, units: units.length, longest: units[0], unit: splitSeeds ? "seed" : "cell" }
}
