/**
 * What a worker runs: the training core's entry points, with the tfjs namespace the
 * worker initialized. The pool loads a runner module by URL so tests can substitute
 * a cheap stand-in without touching the real training core.
 */
import type { CellResult, CellSpec, ForkResult, ForkSpec } from "../CellSpec.ts"
import type { Tf } from "../tfTypes.ts"
import type { ProgressHook } from "../cellRun.ts"

export interface RunOptions {
  readonly checkpointDir?: string
  /** Seconds between checkpoints; the core's default when absent. */
  readonly checkpointEverySeconds?: number
  readonly progress?: ProgressHook
}

/** The shape of a runner module's exports. */
export interface CellRunner {
  readonly train: (tf: Tf, spec: CellSpec, options: RunOptions) => Promise<CellResult>
  readonly fork: (tf: Tf, spec: ForkSpec, options: RunOptions) => Promise<ForkResult>
}

/** The production runner: src/train/worker/cellRunner.ts. */
export const defaultRunnerUrl: URL = new URL("./cellRunner.ts", import.meta.url)
