/**
 * The scheduler. Every selected node is forked at once and waits on the outcomes
 * of the nodes it needs (StageRun.ts), so independent stages run concurrently and
 * each starts as soon as its inputs exist. Cells are bounded by one pool of
 * `jobs` permits (default: the Executor's capacity); stage bodies, which mostly
 * wait on their cells, are not bounded by it, so a waiting stage can never hold
 * the slot the stage on the critical path needs.
 *
 * A stage failure is a value: reported, its dependents skipped, the rest of the
 * pipeline carries on; the command exits 1. Interruption (SIGINT/SIGTERM) runs
 * every finalizer: locks are released and nothing half-written stays (writes
 * are atomic), so the next run resumes from what finished.
 */
import { Cause, Deferred, Effect, Exit, Semaphore } from "effect"
import type { CellDeps } from "./Cells.ts"
import { EnvResolver } from "./Env.ts"
import { Executor } from "./Executor.ts"
import { RunLogger } from "./Logger.ts"
import { Keyer } from "./Plan.ts"
import type { Profile, ProfileNode } from "./Profile.ts"
import { writeRunRecord } from "./RunRecord.ts"
import type { RunCounts } from "./RunRecord.ts"
import { makeSingleFlight } from "./SingleFlight.ts"
import { messageOf, runNode } from "./StageRun.ts"
import type { NodeOutcome, OutcomeStatus, Produced } from "./StageRun.ts"
import { Store } from "./Store.ts"

export type { NodeOutcome, OutcomeStatus } from "./StageRun.ts"
export { decodeOutput } from "./OutputCodec.ts"

export interface RunSummary {
  readonly outcomes: ReadonlyArray<NodeOutcome>
  readonly ran: number
  readonly reused: number
  readonly failed: number
  readonly skipped: number
  readonly cellsTrained: number
  readonly cellsReused: number
  readonly seconds: number
}

export interface RunOptions {
  /** Cells at once. Default: the Executor's capacity. */
  readonly jobs?: number
  /** Run only these nodes and what they need. */
  readonly only?: ReadonlyArray<string>
  /** See StageContext.splitCells. */
  readonly splitCells?: boolean
  /**
   * Recompute these nodes and every selected node downstream of them, cells
   * included, even when the store has them ("all": every selected node). Each
   * entry is replaced atomically; training is deterministic, so a forced rerun
   * stores the same bytes unless something outside the key changed.
   */
  readonly force?: ReadonlyArray<string> | "all"
}

/** `only` plus everything it transitively needs, in profile order. */
export const selectNodes = (profile: Profile, only: ReadonlyArray<string> | undefined): ReadonlyArray<ProfileNode> => {
  if (only === undefined || only.length === 0) return profile.nodes
  const keep = new Set<string>()
  const visit = (id: string) => {
    if (keep.has(id)) return
    keep.add(id)
    for (const input of profile.byId.get(id)?.inputs ?? []) if (input.node !== undefined) visit(input.node)
  }
  only.forEach(visit)
  return profile.nodes.filter((n) => keep.has(n.id))
}

/** The forced nodes among `selected`: the named ones and everything downstream of them. */
export const forcedNodes = (selected: ReadonlyArray<ProfileNode>, force: RunOptions["force"]): ReadonlySet<string> => {
  if (force === undefined) return new Set()
  if (force === "all") return new Set(selected.map((n) => n.id))
  const forced = new Set(force)
  // Profile order is topological: one pass sees every upstream before its dependants.
  for (const node of selected) if (node.inputs.some((i) => i.node !== undefined && forced.has(i.node))) forced.add(node.id)
  const ids = new Set(selected.map((n) => n.id))
  return new Set([...forced].filter((id) => ids.has(id)))
}

export const runPipeline = Effect.fnUntraced(function*(profile: Profile, options: RunOptions = {}) {
  const executor = yield* Executor
  // The run's id in refs is its start, the same instant its run record starts at.
  const startedAt = new Date()
  const deps: CellDeps = {
    store: yield* Store,
    logger: yield* RunLogger,
    env: yield* EnvResolver,
    executor,
    keyer: Keyer.make(profile),
    flight: yield* makeSingleFlight(),
    pool: yield* Semaphore.make(Math.max(1, Math.floor(options.jobs ?? executor.capacity))),
    splitCells: options.splitCells === true,
    runId: startedAt.toISOString(),
    forced: forcedNodes(selectNodes(profile, options.only), options.force)
  }
  const t0 = performance.now()
  const selected = selectNodes(profile, options.only)
  const done = new Map<string, Deferred.Deferred<Produced>>()
  for (const node of selected) done.set(node.id, yield* Deferred.make<Produced>())

  const outcomes = yield* Effect.forEach(
    selected,
    (node) =>
      runNode(deps, profile, node, done).pipe(
        // Store errors while keying (unreadable cache) fail this node only.
        Effect.catchCause((cause) => {
          if (Cause.hasInterruptsOnly(cause)) return Effect.failCause(cause)
          const message = messageOf(cause)
          deps.logger.event({ _tag: "StageFailed", node: node.id, seconds: 0, message })
          return Effect.succeed<Produced>({ id: node.id, status: "failed", seconds: 0, cells: { trained: 0, reused: 0 }, message })
        }),
        Effect.tap((outcome) => Deferred.succeed(done.get(node.id)!, outcome)),
        Effect.onExit((exit) => (Exit.isFailure(exit) ? Deferred.interrupt(done.get(node.id)!) : Effect.void))
      ),
    { concurrency: "unbounded" }
  )
  const count = (s: OutcomeStatus) => outcomes.filter((o) => o.status === s).length
  const summary: RunSummary = {
    outcomes: outcomes.map(({ bytes: _bytes, ...o }) => o),
    ran: count("ran"),
    reused: count("hit"),
    failed: count("failed"),
    skipped: count("skipped"),
    cellsTrained: outcomes.reduce((a, o) => a + o.cells.trained, 0),
    cellsReused: outcomes.reduce((a, o) => a + o.cells.reused, 0),
    seconds: (performance.now() - t0) / 1000
  }
  yield* recordRun(deps, profile, options, startedAt, summary)
  return summary
})

const countsOf = ({ ran, reused, failed, skipped, cellsTrained, cellsReused }: RunSummary): RunCounts => ({ ran, reused, failed, skipped, cellsTrained, cellsReused })

/** The run's record (RunRecord.ts); a store that cannot take it costs a warning, not the run. */
const recordRun = (deps: CellDeps, profile: Profile, options: RunOptions, startedAt: Date, summary: RunSummary) =>
  writeRunRecord(deps.store, {
    profile: profile.name,
    startedAt: startedAt.toISOString(),
    endedAt: new Date(startedAt.getTime() + summary.seconds * 1000).toISOString(),
    wallSeconds: summary.seconds,
    stageSeconds: summary.outcomes.reduce((a, o) => a + o.seconds, 0),
    ...(options.only === undefined || options.only.length === 0 ? {} : { only: options.only }),
    ...countsOf(summary),
    nodes: summary.outcomes.map((o) => ({ id: o.id, status: o.status, ...(o.key === undefined ? {} : { key: o.key }), seconds: o.seconds }))
  }).pipe(
    Effect.catch((e) => Effect.sync(() => deps.logger.event({ _tag: "Warning", message: `cannot record the run: ${e.path}: ${e.message}` }))),
    Effect.asVoid
  )
