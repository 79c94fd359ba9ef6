/**
 * The scheduler. Every selected node is forked at once and waits on the outcomes
 * of the nodes it needs, so independent stages run concurrently and each starts
 * as soon as its inputs exist. Keys are computed from the upstream OUTPUT digests
 * actually produced (early cutoff), then: store hit → reuse; miss → take the
 * key's lock, look again (another run may have just finished it), run, commit.
 *
 * Two pools of `jobs` permits: one for stage bodies, one for cells. A stage
 * waiting on its cells holds a stage permit, never a cell permit, so cells can
 * always make progress (no deadlock with any number of stages and cells).
 *
 * A stage failure is a value: reported, its dependents skipped, the rest of the
 * pipeline carries on; the command exits 1. Interruption (SIGINT/SIGTERM) runs
 * every finalizer: locks are released and nothing half-written stays (writes
 * are atomic), so the next run resumes from what finished.
 */
import * as fs from "node:fs/promises"
import { Cause, Deferred, Effect, Exit, Result, Schema, Semaphore } from "effect"
import { TrainFailure, Trainer } from "../train/Trainer.ts"
import { canonicalJson } from "./Canonical.ts"
import { EnvResolver } from "./Env.ts"
import type { StoreError } from "./Errors.ts"
import { cellPreimage, keyOf } from "./Key.ts"
import type { StagePreimage } from "./Key.ts"
import { RunLogger } from "./Logger.ts"
import type { CellCounts } from "./Logger.ts"
import { ENTRY_FORMAT, hostInfo, toolVersions } from "./Manifest.ts"
import type { CellRef, Manifest } from "./Manifest.ts"
import { Keyer } from "./Plan.ts"
import type { Profile, ProfileNode } from "./Profile.ts"
import type { CellRequest, StageContext } from "./StageContext.ts"
import { StageFailure } from "./StageFailure.ts"
import type { StageServices } from "./StageServices.ts"
import { Store } from "./Store.ts"

export type OutcomeStatus = "hit" | "ran" | "failed" | "skipped"

export interface NodeOutcome {
  readonly id: string
  readonly status: OutcomeStatus
  readonly seconds: number
  readonly key?: string
  readonly outputDigest?: string
  readonly manifestPath?: string
  readonly cells: CellCounts
  readonly message?: string
}

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
  /** Permits in each pool (stages, cells). Default: available parallelism. */
  readonly jobs: number
  /** Run only these nodes and what they need. */
  readonly only?: ReadonlyArray<string>
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

const messageOf = (cause: Cause.Cause<unknown>): string => {
  const failure = Cause.findErrorOption(cause)
  if (failure._tag === "Some") {
    const e = failure.value as { readonly message?: unknown }
    return typeof e.message === "string" ? e.message : String(failure.value)
  }
  const defect = Cause.findDefect(cause)
  if (Result.isSuccess(defect)) {
    const d = defect.success
    return d instanceof Error ? `${d.message}${d.stack ? `\n${d.stack.split("\n").slice(1, 4).join("\n")}` : ""}` : String(d)
  }
  return Cause.pretty(cause)
}

const elapsed = (t0: number) => (performance.now() - t0) / 1000

/** Serializes an output through its schema into canonical JSON bytes. */
const encodeOutput = (schema: Schema.Codec<unknown, unknown>, value: unknown, who: string) =>
  Effect.suspend(() => {
    const encoded = Schema.encodeUnknownResult(schema)(value)
    if (Result.isFailure(encoded)) {
      return Effect.fail(new StageFailure({ stage: who, message: `output does not match its schema: ${String(encoded.failure)}` }))
    }
    try {
      return Effect.succeed(new TextEncoder().encode(canonicalJson(encoded.success)))
    } catch (e) {
      return Effect.fail(new StageFailure({ stage: who, message: `output is not JSON data: ${e instanceof Error ? e.message : String(e)}` }))
    }
  })

/** Decodes stored bytes through a schema; undefined when they no longer fit (treated as a miss). */
export const decodeOutput = (schema: Schema.Codec<unknown, unknown>, bytes: Uint8Array): unknown | undefined => {
  try {
    const decoded = Schema.decodeUnknownResult(schema)(JSON.parse(new TextDecoder().decode(bytes)))
    return Result.isSuccess(decoded) ? decoded.success : undefined
  } catch {
    return undefined
  }
}

