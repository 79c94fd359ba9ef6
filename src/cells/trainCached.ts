/**
 * Training through the store: every cell is memoized by its full spec (plus the
 * training core's code and the env: backend, tfjs version), so adding one ρ to a
 * sweep trains one cell. The key excludes the calling stage's module: editing a
 * stage does not retrain what it already has.
 */
import { Effect } from "effect"
import type { StageContext } from "../engine/StageContext.ts"
import { StageFailure } from "../engine/StageFailure.ts"
import type { CellResult, CellSpec, ForkResult, ForkSpec } from "../train/CellSpec.ts"
import { combineShards, freezeStep, needsExtension, seedShard, shardable } from "../train/shards.ts"
import { forkKind, trainKind } from "./cellKinds.ts"

/**
 * A cell trained as seed shards (src/train/shards.ts) and stored under the whole
 * cell's key: a cell computed either way is one entry, and a stored whole cell is
 * a hit for a split run and vice versa.
 */
const splitTrain = (ctx: StageContext, label: string) => (spec: CellSpec): Effect.Effect<CellResult, StageFailure> =>
  Effect.gen(function*() {
    const seeds = Array.from({ length: spec.seeds }, (_, i) => i)
    const alone = yield* Effect.forEach(seeds, (i) => ctx.cell(trainKind, seedShard(spec, i), `${label} seed ${i}`), { concurrency: "unbounded" })
    const freeze = freezeStep(spec, alone.map((r) => r.seeds[0]!))
    const final = yield* Effect.forEach(
      seeds,
      (i) =>
        needsExtension(spec, alone[i]!.seeds[0]!, freeze)
          ? ctx.cell(trainKind, seedShard(spec, i, freeze), `${label} seed ${i} to ${freeze}`)
          : Effect.succeed(alone[i]!),
      { concurrency: "unbounded" }
    )
    return yield* Effect.try({
      try: () => combineShards(final),
      catch: (e) => new StageFailure({ stage: ctx.node, message: `${label}: ${e instanceof Error ? e.message : String(e)}` })
    })
  })

export const trainCached = (ctx: StageContext, spec: CellSpec, label: string): Effect.Effect<CellResult, StageFailure> =>
  ctx.splitCells && shardable(spec)
    ? ctx.cell({ ...trainKind, inline: splitTrain(ctx, label) }, spec, label)
    : ctx.cell(trainKind, spec, label)

export const forkCached = (ctx: StageContext, spec: ForkSpec, label: string): Effect.Effect<ForkResult, StageFailure> =>
  ctx.cell(forkKind, spec, label)
