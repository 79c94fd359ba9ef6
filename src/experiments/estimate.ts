/**
 * Cost estimates for `run --dry-run`: cells × seeds × step budget, and an upper
 * bound on wall time from the training throughput measured by `npm run bench --
 * train` on the 2-core reference machine (model-steps per second, both workers).
 * Cells stop when every seed has grokked, so real runs are usually far shorter.
 */
import type { Estimate } from "../engine/Stage.ts"

/** Measured p=59, d=128, H=256 model-steps/s over two workers (see README). */
export const MEASURED_MODEL_STEPS_PER_SECOND = 60

export const estimateOf = (cells: number, seeds: number, steps: number): Estimate => {
  const hours = (cells * seeds * steps) / MEASURED_MODEL_STEPS_PER_SECOND / 3600
  return {
    cells,
    seeds,
    steps,
    description: `${cells} cells × ${seeds} seeds × ≤${steps} steps: at most ${
      hours < 1 ? `${Math.ceil(hours * 60)} min` : `${hours.toFixed(1)} h`
    } on 2 cores`
  }
}
