/**
 * The re-execution audit: N training units drawn at random from a lock, retrained
 * here, and compared byte for byte with the stored outputs. A unit is one cell of
 * one seed (a seed shard of `run --split-seeds`, src/train/shards.ts), small enough
 * for CI. A lock made without --split-seeds has whole cells only: a unit is then
 * seed i of one, retrained as its shard would have been (to the step the whole cell
 * kept it training, shards.ts), and compared with the bytes of seeds[i]. The draw is seeded and the seed printed, so a failure replays exactly.
 * Nothing is written to the store: an audit checks a release, it never amends it.
 */
import { randomInt } from "node:crypto"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { Effect, Schema } from "effect"
import { createRng, randomIndex } from "../analysis/rng.ts"
import { cellKindsOf, EnvResolver, Executor, Keyer, keyOf, KEY_FORMAT, Store } from "../engine/index.ts"
import type { LockEntry, Profile, ProfileLock } from "../engine/index.ts"
import { canonicalJson, toJson } from "../engine/Canonical.ts"
import { codeChanges, envChanges } from "../engine/Explain.ts"
import { cellPreimage } from "../engine/Key.ts"
import { decodeJson, encodeOutput } from "../engine/OutputCodec.ts"
import { isTrainingKind, trainingKinds, trainKind } from "../cells/cellKinds.ts"
import type { CellResult, CellSpec } from "../train/CellSpec.ts"
import { needsExtension, seedShard } from "../train/shards.ts"
import { firstDifference } from "./firstDifference.ts"

export interface AuditUnit {
  readonly entry: LockEntry
  /** The locked cell's payload (what its key hashes). */
  readonly payload: unknown
  /** For seed i of a whole cell: i. */
  readonly seedOf?: number
}

const unitName = (u: AuditUnit) => `${u.entry.label ?? u.entry.key.slice(0, 12)}${u.seedOf === undefined ? "" : ` seed ${u.seedOf}`}`

export type UnitVerdict =
  | { readonly _tag: "Match"; readonly unit: AuditUnit; readonly seconds: number }
  | { readonly _tag: "Mismatch"; readonly unit: AuditUnit; readonly seconds: number; readonly field: string; readonly stored: string; readonly retrained: string; readonly keyMoved: ReadonlyArray<string> }
  | { readonly _tag: "KeyMoved"; readonly unit: AuditUnit; readonly seconds: number; readonly reasons: ReadonlyArray<string> }

