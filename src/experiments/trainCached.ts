/**
 * Training through the store: every cell is memoized by its full spec (plus the
 * training core's code and the env: backend, tfjs version), so adding one ρ to a
 * sweep trains one cell. The key excludes the calling stage's module: editing a
 * stage does not retrain what it already has.
 */
import type { Effect } from "effect"
import type { StageContext } from "../engine/StageContext.ts"
import type { StageFailure } from "../engine/StageFailure.ts"
import type { CellResult, CellSpec, ForkResult, ForkSpec } from "../train/CellSpec.ts"
import { forkCell, trainCell } from "./cellKinds.ts"

export const trainCached = (ctx: StageContext, spec: CellSpec, label: string): Effect.Effect<CellResult, StageFailure> =>
  ctx.cell(trainCell, spec, label)

export const forkCached = (ctx: StageContext, spec: ForkSpec, label: string): Effect.Effect<ForkResult, StageFailure> =>
  ctx.cell(forkCell, spec, label)
