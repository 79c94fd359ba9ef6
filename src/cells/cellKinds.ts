/**
 * The kinds of training cell stages run, and the one table of them that the
 * executors dispatch on (the local worker pool, a cluster runner): a kind's name
 * is the worker protocol's job kind, so the table says, for each name, which
 * payload Schema decodes a unit arriving as JSON and what the worker returns.
 *
 * Their `code` is what a worker loads by path (the worker entry and the runner it
 * imports), so the training core's import closure — AdamW, data, metrics, the
 * portable GEMM — joins every training cell's key and every training stage's key;
 * and the seed-shard logic, since a recombined cell is stored under the whole
 * cell's key. The models are variants: the worker loads the spec's model by path
 * (train/models/modelModules.ts), so an MLP cell keys on the MLP's code only and
 * an attention cell on the attention model's.
 */
import type { Json } from "../engine/Canonical.ts"
import type { CellKind, CellVariants } from "../engine/CellKind.ts"
import { onlyVariants } from "../engine/CellKind.ts"
import { defineCellKind } from "../engine/CellKind.ts"
import { modelModules } from "../train/models/modelModules.ts"
import { jobKinds, type JobKind, type JobKinds } from "../train/worker/protocol.ts"

/** The worker side, plus how a cell is split into seed shards and recombined
 * (trainCached.ts stores a recombined cell under the whole cell's key). */
const workerCode = ["src/train/worker/entry.ts", "src/train/worker/cellRunner.ts", "src/train/shards.ts"]

const field = (v: Json | undefined, name: string): Json | undefined =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? (v as { readonly [k: string]: Json })[name] : undefined

/** The model a cell spec (encoded) names, as the variant its key covers. */
const modelVariants = (specOf: (payload: Json) => Json | undefined): CellVariants => ({
  of: (payload) => {
    const kind = field(field(specOf(payload), "model"), "kind")
    return typeof kind === "string" ? kind : undefined
  },
  code: Object.fromEntries(Object.entries(modelModules).map(([kind, file]) => [kind, [file]]))
})

export const trainKind = defineCellKind({ name: "train", payload: jobKinds.train.spec, output: jobKinds.train.result, code: workerCode, variants: modelVariants((p) => p) })
export const forkKind = defineCellKind({ name: "fork", payload: jobKinds.fork.spec, output: jobKinds.fork.result, code: workerCode, variants: modelVariants((p) => field(p, "base")) })

/** For a stage's `cells` when it trains MLP cells only: it keys on the MLP's code, not the attention model's. */
export const mlpTrain = onlyVariants(trainKind, "mlp")
export const mlpFork = onlyVariants(forkKind, "mlp")

/** Each worker job kind's cell kind: its payload is the job's spec, its output the job's result. */
export type TrainingKinds = { readonly [K in JobKind]: CellKind<JobKinds[K]["spec"], JobKinds[K]["result"]> }

/** Every kind a training worker runs, by name. */
export const trainingKinds: TrainingKinds = { train: trainKind, fork: forkKind }

/** Whether a unit's kind name is one a training worker runs. */
export const isTrainingKind = (name: string): name is JobKind => Object.hasOwn(trainingKinds, name)
