/** `grokflow run`: bring every node of a profile up to date (or show what that would do). */
import * as os from "node:os"
import { Effect, Layer, Option } from "effect"
import { Command, Flag } from "effect/cli"
import { defaultLogger, planPipeline, RunLogger, runPipeline, selectNodes, UsageError } from "../../engine/index.ts"
import type { Profile, RunSummary } from "../../engine/index.ts"
import { localExecutor } from "../../executor/local.ts"
import { loadPlanModel } from "../../experiments/calibration.ts"
import { renderDryRun } from "../dryRun.ts"
import { engineFlags, out, profileFrom, setExitCode, warn, withEngine } from "../Shared.ts"

const jobsFlag = Flag.Int("jobs").pipe(
  Flag.withAlias("j"),
  Flag.withDescription("concurrent jobs (stage bodies and cells, each); default: available cores"),
  Flag.optional
)
const onlyFlag = Flag.String("only").pipe(
  Flag.withDescription("run only these nodes (comma-separated) and what they need"),
  Flag.optional
)
const executorFlag = Flag.Literals("executor", ["local", "cluster"]).pipe(
  Flag.withDescription("where cells train: this machine's workers, or runners through --db (grokflow runner)"),
  Flag.withDefault("local" as const)
)
const dbFlag = Flag.String("db").pipe(
  Flag.withDescription("PostgreSQL URL of the cluster (with --executor cluster)"),
  Flag.optional
)
const runnersFlag = Flag.Int("runners").pipe(
  Flag.withDescription("with --dry-run: expected makespan on N runners of --jobs workers each, and the critical path"),
  Flag.optional
)
const splitSeedsFlag = Flag.Boolean("split-seeds").pipe(
  Flag.withDescription("train each cell's seeds as separate units (both cores, or many runners, on one long cell); same results, same keys"),
  Flag.withDefault(false)
)

const dryRunFlag = Flag.Boolean("dry-run").pipe(
  Flag.withDescription("print the plan (run vs reuse) and cost estimates; run nothing"),
  Flag.withDefault(false)
)

export const parseOnly = (profile: Profile, only: Option.Option<string>) =>
  Effect.gen(function*() {
    if (Option.isNone(only)) return undefined
    const ids = only.value.split(",").map((s) => s.trim()).filter((s) => s !== "")
    for (const id of ids) {
      if (!profile.byId.has(id)) {
        return yield* new UsageError({ message: `--only ${id}: no node "${id}" in ${profile.file} (nodes: ${[...profile.byId.keys()].join(", ")})` })
      }
    }
    return ids
  })

export const renderSummary = (s: RunSummary): string =>
  `ran ${s.ran}, reused ${s.reused}` +
  (s.failed ? `, failed ${s.failed}` : "") +
  (s.skipped ? `, skipped ${s.skipped}` : "") +
  `; cells: ${s.cellsTrained} trained, ${s.cellsReused} reused; wall ${s.seconds.toFixed(2)}s`

/** Units a coordinator keeps in flight by default: more than a handful of runners' workers. */
const CLUSTER_IN_FLIGHT = 64

/** Loaded on use, so local runs never load the cluster or the PostgreSQL client. */
const clusterExecutorLayer = (db: string, capacity: number) =>
  Layer.unwrap(Effect.promise(() => import("../../executor/cluster/Client.ts")).pipe(
    Effect.map(({ clusterExecutor }) => clusterExecutor({ db, capacity, warn }))
  ))

export const run = Command.make(
  "run",
  { ...engineFlags, jobs: jobsFlag, only: onlyFlag, dryRun: dryRunFlag, runners: runnersFlag, executor: executorFlag, db: dbFlag, splitSeeds: splitSeedsFlag },
  (flags) =>
    withEngine(
      flags,
      Effect.gen(function*() {
        const profile = yield* profileFrom(flags)
        const only = yield* parseOnly(profile, flags.only)
        if (flags.dryRun) {
          const plan = yield* planPipeline(profile)
          if (Option.isSome(flags.runners) && flags.runners.value < 1) {
            return yield* new UsageError({ message: `--runners ${flags.runners.value}: expected at least 1` })
          }
          const workers = Option.getOrElse(flags.jobs, () => os.availableParallelism())
          const runners = Option.map(flags.runners, (count) => ({ count, workers }))
          const model = yield* loadPlanModel(profile.registry.root)
          return yield* out(renderDryRun(plan, { only, runners: Option.getOrUndefined(runners), splitSeeds: flags.splitSeeds, localWorkers: workers, model }))
        }
        const jobs = Option.getOrElse(flags.jobs, () => os.availableParallelism())
        if (jobs < 1) return yield* new UsageError({ message: `--jobs ${jobs}: expected at least 1` })
        if (flags.executor === "cluster" && Option.isNone(flags.db)) {
          return yield* new UsageError({ message: "--executor cluster needs --db URL (the PostgreSQL database the runners use)" })
        }
        // On a cluster the runners bound training; --jobs then bounds units in flight.
        const executor = flags.executor === "cluster"
          ? clusterExecutorLayer(Option.getOrElse(flags.db, () => ""), Option.getOrElse(flags.jobs, () => CLUSTER_IN_FLIGHT))
          : localExecutor({ backend: flags.backend, workers: jobs })
        const logger = defaultLogger()
        const summary = yield* runPipeline(profile, { jobs: flags.executor === "cluster" ? Option.getOrElse(flags.jobs, () => CLUSTER_IN_FLIGHT) : jobs, splitCells: flags.splitSeeds, ...(only === undefined ? {} : { only }) }).pipe(
          Effect.provide(Layer.mergeAll(RunLogger.layer(logger), executor)),
          Effect.ensuring(Effect.sync(() => logger.close()))
        )
        yield* out(renderSummary(summary))
        if (summary.failed > 0 || summary.skipped > 0) setExitCode(1)
      })
    )
).pipe(Command.withDescription("run a profile: reuse what the store has, compute the rest"))
