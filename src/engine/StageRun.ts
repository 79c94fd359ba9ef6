/**
 * One node of a run: wait for its inputs, key it from the upstream OUTPUT digests
 * actually produced (early cutoff), then produce it through the single-flight
 * path — a hit is reused, a miss runs the stage body with a `ctx` whose cells go
 * to the Executor — and record the node's ref for `status --explain`.
 *
 * A stage failure is a value (an outcome), never a crash of the scheduler.
 */
import { Cause, Deferred, Effect, Result } from "effect"
import { cellsFor, newLedger } from "./Cells.ts"
import type { CellDeps } from "./Cells.ts"
import { EnvResolver } from "./Env.ts"
import type { StoreError } from "./Errors.ts"
import { keyOf } from "./Key.ts"
import type { StagePreimage } from "./Key.ts"
import type { CellCounts } from "./Logger.ts"
import { manifestOf } from "./Manifest.ts"
import type { Manifest } from "./Manifest.ts"
import { decodeOutput, encodeOutput } from "./OutputCodec.ts"
import type { Profile, ProfileNode } from "./Profile.ts"
import type { StageContext } from "./StageContext.ts"
import { StageFailure } from "./StageFailure.ts"

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

/** An outcome plus the bytes downstream nodes decode (kept in memory for the run only). */
export interface Produced extends NodeOutcome {
  readonly bytes?: Uint8Array
}

interface Stored {
  readonly manifest: Manifest
  readonly bytes: Uint8Array
  readonly manifestPath: string
}

const noCells: CellCounts = { trained: 0, reused: 0 }
const elapsed = (t0: number) => (performance.now() - t0) / 1000

/** The message of a failure or defect, one line where possible (defects keep a few stack frames). */
export const messageOf = (cause: Cause.Cause<unknown>): string => {
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

export const runNode = (
  deps: CellDeps,
  profile: Profile,
  node: ProfileNode,
  done: ReadonlyMap<string, Deferred.Deferred<Produced>>
): Effect.Effect<Produced, StoreError> =>
  Effect.gen(function*() {
    const { store, logger, keyer } = deps
    const stage = node.stage.stage
    const upstream = new Map<string, Produced>()
    for (const input of node.inputs) {
      if (input.node !== undefined) upstream.set(input.name, yield* Deferred.await(done.get(input.node)!))
    }
    const blocked = [...upstream.values()].filter((o) => o.status === "failed" || o.status === "skipped")
    if (blocked.length > 0) {
      const because = `${blocked.map((o) => o.id).join(", ")} ${blocked.some((o) => o.status === "failed") ? "failed" : "skipped"}`
      logger.event({ _tag: "StageSkipped", node: node.id, because })
      return { id: node.id, status: "skipped", seconds: 0, cells: noCells, message: because }
    }
    const n0 = performance.now()
    const inputs: Record<string, string | null> = {}
    for (const input of node.inputs) inputs[input.name] = input.node === undefined ? null : upstream.get(input.name)!.outputDigest!
    const preimage: StagePreimage = yield* Effect.provideService(keyer.preimage(node, inputs), EnvResolver, deps.env)
    const key = keyOf(preimage)
    const ledger = newLedger()

    const execute = Effect.gen(function*() {
      logger.event({ _tag: "StageStart", node: node.id })
      const startedAt = new Date()
      const inputValues: Record<string, unknown> = {}
      for (const input of node.inputs) {
        if (input.node === undefined) {
          inputValues[input.name] = undefined
          continue
        }
        const value = decodeOutput(profile.byId.get(input.node)!.stage.stage.output, upstream.get(input.name)!.bytes!)
        if (value === undefined) {
          return yield* Effect.fail(new StageFailure({ stage: node.id, message: `input ${input.name}: stored output of ${input.node} does not match its output schema (bump its version)` }))
        }
        inputValues[input.name] = value
      }
      const ctx: StageContext = {
        node: node.id,
        env: (stage.cells ?? []).length === 0 ? {} : yield* deps.env.env,
        cell: cellsFor(deps, node, ledger),
        log: (message) => Effect.sync(() => logger.event({ _tag: "Log", node: node.id, message })),
        splitCells: deps.splitCells
      }
      const value = yield* stage.run(node.config as never, inputValues as never, ctx)
      const bytes = yield* encodeOutput(stage.output, value, node.id)
      const digest = yield* store.putBlob(bytes)
      const manifest = manifestOf({
        kind: "stage",
        name: stage.name,
        key,
        preimage,
        digest,
        bytes: bytes.length,
        startedAt,
        seconds: elapsed(n0),
        node: node.id,
        profile: profile.name,
        cells: [...ledger.used.values()]
      })
      const manifestPath = yield* store.writeManifest(manifest)
      return { manifest, bytes, manifestPath } satisfies Stored
    })

    const attempt = yield* deps.flight<Stored, StageFailure>({
      key,
      lookup: Effect.map(store.lookup("stage", stage.name, key), (found) =>
        found._tag === "Hit"
          ? { _tag: "Found", value: found }
          : found.problem === undefined ? { _tag: "Missing" } : { _tag: "Missing", problem: found.problem }),
      compute: execute,
      onProblem: (problem) => logger.event({ _tag: "Warning", message: `cache: ${problem}, recomputing` }),
      onWait: (holder) => logger.event({ _tag: "Waiting", what: `stage ${node.id}`, holder }),
      force: deps.forced.has(node.id)
    }).pipe(
      Effect.map((landed) => ({ _tag: "Landed" as const, ...landed })),
      Effect.catchCause((cause) =>
        // Only an interruption propagates; every failure becomes the node's outcome.
        Cause.hasInterruptsOnly(cause) ? Effect.failCause(cause as Cause.Cause<never>) : Effect.succeed({ _tag: "Failed" as const, message: messageOf(cause) })
      )
    )
    const seconds = elapsed(n0)
    if (attempt._tag === "Failed") {
      logger.event({ _tag: "StageFailed", node: node.id, seconds, message: attempt.message })
      return { id: node.id, status: "failed", seconds, key, cells: noCells, message: attempt.message }
    }
    const landed = attempt
    const { manifest, bytes, manifestPath } = landed.value
    yield* store.writeRef(profile.name, node.id, { key, stage: stage.name, at: new Date().toISOString(), run: deps.runId, sets: profile.overrides })
    const ran = landed.computed && !landed.shared
    const cells = { trained: ledger.trained, reused: ledger.reused }
    if (ran) logger.event({ _tag: "StageDone", node: node.id, seconds, cells })
    else logger.event({ _tag: "StageHit", node: node.id, seconds })
    return {
      id: node.id,
      status: ran ? "ran" : "hit",
      seconds,
      key,
      outputDigest: manifest.output.digest,
      manifestPath,
      cells: ran ? cells : noCells,
      bytes
    }
  })
