/**
 * The production runner: the training core's trainCell / trainFork.
 * TEMPORARY: imported by a computed URL until src/train/trainCell.ts lands, so this
 * module type-checks before it exists; becomes a static import then.
 */
import type { CellResult, CellSpec, ForkResult, ForkSpec } from "../CellSpec.ts"
import type { Tf } from "../backend/Backend.ts"
import type { RunOptions } from "./Runner.ts"

interface TrainCore {
  readonly trainCell: (tf: Tf, spec: CellSpec, options: RunOptions) => Promise<CellResult>
  readonly trainFork: (tf: Tf, spec: ForkSpec, options: RunOptions) => Promise<ForkResult>
}

const trainCore = async (): Promise<TrainCore> => {
  const url = new URL("../trainCell.ts", import.meta.url).href
  return (await import(url)) as TrainCore
}

export const train = async (tf: Tf, spec: CellSpec, options: RunOptions): Promise<CellResult> =>
  (await trainCore()).trainCell(tf, spec, options)

export const fork = async (tf: Tf, spec: ForkSpec, options: RunOptions): Promise<ForkResult> =>
  (await trainCore()).trainFork(tf, spec, options)
