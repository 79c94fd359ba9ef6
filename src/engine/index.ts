/**
 * grokflow engine: the public API.
 *
 * Writing a stage (stages/<name>.ts):
 *   export default defineStage({ name, version, description, config, needs, output, cells?, code?, estimate?, run })
 *   `needs: { wc: measureWc, sweep: optionalNeed(clampSweep) }` types `inputs` in `run`
 *   (an optional input binds only when the profile names it in the node's `needs:`).
 *   `requires: { wc: { config: { loss: "mse" }, because } }` is checked against the
 *   bound node's config when the profile loads; `figures: [feed(kind, (output, inputs) => …)]`
 *   names the figures the stage feeds (src/figures/Figure.ts), drawn by `report`.
 *   `cells: [trainKind]` declares the kinds of cell it runs; inside `run`,
 *   `ctx.cell(trainKind, spec, label)` memoizes one cell in the store and hands a
 *   miss to the Executor. The stage's code digest is computed from its imports.
 *
 * Using the engine from a command (what `verify` and `report` need):
 *
 *   import { Effect } from "effect"
 *   import { engineLayer, loadProfile, planPipeline, readNodeOutput } from "../engine/index.ts"
 *
 *   const program = Effect.gen(function*() {
 *     const profile = yield* loadProfile("quick", { sets: [] })     // name or path; ProfileError → exit 2
 *     const plan = yield* planPipeline(profile)                    // nodes with key + status fresh|stale|pending
 *     const sweep = plan.byId.get("clamp-sweep")!
 *     const { output, manifestPath } = yield* readNodeOutput(sweep) // verified stored output + its manifest
 *     // print numbers with `manifestPath` (or `key`) beside them: every reported
 *     // number must be traceable to its cache entry.
 *   }).pipe(Effect.provide(engineLayer({ cacheDir, backend, resolveEnv })  // resolveEnv: src/executor/local.ts))
 *
 * In a CLI command module, `src/cli/Shared.ts` gives the common flags and
 * `withEngine(flags, effect)` which provides `engineLayer` and turns engine errors
 * into the message + exit code convention (2 for user errors, 1 otherwise). See
 * src/cli/commands/index.ts to register a new command.
 *
 * Errors: ProfileError / DiscoveryError / UsageError (exit 2), StoreError /
 * NotInStore (exit 1); each has `.rendered` (one line, no stack) and `.exitCode`.
 */
export { defineStage, isOptionalNeed, needStage, optionalNeed } from "./Stage.ts"
export type { AnyStage, Estimate, FigureFeed, InputsOf, JsonCodec, Need, OptionalNeed, PlannedUnit, Stage } from "./Stage.ts"
export type { StageContext } from "./StageContext.ts"
export { defineCellKind } from "./CellKind.ts"
export type { AnyCellKind, CellKind } from "./CellKind.ts"
export { ExecutionFailure, Executor } from "./Executor.ts"
export type { UnitHooks, WorkUnit } from "./Executor.ts"
export { StageFailure } from "./StageFailure.ts"
export type { StageServices } from "./StageServices.ts"

export { DiscoveryError, NotInStore, ProfileError, StoreError, UsageError } from "./Errors.ts"
export type { EngineError } from "./Errors.ts"
export { discoverStages } from "./Discovery.ts"
export type { DiscoveredStage, StageRegistry } from "./Discovery.ts"
export { displayPath, listProfileNamesSync, loadProfileFrom, resolveProfilePath } from "./Profile.ts"
export { closest, didYouMean, editDistance } from "./Suggest.ts"
export { findProjectRoot, isProjectRoot, projectRoot, useProjectRoot } from "./ProjectRoot.ts"
export type { NodeInput, Profile, ProfileNode } from "./Profile.ts"
export { engineLayer, loadProfile, readNodeOutput, stageRegistry } from "./Pipeline.ts"
export type { EngineLayerOptions, LoadOptions, NodeOutput } from "./Pipeline.ts"
export { Keyer, planPipeline } from "./Plan.ts"
export type { NodeStatus, Plan, PlannedNode } from "./Plan.ts"
export { decodeOutput } from "./OutputCodec.ts"
export { forcedNodes, runPipeline, selectNodes } from "./Run.ts"
export type { NodeOutcome, RunOptions, RunSummary } from "./Run.ts"
export { explainPlan } from "./Explain.ts"
export type { Explanation } from "./Explain.ts"
export { gcCache, listCache, verifyCache } from "./Maintenance.ts"
export { renderDag } from "./Dag.ts"
export type { DagFormat } from "./Dag.ts"
export { EnvResolver } from "./Env.ts"
export type { BackendChoice } from "./Env.ts"
export { fileStore, Store, StoreDir, resolveCacheDir, writeAtomic } from "./Store.ts"
export type { BlobCheck, EntryRow, Lookup, Ref, StoreService } from "./Store.ts"
export { hashValue } from "./Canonical.ts"
export { KEY_FORMAT, keyOf } from "./Key.ts"
export type { CellPreimage, CodeDigest, Env, StagePreimage } from "./Key.ts"
export { CodeHasher } from "./Key.ts"
export type { Manifest } from "./Manifest.ts"
export { collectingLogger, defaultLogger, plainLogger, RunLogger, silentLogger, ttyLogger } from "./Logger.ts"
export type { Logger, RunEvent } from "./Logger.ts"
export { collectLock, describeNumerics, LOCK_FORMAT, lockPath, parseLock, producingCommit, readLock, readLockFile, renderLock, writeLock } from "./ProfileLock.ts"
export type { LockEntry, LockHeader, ProfileLock } from "./ProfileLock.ts"
export { cellDrift, cellKindsOf, nodeDrift, rootCauses } from "./LockDrift.ts"
export type { CellDrift, NodeDrift } from "./LockDrift.ts"
export { describeIssue, firstProblem, formatPath } from "./SchemaProblem.ts"
