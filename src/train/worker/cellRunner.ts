/**
 * The production runner: the training core's trainCell / trainFork, loaded by each
 * worker (never by the main thread, which must not pay for tfjs). Typed against
 * CellRunner so a change of the core's signatures fails here, not in a worker.
 */
import { trainCell, trainFork } from "../trainCell.ts"
import type { CellRunner } from "./runnerModule.ts"

export const train: CellRunner["train"] = trainCell
export const fork: CellRunner["fork"] = trainFork
