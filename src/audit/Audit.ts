/**
 * The re-execution audit: N training units drawn at random from a lock, retrained
 * here, and compared byte for byte with the stored outputs. A unit is one cell of
 * one seed (a seed shard of `run --split-seeds`, src/train/shards.ts), small enough
 * for CI. The draw is seeded and the seed printed, so a failure replays exactly.
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
import { canonicalJson } from "../engine/Canonical.ts"
import { codeChanges, envChanges } from "../engine/Explain.ts"
import { cellPreimage } from "../engine/Key.ts"
import { decodeJson, encodeOutput } from "../engine/OutputCodec.ts"
import { firstDifference } from "./firstDifference.ts"

export interface AuditUnit {
  readonly entry: LockEntry
  readonly payload: unknown
}

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

/** The lock's single-seed cells, with their payloads from the stored manifests. */
export const auditUnits = Effect.fnUntraced(function*(lock: ProfileLock) {
  const store = yield* Store
  const units: Array<AuditUnit> = []
  const missing: Array<string> = []
  for (const entry of lock.entries) {
    if (entry.type !== "cell") continue
    const m = yield* store.readManifest("cell", entry.name, entry.key)
    if (m === undefined) {
      missing.push(entry.label ?? entry.key.slice(0, 12))
      continue
    }
    if (isUnit(m.preimage.key)) units.push({ entry, payload: m.preimage.key })
  }
  if (missing.length > 0 && units.length === 0) {
    return yield* new AuditError({ message: `audit: ${missing.length} locked cells are not in the store ${store.root} (grokflow pull --profile ${lock.header.profile})` })
  }
  return units
})

/** N distinct units, drawn with `seed`. */
export const drawUnits = (units: ReadonlyArray<AuditUnit>, n: number, seed: number): ReadonlyArray<AuditUnit> => {
  const pool = [...units].sort((a, b) => (a.entry.key < b.entry.key ? -1 : 1))
  const rng = createRng(seed)
  const out: Array<AuditUnit> = []
  while (out.length < n && pool.length > 0) out.push(pool.splice(randomIndex(rng, pool.length), 1)[0]!)
  return out
}

export const newAuditSeed = (): number => randomInt(0, 2 ** 31 - 1)

/** Retrains one unit and compares its bytes with the stored output the lock names. */
export const auditUnit = Effect.fnUntraced(function*(profile: Profile, unit: AuditUnit, keyer: Keyer) {
  const store = yield* Store
  const executor = yield* Executor
  const env = yield* (yield* EnvResolver).env
  const kind = cellKindsOf(profile).get(unit.entry.name)
  if (kind === undefined) return yield* new AuditError({ message: `audit: no stage of ${profile.name} declares cell kind "${unit.entry.name}"` })
  const code = yield* keyer.cellCode(kind)
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
  const dir = yield* Effect.promise(() => fs.mkdtemp(path.join(os.tmpdir(), "grokflow-audit-")))
  const t0 = performance.now()
  const data = yield* executor.run(
    { kind: kind.name, key, payload: JSON.parse(canonicalJson(unit.payload)), label: `audit ${unit.entry.label ?? ""}` },
    { checkpointDir: dir, progress: () => undefined }
  ).pipe(
    Effect.mapError((e) => new AuditError({ message: `audit: retraining ${unit.entry.label ?? unit.entry.key.slice(0, 12)} failed: ${e.message}` })),
    Effect.ensuring(Effect.promise(() => fs.rm(dir, { recursive: true, force: true })))
  )
  const seconds = (performance.now() - t0) / 1000
  // A declared kind is a full CellKind at run time; the engine's AnyCellKind only names what keys need.
  const schema = (kind as unknown as { readonly output: Schema.Codec<unknown, unknown> }).output
  const value = decodeJson(schema, data)
  const bytes = value === undefined ? new Uint8Array() : yield* Effect.orDie(encodeOutput(schema, value, "audit"))
  if (Buffer.from(bytes).equals(Buffer.from(stored.bytes))) {
    return (keyMoved.length === 0 ? { _tag: "Match", unit, seconds } : { _tag: "KeyMoved", unit, seconds, reasons: keyMoved }) satisfies UnitVerdict
  }
  const parse = (b: Uint8Array): unknown => {
    try {
      return JSON.parse(Buffer.from(b).toString("utf8"))
    } catch {
      return Buffer.from(b).toString("utf8")
    }
  }
  const d = value === undefined
    ? { path: "(the whole output)", stored: "a valid output", retrained: "an output that does not match the schema" }
    : firstDifference(parse(stored.bytes), parse(bytes)) ?? { path: "(byte order)", stored: "", retrained: "" }
  return { _tag: "Mismatch", unit, seconds, field: d.path, stored: d.stored, retrained: d.retrained, keyMoved } satisfies UnitVerdict
})
