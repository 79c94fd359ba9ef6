/**
 * The kinds of training cell stages run. Their `code` is what a worker loads by
 * path (the worker entry and the runner it imports), so the training core's
 * whole import closure — models, AdamW, data, metrics, kernels — joins every
 * training cell's key and every training stage's key; and the seed-shard logic,
 * since a recombined cell is stored under the whole cell's key.
 */
import { defineCellKind } from "../engine/CellKind.ts"
import { CellResult, CellSpec, ForkResult, ForkSpec } from "../train/CellSpec.ts"

/** The worker side, plus how a cell is split into seed shards and recombined
 * (trainCached.ts stores a recombined cell under the whole cell's key). */
const workerCode = ["src/train/worker/entry.ts", "src/train/worker/cellRunner.ts", "src/train/shards.ts"]

export const trainCell = defineCellKind({ name: "train", payload: CellSpec, output: CellResult, code: workerCode })
export const forkCell = defineCellKind({ name: "fork", payload: ForkSpec, output: ForkResult, code: workerCode })