const manifestOf = (fields: {
  readonly kind: "stage" | "cell"
  readonly name: string
  readonly key: string
  readonly preimage: object
  readonly digest: string
  readonly bytes: number
  readonly startedAt: Date
  readonly seconds: number
  readonly node?: string
  readonly profile?: string
  readonly label?: string
  readonly cells?: ReadonlyArray<CellRef>
}): Manifest => ({
  format: ENTRY_FORMAT,
  kind: fields.kind,
  name: fields.name,
  key: fields.key,
  ...(fields.node === undefined ? {} : { node: fields.node }),
  ...(fields.profile === undefined ? {} : { profile: fields.profile }),
  ...(fields.label === undefined ? {} : { label: fields.label }),
  preimage: fields.preimage as Record<string, unknown>,
  output: { digest: fields.digest, bytes: fields.bytes },
  ...(fields.cells === undefined ? {} : { cells: fields.cells }),
  timings: { startedAt: fields.startedAt.toISOString(), finishedAt: new Date().toISOString(), seconds: fields.seconds },
  tools: toolVersions(),
  host: hostInfo()
})

/** A Trainer for stages declaring `usesTrainer: false`: their keys omit the environment, so training there would go unkeyed. */
const forbiddenTrainer = (node: string) => {
  const refuse = () =>
    Effect.fail(new TrainFailure({ message: `node ${node} declares usesTrainer: false; train inside ctx.cell or drop the flag` }))
  return Trainer.of({ backend: "none", train: refuse, fork: refuse })
}

interface Produced {
  readonly digest: string
  readonly bytes: Uint8Array
  readonly manifestPath: string
}

