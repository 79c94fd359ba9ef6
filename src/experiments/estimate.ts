/**
 * Cost estimates for `run --dry-run`: cells × seeds × step budget, and an upper
 * bound on wall time from the training throughput measured by `npm run bench --
 * train` on the 2-core reference machine (model-steps per second, both workers).
 * Cells stop when every seed has grokked, so real runs are usually far shorter.
 */
import type { Estimate } from "../engine/Stage.ts"

/** Measured model-steps/s over two single-threaded wasm workers, p=59 (src/train/README.md),
 * less ~10% for evaluations. */
export const MEASURED_MODEL_STEPS_PER_SECOND = { mlp: 110, attention: 6 } as const

export const estimateOf = (
  cells: number,
  seeds: number,
  steps: number,
  model: keyof typeof MEASURED_MODEL_STEPS_PER_SECOND = "mlp"
): Estimate => {
  const hours = (cells * seeds * steps) / MEASURED_MODEL_STEPS_PER_SECOND[model] / 3600
  return {
    cells,
    seeds,
    steps,
    hours,
    description: `${cells} cells × ${seeds} seeds × ≤${steps} steps: at most ${
      hours < 1 ? `${Math.ceil(hours * 60)} min` : `${hours.toFixed(1)} h`
    } on 2 cores`
  }
}
