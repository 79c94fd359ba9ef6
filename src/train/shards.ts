/**
 * Seed shards: one cell's seeds trained as separate work units and recombined into
 * exactly the result the whole cell gives, so a long cell can use every worker (or
 * runner) and the store holds one result per cell either way.
 *
 * Seeds share nothing but hyperparameters (init and split depend on the seed number
 * only; each seed's step is its own products), so a seed trained alone follows the
 * trajectory it has inside its cell — until the cell's stopping rule (cellRun.ts)
 * ties them: finished seeds keep training until more than half have finished, then
 * freeze. That freeze step M is known only once the seeds have run, hence two
 * phases:
 *   1. every seed alone, to its own finish (or the budget);
 *   2. M from the finish steps; each seed that finished before M trains again with
 *      minSteps = M (deterministic, so it repeats phase 1 and continues to M).
 * Phase 2 costs the early seeds a second run; what it buys is a cell bounded by
 * its slowest seed rather than by the sum of its seeds.
 */
import type { CellResult, CellSpec, SeedResult } from "./CellSpec.ts"

/** How many seeds must have finished before the finished ones freeze (cellRun.ts). */
export const freezeCount = (spec: CellSpec): number =>
  spec.stopRule === "all-seeds" ? spec.seeds : Math.floor(spec.seeds / 2) + 1

/** Whether a cell can be split: several seeds, an ordinary cell (not itself a shard). */
export const shardable = (spec: CellSpec): boolean =>
  spec.seeds > 1 && spec.firstSeed === undefined && spec.minSteps === undefined

/** The spec of seed `index` alone; `minSteps` for phase 2. */
export const seedShard = (spec: CellSpec, index: number, minSteps?: number): CellSpec => ({
  ...spec,
  seeds: 1,
  firstSeed: index,
  ...(minSteps === undefined ? {} : { minSteps })
})

const finished = (s: SeedResult): boolean => s.tGrok !== null && Object.values(s.extraCrossings).every((x) => x.step !== null)

/**
 * The step at which the whole cell freezes its finished seeds: the eval step at
 * which more than half have finished (all of them under stopRule "all-seeds") (a lone seed stops at its finish step, so
 * that is its stepsTrained). With fewer finished than that, nothing freezes and
 * every seed trains to the budget.
 */
export const freezeStep = (spec: CellSpec, alone: ReadonlyArray<SeedResult>): number => {
  if (!spec.stopWhenAllGrokked) return spec.budget
  const finishes = alone.filter(finished).map((s) => s.stepsTrained).sort((a, b) => a - b)
  const count = freezeCount(spec)
  return finishes.length >= count ? finishes[count - 1]! : spec.budget
}

/** Whether a phase-1 seed stopped before the step its cell would have kept it to. */
export const needsExtension = (spec: CellSpec, alone: SeedResult, freeze: number): boolean =>
  spec.stopWhenAllGrokked && finished(alone) && alone.stepsTrained < freeze

/** The cell's result from its seeds' final results, in seed order. */
export const combineShards = (shards: ReadonlyArray<CellResult>): CellResult => {
  const seeds = shards.flatMap((r) => r.seeds)
  const backends = new Set(shards.map((r) => r.backend))
  if (backends.size !== 1) throw new Error(`seed shards ran on different backends: ${[...backends].join(", ")}`)
  return { seeds, backend: shards[0]!.backend }
}
