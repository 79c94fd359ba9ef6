/**
 * Entry points the worker calls: plain async functions over a tfjs namespace the
 * caller has initialized (any backend). tfjs is imported here only as a type.
 */
import type { CellResult, CellSpec } from "./CellSpec.ts"
import { CellProgram, freshRunState, holdOf, seedResults, type InitOverride, type ProgressHook, type RunState } from "./cellRun.ts"
import { Checkpointer, initFingerprint } from "./checkpoint.ts"
import { loadModelKernel } from "./models/loadModel.ts"
import type { Tf } from "./tfTypes.ts"

export type { InitOverride, ProgressHook, SeedTally } from "./cellRun.ts"

export interface TrainCellOptions {
  /** Directory for this cell's checkpoints; a cell resumes from the newest one. */
  readonly checkpointDir?: string
  /** Called with (steps done, step budget, seeds grokked) as the cell advances. */
  readonly progress?: ProgressHook
  /**
   * Explicit initial parameters, one record per seed, named and laid out as in
   * params.ts (MLP: E [p,d], W1 [2d,H], b1 [H], W2 [H,p], b2 [p], row-major).
   * Used by the PyTorch cross-check; the data split is still the seed's own.
   */
  readonly initOverride?: InitOverride
  /** Seconds between checkpoints (default 180). */
  readonly checkpointEverySeconds?: number
}

export async function trainCell(tf: Tf, spec: CellSpec, options: TrainCellOptions = {}): Promise<CellResult> {
  const program = new CellProgram(tf, spec, await loadModelKernel(spec.model.kind))
  try {
    const checkpointer =
      options.checkpointDir !== undefined
        ? new Checkpointer(options.checkpointDir, spec, "cell", options.checkpointEverySeconds ?? 180, {
            spec,
            init: initFingerprint(options.initOverride)
          })
        : undefined
    const state: RunState = checkpointer?.load() ?? freshRunState(spec, options.initOverride)
    const hooks = {
      ...(options.progress !== undefined ? { progress: options.progress } : {}),
      ...(checkpointer !== undefined ? { afterStep: (s: RunState) => checkpointer.maybeSave(s) } : {})
    }
    program.run(state, holdOf(spec.intervention, spec.seeds), hooks)
    checkpointer?.clear()
    return { seeds: seedResults(state), backend: tf.getBackend() }
  } finally {
    program.dispose()
  }
}

export { trainFork } from "./fork.ts"
