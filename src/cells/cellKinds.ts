/**
 * The kinds of training cell stages run, and the one table of them that the
 * executors dispatch on (the local worker pool, a cluster runner): a kind's name
 * is the worker protocol's job kind, so the table says, for each name, which
 * payload Schema decodes a unit arriving as JSON and what the worker returns.
 *
 * Their `code` is what a worker loads by path (the worker entry and the runner it
 * imports), so the training core's whole import closure — models, AdamW, data,
 * metrics, kernels — joins every training cell's key and every training stage's
 * key; and the seed-shard logic, since a recombined cell is stored under the
 * whole cell's key.
 */
import type { CellKind } from "../engine/CellKind.ts"
import { defineCellKind } from "../engine/CellKind.ts"
import { CellResult, CellSpec, ForkResult, ForkSpec } from "../train/CellSpec.ts"
import type { JobKind, JobKinds } from "../train/worker/protocol.ts"

/** The worker side, plus how a cell is split into seed shards and recombined
 * (trainCached.ts stores a recombined cell under the whole cell's key). */
const workerCode = ["src/train/worker/entry.ts", "src/train/worker/cellRunner.ts", "src/train/shards.ts"]

export const trainKind = defineCellKind({ name: "train", payload: CellSpec, output: CellResult, code: workerCode })
export const forkKind = defineCellKind({ name: "fork", payload: ForkSpec, output: ForkResult, code: workerCode })

/** Each worker job kind's cell kind: its payload is the job's spec, its output the job's result. */
export type TrainingKinds = { readonly [K in JobKind]: CellKind<JobKinds[K]["spec"], JobKinds[K]["result"]> }

/** Every kind a training worker runs, by name. */
export const trainingKinds: TrainingKinds = { train: trainKind, fork: forkKind }

/** Whether a unit's kind name is one a training worker runs. */
export const isTrainingKind = (name: string): name is JobKind => Object.hasOwn(trainingKinds, name)
