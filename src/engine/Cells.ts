/**
 * `ctx.cell`: one cell of a declared kind, keyed by {kind, the kind's code
 * closure, payload, env}, produced through the single-flight path and handed, on
 * a miss, to the Executor (or computed in place for an inline kind). The output
 * comes back as JSON data, is decoded through the kind's schema and stored like
 * any other output, so a cell computed on another machine is indistinguishable
 * from one computed here.
 */
import * as fs from "node:fs/promises"
import { Effect, Schema } from "effect"
import type { Semaphore } from "effect"
import type { CellKind } from "./CellKind.ts"
import { declaresVariant, variantOf } from "./CellKind.ts"
import { toJson } from "./Canonical.ts"
import type { Json } from "./Canonical.ts"
import type { EnvResolver } from "./Env.ts"
import type { Executor, UnitHooks } from "./Executor.ts"
import { cellPreimage, keyOf } from "./Key.ts"
import type { RunLogger } from "./Logger.ts"
import { manifestOf } from "./Manifest.ts"
import type { CellRef } from "./Manifest.ts"
import { decodeJson, decodeOutput, encodeOutput } from "./OutputCodec.ts"
import type { Keyer } from "./Plan.ts"
import type { ProfileNode } from "./Profile.ts"
import type { SingleFlight } from "./SingleFlight.ts"
import { StageFailure } from "./StageFailure.ts"
import type { Store } from "./Store.ts"

export interface CellDeps {
  readonly store: Store["Service"]
  readonly logger: RunLogger["Service"]
  readonly env: EnvResolver["Service"]
  readonly executor: Executor["Service"]
  readonly keyer: Keyer
  readonly flight: SingleFlight
  readonly pool: Semaphore.Semaphore
  readonly splitCells: boolean
  /** This run's id (its start time), recorded in every ref it writes (`grokflow runs`). */
  readonly runId: string
  /** Nodes whose stage and cells are recomputed even when stored (`run --force`). */
  readonly forced: ReadonlySet<string>
}

/** What one stage execution's cells did: reported per stage, recorded for `cache gc`. */
export interface CellLedger {
  readonly used: Map<string, CellRef>
  trained: number
  reused: number
}

export const newLedger = (): CellLedger => ({ used: new Map(), trained: 0, reused: 0 })

const asCodec = (schema: unknown) => schema as Schema.Codec<unknown, unknown>

export const cellsFor = (deps: CellDeps, node: ProfileNode, ledger: CellLedger) =>
<P, A>(kind: CellKind<P, A>, payload: P, label: string): Effect.Effect<A, StageFailure> =>
  Effect.gen(function*() {
    const fail = (message: string) => new StageFailure({ stage: node.id, message: `${label}: ${message}` })
    const declared = (node.stage.stage.cells ?? []).find((k) => k.name === kind.name)
    if (declared === undefined) {
      return yield* Effect.fail(fail(`cell kind "${kind.name}" is not declared in the stage's \`cells\`, so its code would not join the stage's key`))
    }
    const encoded = Schema.encodeUnknownResult(asCodec(kind.payload))(payload)
    if (encoded._tag === "Failure") return yield* Effect.fail(fail(`payload does not match its schema: ${String(encoded.failure)}`))
    const payloadJson = toJson(encoded.success)
    if (!declaresVariant(declared, kind, payloadJson)) {
      const variants = Object.keys(declared.variants?.code ?? {}).join(", ")
      return yield* Effect.fail(fail(`a "${kind.name}" cell of variant "${variantOf(kind, payloadJson) ?? "unknown"}", but the stage's \`cells\` declare only ${variants}, so its code would not join the stage's key`))
    }
    const code = yield* deps.keyer.payloadCode(kind, payloadJson)
    const preimage = cellPreimage(kind.name, code, payloadJson, yield* deps.env.env)
    const key = keyOf(preimage)
    ledger.used.set(key, { name: kind.name, key })
    const base = { node: node.id, key, label }
    const forced = deps.forced.has(node.id)
    const landed = yield* deps.flight<A, StageFailure>({
      key,
      lookup: Effect.map(deps.store.lookup("cell", kind.name, key), (found) => {
        if (found._tag === "Miss") return found.problem === undefined ? { _tag: "Missing" } : { _tag: "Missing", problem: found.problem }
        const value = decodeOutput(asCodec(kind.output), found.bytes)
        if (value === undefined) return { _tag: "Missing", problem: `entry cell.${kind.name}/${key.slice(0, 12)} no longer matches its output schema` }
        deps.logger.event({ _tag: "CellHit", ...base })
        return { _tag: "Found", value: value as A }
      }),
      // Inline cells are cheap and may themselves request cells (seed shards): they
      // hold no slot of the pool, which bounds the executor's units only.
      compute: kind.inline !== undefined
        ? compute(deps, kind, payload, payloadJson, preimage, base, forced)
        : deps.pool.withPermits(1)(compute(deps, kind, payload, payloadJson, preimage, base, forced)),
      onProblem: (problem) => deps.logger.event({ _tag: "Warning", message: `cache: ${problem}, recomputing` }),
      onWait: (holder) => deps.logger.event({ _tag: "Waiting", what: `cell ${node.id} ${label}`, holder }),
      force: forced
    })
    // Only the requester that caused the computation counts it; others reused it.
    if (landed.computed && !landed.shared) ledger.trained++
    else ledger.reused++
    return landed.value
  }).pipe(Effect.catchTag("StoreError", (e) => Effect.fail(new StageFailure({ stage: node.id, message: e.rendered, cause: e }))))