export class AuditError extends Schema.TaggedError<AuditError>()("AuditError", { message: Schema.String }) {
  get exitCode(): number {
    return 1
  }
  get rendered(): string {
    return this.message
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v)

/** A cell of one seed: what the audit may retrain. */
const isUnit = (payload: unknown): boolean => isRecord(payload) && payload.seeds === 1

/** A whole training cell (several seeds, not itself a shard). */
const isWholeTrain = (name: string, payload: unknown): payload is CellSpec =>
  name === trainKind.name && isRecord(payload) && typeof payload.seeds === "number" && payload.seeds > 1 && payload.firstSeed === undefined

/** The lock's single-seed cells (else each seed of its whole training cells), with payloads from the stored manifests. */
export const auditUnits = Effect.fnUntraced(function*(lock: ProfileLock) {
  const store = yield* Store
  const units: Array<AuditUnit> = []
  const wholeSeeds: Array<AuditUnit> = []
  const missing: Array<string> = []
  for (const entry of lock.entries) {
    if (entry.type !== "cell") continue
    const m = yield* store.readManifest("cell", entry.name, entry.key)
    if (m === undefined) {
      missing.push(entry.label ?? entry.key.slice(0, 12))
      continue
    }
    if (isUnit(m.preimage.key)) units.push({ entry, payload: m.preimage.key })
    else if (isWholeTrain(entry.name, m.preimage.key)) {
      for (let i = 0; i < m.preimage.key.seeds; i++) wholeSeeds.push({ entry, payload: m.preimage.key, seedOf: i })
    }
  }
  if (units.length === 0) units.push(...wholeSeeds)
  if (missing.length > 0 && units.length === 0) {
    return yield* new AuditError({ message: `audit: ${missing.length} locked cells are not in the store ${store.location} (grokflow pull --profile ${lock.header.profile})` })
  }
  return units
})

/** N distinct units, drawn with `seed`. */
export const drawUnits = (units: ReadonlyArray<AuditUnit>, n: number, seed: number): ReadonlyArray<AuditUnit> => {
  const order = (u: AuditUnit) => `${u.entry.key}:${String(u.seedOf ?? 0).padStart(6, "0")}`
  const pool = [...units].sort((a, b) => (order(a) < order(b) ? -1 : 1))
  const rng = createRng(seed)
  const out: Array<AuditUnit> = []
  while (out.length < n && pool.length > 0) out.push(pool.splice(randomIndex(rng, pool.length), 1)[0]!)
  return out
}

export const newAuditSeed = (): number => randomInt(0, 2 ** 31 - 1)

/**
 * Seed i of a whole cell as a shard: to the step the whole cell kept it training.
 * A finished seed trained on to its stepsTrained (the freeze step, or its own
 * finish if later); an unfinished one to the budget, as alone.
 */
const shardOfWhole = (spec: CellSpec, i: number, stored: unknown): CellSpec => {
  const seed = (stored as Partial<CellResult>).seeds?.[i]
  // needsExtension with an unbounded freeze step asks only "did this seed finish under the stopping rule?"
  return seed !== undefined && needsExtension(spec, seed, Number.POSITIVE_INFINITY) ? seedShard(spec, i, seed.stepsTrained) : seedShard(spec, i)
}

/** The canonical bytes of seeds[i] of a cell result, with the cell's backend. */
const seedPart = (value: unknown, i: number): Uint8Array => {
  const cell = value as Partial<CellResult>
  return new TextEncoder().encode(canonicalJson({ backend: cell.backend ?? null, seed: cell.seeds?.[i] ?? null }))
}

/** Retrains one unit and compares its bytes with the stored output the lock names. */
export const auditUnit = Effect.fnUntraced(function*(profile: Profile, unit: AuditUnit, keyer: Keyer) {
  const store = yield* Store
  const executor = yield* Executor
  const env = yield* (yield* EnvResolver).env
  const kind = cellKindsOf(profile).get(unit.entry.name)
  if (kind === undefined) return yield* new AuditError({ message: `audit: no stage of ${profile.name} declares cell kind "${unit.entry.name}"` })
  if (!isTrainingKind(kind.name)) return yield* new AuditError({ message: `audit: retrains training cells only, not a "${kind.name}" cell` })
  const code = yield* keyer.payloadCode(kind, toJson(unit.payload))
  const key = keyOf(cellPreimage(kind.name, code, unit.payload, env))
  const manifest = yield* store.readManifest("cell", unit.entry.name, unit.entry.key)
  const keyMoved = key === unit.entry.key
    ? []
    : [
      ...(manifest?.preimage.keyFormat === KEY_FORMAT ? [] : [`keyFormat ${String(manifest?.preimage.keyFormat)} → ${KEY_FORMAT}`]),
      ...codeChanges(manifest?.preimage.code, code),
      ...envChanges(manifest?.preimage.env, env)
    ]
  const stored = yield* store.lookup("cell", unit.entry.name, unit.entry.key)
  if (stored._tag === "Miss") {
    return yield* new AuditError({ message: `audit: ${unit.entry.label ?? unit.entry.key.slice(0, 12)}: ${stored.problem ?? "not in the store"} (grokflow pull --profile ${profile.name})` })
  }
  const parse = (b: Uint8Array): unknown => {
    try {
      return JSON.parse(Buffer.from(b).toString("utf8"))
    } catch {
      return Buffer.from(b).toString("utf8")
    }
  }
  const storedValue = parse(stored.bytes)
  const payload = unit.seedOf === undefined ? unit.payload : shardOfWhole(unit.payload as CellSpec, unit.seedOf, storedValue)
  const dir = yield* Effect.promise(() => fs.mkdtemp(path.join(os.tmpdir(), "grokflow-audit-")))
  const t0 = performance.now()
  const data = yield* executor.run(
    { kind: kind.name, key: unit.seedOf === undefined ? key : keyOf(cellPreimage(kind.name, code, payload, env)), payload: JSON.parse(canonicalJson(payload)), label: `audit ${unitName(unit)}` },
    { checkpointDir: dir, progress: () => undefined }
  ).pipe(
    Effect.mapError((e) => new AuditError({ message: `audit: retraining ${unitName(unit)} failed: ${e.message}` })),
    Effect.ensuring(Effect.promise(() => fs.rm(dir, { recursive: true, force: true })))
  )
  const seconds = (performance.now() - t0) / 1000
  const schema = trainingKinds[kind.name].output
  const value = decodeJson(schema, data)
  const bytes = value === undefined ? new Uint8Array() : yield* Effect.orDie(encodeOutput(schema, value, "audit"))
  // Seed i of a whole cell is compared as the bytes of its part of the stored cell.
  const ours = unit.seedOf === undefined ? stored.bytes : seedPart(storedValue, unit.seedOf)
  const theirs = unit.seedOf === undefined ? bytes : seedPart(parse(bytes), 0)
  if (Buffer.from(theirs).equals(Buffer.from(ours))) {
    return (keyMoved.length === 0 ? { _tag: "Match", unit, seconds } : { _tag: "KeyMoved", unit, seconds, reasons: keyMoved }) satisfies UnitVerdict
  }
  const d = value === undefined
    ? { path: "(the whole output)", stored: "a valid output", retrained: "an output that does not match the schema" }
    : firstDifference(parse(ours), parse(theirs)) ?? { path: "(byte order)", stored: "", retrained: "" }
  return { _tag: "Mismatch", unit, seconds, field: d.path, stored: d.stored, retrained: d.retrained, keyMoved } satisfies UnitVerdict
})