export const runPipeline = Effect.fnUntraced(function*(profile: Profile, options: RunOptions) {
  const store = yield* Store
  const logger = yield* RunLogger
  const envResolver = yield* EnvResolver
  const services = yield* Effect.context<StageServices>()
  const keyer = Keyer.make(profile)
  const jobs = Math.max(1, Math.floor(options.jobs))
  // Stage bodies mostly wait on their cells, which the cell pool bounds; bounding the
  // bodies by `jobs` too would let waiting stages hold every slot while the stage on
  // the critical path (measure-wc, say) cannot start.
  const stagePool = yield* Semaphore.make(Math.max(jobs, profile.nodes.length))
  const cellPool = yield* Semaphore.make(jobs)
  const t0 = performance.now()
  const selected = selectNodes(profile, options.only)

  const done = new Map<string, Deferred.Deferred<NodeOutcome & { readonly produced?: Produced }>>()
  for (const node of selected) done.set(node.id, yield* Deferred.make<NodeOutcome & { readonly produced?: Produced }>())

  const stageInflight = new Map<string, Deferred.Deferred<void>>()
  // One in-flight computation per cell key in this process; across processes the lock file does it.
  const inflight = new Map<string, Effect.Effect<unknown, StageFailure | StoreError, StageServices>>()

  const cellFor = (node: ProfileNode, used: Map<string, CellRef>, counts: { trained: number; reused: number }) =>
    <A>(request: CellRequest<A>): Effect.Effect<A, StageFailure, StageServices> =>
      Effect.gen(function*() {
        const code = yield* keyer.hasher.digest([], request.code)
        const env = yield* envResolver.env
        const preimage = cellPreimage(request.name, code, request.key, env)
        const key = keyOf(preimage)
        used.set(key, { name: request.name, key })
        const base = { node: node.id, key, label: request.label }
        let shared = inflight.get(key)
        const first = shared === undefined
        if (shared === undefined) {
          shared = yield* Effect.cached(computeCell(request, key, preimage, base))
          inflight.set(key, shared)
        }
        const { value, trained } = (yield* shared) as { readonly value: A; readonly trained: boolean }
        // Only the requester that caused the training counts it; others in this run reused it.
        if (trained && first) counts.trained++
        else counts.reused++
        return value
      }).pipe(
        Effect.catchTag("StoreError", (e) => Effect.fail(new StageFailure({ stage: node.id, message: e.rendered, cause: e })))
      )

  const computeCell = <A>(
    request: CellRequest<A>,
    key: string,
    preimage: object,
    base: { readonly node: string; readonly key: string; readonly label: string }
  ) => {
    const tryHit = Effect.map(store.lookup("cell", request.name, key), (found) => {
      if (found._tag === "Miss") return { problem: found.problem }
      const value = decodeOutput(request.output as Schema.Codec<unknown, unknown>, found.bytes)
      return value === undefined ? { problem: `entry cell.${request.name}/${key.slice(0, 12)} no longer matches its output schema` } : { value: value as A }
    })
    return Effect.gen(function*() {
      const first = yield* tryHit
      if ("value" in first) {
        logger.event({ _tag: "CellHit", ...base })
        return { value: first.value as A, trained: false }
      }
      if (first.problem !== undefined) logger.event({ _tag: "Warning", message: `cache: ${first.problem}, recomputing` })
      return yield* store.withLock(
        key,
        Effect.gen(function*() {
          const again = yield* tryHit
          if ("value" in again) {
            logger.event({ _tag: "CellHit", ...base })
            return { value: again.value as A, trained: false }
          }
          return yield* cellPool.withPermits(1)(trainCell(request, key, preimage, base))
        }),
        (holder) => logger.event({ _tag: "Waiting", what: `cell ${base.node} ${base.label}`, holder })
      )
    })
  }

  const trainCell = <A>(
    request: CellRequest<A>,
    key: string,
    preimage: object,
    base: { readonly node: string; readonly key: string; readonly label: string }
  ) =>
    Effect.gen(function*() {
      const checkpointDir = store.checkpointDir(key)
      yield* Effect.promise(() => fs.mkdir(checkpointDir, { recursive: true }))
      logger.event({ _tag: "CellStart", ...base })
      const startedAt = new Date()
      const c0 = performance.now()
      const value = yield* request.run({
        key,
        checkpointDir,
        progress: (doneSteps, total) => logger.event({ _tag: "CellProgress", ...base, done: doneSteps, total })
      }).pipe(
        Effect.provideContext(services),
        Effect.tapError((e) => Effect.sync(() => logger.event({ _tag: "CellFailed", ...base, message: e.message })))
      )
      const bytes = yield* encodeOutput(request.output as Schema.Codec<unknown, unknown>, value, base.node)
      const digest = yield* store.putBlob(bytes)
      const seconds = elapsed(c0)
      yield* store.writeManifest(manifestOf({ kind: "cell", name: request.name, key, preimage, digest, bytes: bytes.length, startedAt, seconds, label: request.label }))
      yield* store.removeCheckpoint(key)
      logger.event({ _tag: "CellDone", ...base, seconds })
      return { value, trained: true }
    })

  const runNode = (node: ProfileNode) =>
    Effect.gen(function*() {
      const stage = node.stage.stage
      const upstream = new Map<string, NodeOutcome & { readonly produced?: Produced }>()
      for (const input of node.inputs) {
        if (input.node !== undefined) upstream.set(input.name, yield* Deferred.await(done.get(input.node)!))
      }
      const noCells = { trained: 0, reused: 0 }
      const blocked = [...upstream.entries()].filter(([, o]) => o.status === "failed" || o.status === "skipped")
      if (blocked.length > 0) {
        const because = `${blocked.map(([, o]) => o.id).join(", ")} ${blocked.some(([, o]) => o.status === "failed") ? "failed" : "skipped"}`
        logger.event({ _tag: "StageSkipped", node: node.id, because })
        return { id: node.id, status: "skipped", seconds: 0, cells: noCells, message: because } satisfies NodeOutcome
      }
      const n0 = performance.now()
      const inputs: Record<string, string | null> = {}
      for (const input of node.inputs) inputs[input.name] = input.node === undefined ? null : upstream.get(input.name)!.outputDigest!
      const preimage: StagePreimage = yield* keyer.preimage(node, inputs)
      const key = keyOf(preimage)

      const hit = (found: { readonly manifest: Manifest; readonly bytes: Uint8Array; readonly manifestPath: string }) =>
        Effect.gen(function*() {
          yield* store.writeRef(profile.name, node.id, { key, stage: stage.name, at: new Date().toISOString() })
          const seconds = elapsed(n0)
          logger.event({ _tag: "StageHit", node: node.id, seconds })
          return {
            id: node.id,
            status: "hit",
            seconds,
            key,
            outputDigest: found.manifest.output.digest,
            manifestPath: found.manifestPath,
            cells: noCells,
            produced: { digest: found.manifest.output.digest, bytes: found.bytes, manifestPath: found.manifestPath }
          } as const
        })

      const first = yield* store.lookup("stage", stage.name, key)
      if (first._tag === "Hit") return yield* hit(first)
      if (first.problem !== undefined) logger.event({ _tag: "Warning", message: `cache: ${first.problem}, recomputing` })

      // Two nodes of this run with one key (same stage, config and input bytes):
      // the second waits for the first in memory instead of polling its lock.
      const sibling = stageInflight.get(key)
      if (sibling !== undefined) {
        yield* Deferred.await(sibling)
        const after = yield* store.lookup("stage", stage.name, key)
        if (after._tag === "Hit") return yield* hit(after)
      }
      const mine = yield* Deferred.make<void>()
      stageInflight.set(key, mine)
      return yield* store.withLock(
        key,
        Effect.gen(function*() {
          const again = yield* store.lookup("stage", stage.name, key)
          if (again._tag === "Hit") return yield* hit(again)
          return yield* stagePool.withPermits(1)(execute(node, key, preimage, upstream, n0))
        }),
        (holder) => logger.event({ _tag: "Waiting", what: `stage ${node.id}`, holder })
      ).pipe(Effect.ensuring(Deferred.succeed(mine, undefined)))
    })

  const execute = (
    node: ProfileNode,
    key: string,
    preimage: StagePreimage,
    upstream: ReadonlyMap<string, NodeOutcome & { readonly produced?: Produced }>,
    n0: number
  ) =>
    Effect.gen(function*() {
      const stage = node.stage.stage
      const used = new Map<string, CellRef>()
      const counts = { trained: 0, reused: 0 }
      logger.event({ _tag: "StageStart", node: node.id })
      const startedAt = new Date()
      const inputValues: Record<string, unknown> = {}
      for (const input of node.inputs) {
        if (input.node === undefined) {
          inputValues[input.name] = undefined
          continue
        }
        const produced = upstream.get(input.name)!.produced!
        const upstreamStage = profileNodeStage(input.node)
        const value = decodeOutput(upstreamStage.output as Schema.Codec<unknown, unknown>, produced.bytes)
        if (value === undefined) {
          return yield* Effect.fail(new StageFailure({ stage: node.id, message: `input ${input.name}: stored output of ${input.node} does not match its output schema (bump its version)` }))
        }
        inputValues[input.name] = value
      }
      const ctx: StageContext = {
        node: node.id,
        env: stage.usesTrainer === false ? {} : yield* envResolver.env,
        cell: cellFor(node, used, counts),
        log: (message) => Effect.sync(() => logger.event({ _tag: "Log", node: node.id, message }))
      }
      let body = stage.run(node.config as never, inputValues as never, ctx)
      if (stage.usesTrainer === false) body = Effect.provideService(body, Trainer, forbiddenTrainer(node.id))
      const value = yield* Effect.provideContext(body, services)
      const bytes = yield* encodeOutput(stage.output as Schema.Codec<unknown, unknown>, value, node.id)
      const digest = yield* store.putBlob(bytes)
      const seconds = elapsed(n0)
      const manifestPath = yield* store.writeManifest(manifestOf({
        kind: "stage",
        name: stage.name,
        key,
        preimage,
        digest,
        bytes: bytes.length,
        startedAt,
        seconds,
        node: node.id,
        profile: profile.name,
        cells: [...used.values()]
      }))
      yield* store.writeRef(profile.name, node.id, { key, stage: stage.name, at: new Date().toISOString() })
      logger.event({ _tag: "StageDone", node: node.id, seconds, cells: { ...counts } })
      return {
        id: node.id,
        status: "ran",
        seconds,
        key,
        outputDigest: digest,
        manifestPath,
        cells: { ...counts },
        produced: { digest, bytes, manifestPath }
      } as const
    }).pipe(
      Effect.catchCause((cause) => {
        if (Cause.hasInterruptsOnly(cause)) return Effect.failCause(cause)
        const message = messageOf(cause)
        const seconds = elapsed(n0)
        logger.event({ _tag: "StageFailed", node: node.id, seconds, message })
        return Effect.succeed({ id: node.id, status: "failed", seconds, key, cells: { trained: 0, reused: 0 }, message } satisfies NodeOutcome)
      })
    )

  const profileNodeStage = (id: string) => profile.byId.get(id)!.stage.stage

  const outcomes = yield* Effect.forEach(
    selected,
    (node) =>
      runNode(node).pipe(
        // Store errors while keying or looking up (unreadable cache) fail this node only.
        Effect.catchCause((cause) => {
          if (Cause.hasInterruptsOnly(cause)) return Effect.failCause(cause)
          const message = messageOf(cause)
          logger.event({ _tag: "StageFailed", node: node.id, seconds: 0, message })
          return Effect.succeed({ id: node.id, status: "failed", seconds: 0, cells: { trained: 0, reused: 0 }, message } satisfies NodeOutcome)
        }),
        Effect.tap((outcome) => Deferred.succeed(done.get(node.id)!, outcome)),
        Effect.onExit((exit) => (Exit.isFailure(exit) ? Deferred.interrupt(done.get(node.id)!) : Effect.void))
      ),
    { concurrency: "unbounded" }
  )
  const count = (s: OutcomeStatus) => outcomes.filter((o) => o.status === s).length
  const summary: RunSummary = {
    outcomes: outcomes.map(({ produced: _produced, ...o }: NodeOutcome & { readonly produced?: Produced }) => o),
    ran: count("ran"),
    reused: count("hit"),
    failed: count("failed"),
    skipped: count("skipped"),
    cellsTrained: outcomes.reduce((a, o) => a + o.cells.trained, 0),
    cellsReused: outcomes.reduce((a, o) => a + o.cells.reused, 0),
    seconds: elapsed(t0)
  }
  return summary
})