const compute = <P, A>(
  deps: CellDeps,
  kind: CellKind<P, A>,
  payload: P,
  payloadJson: Json,
  preimage: object,
  base: { readonly node: string; readonly key: string; readonly label: string },
  forced: boolean
) =>
  Effect.gen(function*() {
    const checkpointDir = yield* deps.store.checkpointDir(base.key)
    // A forced cell starts from step 0, not from an interrupted run's checkpoint.
    if (forced) yield* deps.store.removeCheckpoint(base.key)
    yield* Effect.promise(() => fs.mkdir(checkpointDir, { recursive: true }))
    deps.logger.event({ _tag: "CellStart", ...base, ...(kind.inline !== undefined ? { composite: true } : {}) })
    const startedAt = new Date()
    const c0 = performance.now()
    const hooks: UnitHooks = {
      checkpointDir,
      progress: (done, total, tally) => deps.logger.event({ _tag: "CellProgress", ...base, done, total, ...(tally === undefined ? {} : { tally }) })
    }
    const fail = (message: string) => new StageFailure({ stage: base.node, message: `${base.label}: ${message}` })
    const value: A = kind.inline !== undefined
      ? yield* kind.inline(payload, hooks)
      : yield* deps.executor.run({ kind: kind.name, key: base.key, payload: payloadJson, label: base.label, ...(forced ? { fresh: true } : {}) }, hooks).pipe(
        Effect.mapError((e) => fail(e.message)),
        Effect.flatMap((data) => {
          const decoded = decodeJson(asCodec(kind.output), data)
          return decoded === undefined
            ? Effect.fail(fail(`the ${deps.executor.name} executor returned an output that does not match the "${kind.name}" schema`))
            : Effect.succeed(decoded as A)
        })
      )
    const bytes = yield* encodeOutput(asCodec(kind.output), value, base.node)
    const digest = yield* deps.store.putBlob(bytes)
    const seconds = (performance.now() - c0) / 1000
    yield* deps.store.writeManifest(
      manifestOf({ kind: "cell", name: kind.name, key: base.key, preimage, digest, bytes: bytes.length, startedAt, seconds, label: base.label })
    )
    yield* deps.store.removeCheckpoint(base.key)
    deps.logger.event({ _tag: "CellDone", ...base, seconds })
    return value
  }).pipe(Effect.tapError((e) => Effect.sync(() => deps.logger.event({ _tag: "CellFailed", ...base, message: e.message }))))
