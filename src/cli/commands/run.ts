/** `grokflow run`: bring every node of a profile up to date (or show what that would do). */
import * as os from "node:os"
import { Effect, Layer, Option } from "effect"
import { Command, Flag } from "effect/cli"
import { defaultLogger, displayPath, forcedNodes, planPipeline, projectRoot, RunLogger, runPipeline, selectNodes, UsageError, writeLock } from "../../engine/index.ts"
import type { Profile, RunSummary } from "../../engine/index.ts"
import { localExecutor } from "../../executor/local.ts"
import { dbUrlProblem } from "../../executor/cluster/Address.ts"
import { loadPlanModel } from "../../planning/calibration.ts"
import { nodesForClaims } from "../../verify/claimTargets.ts"
import { renderDryRun } from "../dryRun.ts"
import { engineFlags, nodeList, out, profileFrom, setExitCode, switchFlag, warn, withEngine } from "../Shared.ts"

const jobsFlag = Flag.Int("jobs").pipe(
  Flag.withAlias("j"),
  Flag.withDescription("concurrent jobs (stage bodies and cells, each); default: available cores"),
  Flag.optional
)
const onlyFlag = Flag.String("only").pipe(
  Flag.withDescription("run only these nodes (comma-separated) and what they need"),
  Flag.optional
)
const forFlag = Flag.String("for").pipe(
  Flag.withDescription("run only the nodes the claims matching these ids read (e.g. 'B1.*', comma-separated) and what they need"),
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
const noLockFlag = switchFlag("no-lock", "leave pipeline/<profile>.lock as it is (a scratch run; a run with --set never writes it)")

const splitSeedsFlag = switchFlag("split-seeds", "train each cell's seeds as separate units (both cores, or many runners, on one long cell); same results, same keys")

const forceFlag = Flag.String("force").pipe(
  Flag.withDescription("recompute these nodes (comma-separated or repeated) and every node downstream of them, retraining their cells; each entry is replaced atomically"),
  Flag.atLeast(0)
)
const forceAllFlag = switchFlag("force-all", "recompute every selected node and its cells, replacing their entries atomically")

const dryRunFlag = switchFlag("dry-run", "print the plan (run vs reuse) and cost estimates; run nothing")

export const parseOnly = (profile: Profile, only: Option.Option<string>) =>
  Option.isNone(only) ? Effect.succeed(undefined) : nodeList(profile, "--only", [only.value])

export const renderSummary = (s: RunSummary): string =>
  `ran ${s.ran}, reused ${s.reused}` +
  (s.failed ? `, failed ${s.failed}` : "") +
  (s.skipped ? `, skipped ${s.skipped}` : "") +
  `; cells: ${s.cellsTrained} trained, ${s.cellsReused} reused; wall ${s.seconds.toFixed(2)}s`

/**
 * A flag that cannot mean what it says in this combination, checked before
 * anything loads: silently ignoring one (`--runners 3` on a real run) or
 * failing late (a malformed `--db` as a stage failure) misleads.
 */
export const flagMisuse = (flags: {
  readonly jobs: Option.Option<number>
  readonly runners: Option.Option<number>
  readonly dryRun: boolean
  readonly executor: "local" | "cluster"
  readonly db: Option.Option<string>
  readonly force: ReadonlyArray<string>
  readonly forceAll: boolean
}): string | undefined => {
  if (Option.isSome(flags.jobs) && flags.jobs.value < 1) return `--jobs ${flags.jobs.value}: expected at least 1`
  if (Option.isSome(flags.runners)) {
    if (!flags.dryRun) return `--runners ${flags.runners.value}: only with --dry-run (it estimates the makespan on N runners; to train on runners, use --executor cluster --db URL)`
    if (flags.runners.value < 1) return `--runners ${flags.runners.value}: expected at least 1`
  }
  if (flags.executor === "cluster" && Option.isNone(flags.db)) return "--executor cluster needs --db URL (the PostgreSQL database the runners use)"
  if (Option.isSome(flags.db)) {
    if (flags.executor !== "cluster") return "--db: only with --executor cluster (local runs use no database)"
    const problem = dbUrlProblem(flags.db.value)
    if (problem !== undefined) return problem
  }
  if (flags.forceAll && flags.force.length > 0) return "--force and --force-all: give one (--force-all already recomputes every node)"
  return undefined
}

/** Units a coordinator keeps in flight by default: more than a handful of runners' workers. */
const CLUSTER_IN_FLIGHT = 64

/** Loaded on use, so local runs never load the cluster or the PostgreSQL client. */
const clusterExecutorLayer = (db: string, capacity: number) =>
  Layer.unwrap(Effect.promise(() => import("../../executor/cluster/Client.ts")).pipe(
    Effect.map(({ clusterExecutor }) => clusterExecutor({ db, capacity, warn }))
  ))

export const run = Command.make(
  "run",
  {
    ...engineFlags,
    jobs: jobsFlag,
    only: onlyFlag,
    for: forFlag,
    force: forceFlag,
    forceAll: forceAllFlag,
    dryRun: dryRunFlag,
    runners: runnersFlag,
    executor: executorFlag,
    db: dbFlag,
    splitSeeds: splitSeedsFlag,
    noLock: noLockFlag
  },
  (flags) =>
    withEngine(
      flags,
      Effect.gen(function*() {
        const misuse = flagMisuse(flags)
        if (misuse !== undefined) return yield* new UsageError({ message: misuse })
        const profile = yield* profileFrom(flags)
        const onlyNodes = yield* parseOnly(profile, flags.only)
        const forNodes = yield* nodesForClaims(profile, flags.for, projectRoot())
        const only = onlyNodes === undefined && forNodes === undefined ? undefined : [...new Set([...(onlyNodes ?? []), ...(forNodes ?? [])])]
        const force = flags.forceAll ? "all" as const : flags.force.length > 0 ? yield* nodeList(profile, "--force", flags.force) : undefined
        if (Array.isArray(force) && only !== undefined) {
          const selected = new Set(selectNodes(profile, only).map((n) => n.id))
          const outside = force.filter((id) => !selected.has(id))
          if (outside.length > 0) return yield* new UsageError({ message: `--force ${outside.join(",")}: not among the nodes --only ${only.join(",")} runs` })
        }
        if (flags.dryRun) {
          const plan = yield* planPipeline(profile)
          const workers = Option.getOrElse(flags.jobs, () => os.availableParallelism())
          const runners = Option.map(flags.runners, (count) => ({ count, workers }))
          const model = yield* loadPlanModel(profile.registry.root)
          yield* out(renderDryRun(plan, { only, runners: Option.getOrUndefined(runners), splitSeeds: flags.splitSeeds, localWorkers: workers, model }))
          if (force !== undefined) {
            const forced = forcedNodes(selectNodes(profile, only), force)
            yield* out(`forced (rerun with their cells even where stored): ${[...forced].join(", ")}`)
          }
          return
        }
        const jobs = Option.getOrElse(flags.jobs, () => os.availableParallelism())
        // On a cluster the runners bound training; --jobs then bounds units in flight.
        const executor = flags.executor === "cluster"
          ? clusterExecutorLayer(Option.getOrElse(flags.db, () => ""), Option.getOrElse(flags.jobs, () => CLUSTER_IN_FLIGHT))
          : localExecutor({ backend: flags.backend, workers: jobs })
        const logger = defaultLogger()
        const summary = yield* runPipeline(profile, { jobs: flags.executor === "cluster" ? Option.getOrElse(flags.jobs, () => CLUSTER_IN_FLIGHT) : jobs, splitCells: flags.splitSeeds, ...(only === undefined ? {} : { only }), ...(force === undefined ? {} : { force }) }).pipe(
          Effect.provide(Layer.mergeAll(RunLogger.layer(logger), executor)),
          Effect.ensuring(Effect.sync(() => logger.close()))
        )
        yield* out(renderSummary(summary))
        // The lock records the profile as committed: a run with --set overrides is an experiment, not the profile.
        if (profile.overrides.length === 0 && !flags.noLock) {
          const lock = yield* writeLock(yield* planPipeline(profile))
          yield* out(`lock: ${displayPath(lock.file)} (${lock.entries.length} entries, numerics ${lock.header.numerics})`)
        }
        if (summary.failed > 0 || summary.skipped > 0) setExitCode(1)
      })
    )
).pipe(Command.withDescription("run a profile: reuse what the store has, compute the rest"))
