/**
 * Does the working tree reproduce a lock, and if not, why? For a stage node the
 * plan's key is compared with the locked key; for a locked cell the key is
 * recomputed from its stored payload under today's code and environment. Every
 * difference is named as explain names it: the field, the file or the
 * environment ("numerics wasm simd float32 → wasm simd+openblas:SkylakeX float32").
 * Without a lock entry for a node, the reasons are those against its last run
 * (Explain.ts): never ran, or what changed since.
 */
import { Effect } from "effect"
import type { AnyCellKind } from "./CellKind.ts"
import { hashValue, toJson } from "./Canonical.ts"
import { EnvResolver } from "./Env.ts"
import { codeChanges, diffPreimages, envChanges, explainPlan } from "./Explain.ts"
import { cellPreimage, KEY_FORMAT, keyOf } from "./Key.ts"
import type { CodeDigest, Env } from "./Key.ts"
import { Keyer } from "./Plan.ts"
import type { Plan, PlannedNode } from "./Plan.ts"
import { displayPath } from "./Profile.ts"
import type { Profile } from "./Profile.ts"
import { describeNumerics } from "./ProfileLock.ts"
import type { LockEntry, ProfileLock } from "./ProfileLock.ts"
import { Store } from "./Store.ts"

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v)

/** The numerics phrase, when the environment moved. */
const numericsChange = (before: unknown, after: Env): Array<string> => {
  const b = describeNumerics(isRecord(before) ? (before as Env) : {})
  const a = describeNumerics(after)
  return b === a ? [] : [`numerics ${b} → ${a}`]
}

/** Env fields the numerics phrase already names. */
const inNumerics = (phrase: string) => /^env\.(backend|detail|precision) /.test(phrase)

/** The numerics phrase first, then the other differences (the numerics' own fields once). */
const withNumerics = (before: unknown, after: Env, phrases: ReadonlyArray<string>): Array<string> => {
  const numerics = numericsChange(before, after)
  return [...numerics, ...(numerics.length === 0 ? phrases : phrases.filter((p) => !inNumerics(p)))]
}

/** What differs between a locked entry and what the tree would key today, without the locked manifest. */
const againstLockOnly = (entry: LockEntry, code: CodeDigest, env: Env): Array<string> => [
  ...withNumerics(entry.env, env, envChanges(entry.env, env)),
  ...(hashValue(code) === entry.code ? [] : ["code differs from the lock's (the locked entry is not in this store to name the files: grokflow pull)"])
]

export interface NodeDrift {
  readonly id: string
  readonly status: PlannedNode["status"]
  /** The lock's entry for the node, when the lock has one. */
  readonly locked?: LockEntry
  /** true when the node's key today is the locked key. */
  readonly matchesLock: boolean
  /** Why the node is not fresh (empty for a fresh node): against the lock when it holds the node, else against the last run. */
  readonly reasons: ReadonlyArray<string>
  /** What moved the key away from the locked one (empty when it matches, when there is no entry, or while pending). */
  readonly lockReasons: ReadonlyArray<string>
}

/** Per node: whether it matches the lock, and why it is not fresh. */
export const nodeDrift = Effect.fnUntraced(function*(plan: Plan, lock: ProfileLock | undefined) {
  const store = yield* Store
  const explained = new Map((yield* explainPlan(plan)).map((e) => [e.id, e.reasons]))
  const locked = new Map((lock?.entries ?? []).filter((e) => e.type === "stage").map((e) => [e.id, e]))
  const file = lock === undefined ? "the lock" : displayPath(lock.file)
  const out: Array<NodeDrift> = []
  for (const node of plan.nodes) {
    const entry = locked.get(node.id)
    const matchesLock = entry !== undefined && node.key === entry.key
    let lockReasons: ReadonlyArray<string> = []
    if (entry !== undefined && !matchesLock && node.status !== "pending") {
      const previous = yield* store.readManifest("stage", entry.name, entry.key)
      const upstreamOf = (input: string) => node.node.inputs.find((i) => i.name === input)?.node
      const diff = previous === undefined
        ? againstLockOnly(entry, node.preimage.code, node.preimage.env)
        : withNumerics(previous.preimage.env, node.preimage.env, diffPreimages(previous.preimage, node.preimage, node.unknownInputs, upstreamOf))
      lockReasons = [`key differs from ${file}: ${diff.length === 0 ? "no field differs (the entry format moved)" : diff.join("; ")}`]
    }
    const base = { id: node.id, status: node.status, matchesLock, lockReasons, ...(entry === undefined ? {} : { locked: entry }) }
    const reasons = node.status === "fresh"
      ? []
      : matchesLock
      ? [`its locked entry ${entry.key.slice(0, 12)} is not in this store (grokflow pull)${node.problem === undefined ? "" : `; ${node.problem}`}`]
      : lockReasons.length > 0
      ? lockReasons
      : explained.get(node.id) ?? []
    out.push({ ...base, reasons })
  }
  return out as ReadonlyArray<NodeDrift>
})

/** The stale nodes a node waits on (itself when stale; none when fresh): where the reasons are. */
export const rootCauses = (plan: Plan, id: string): ReadonlyArray<string> => {
  const seen = new Set<string>()
  const causes: Array<string> = []
  const visit = (nodeId: string) => {
    if (seen.has(nodeId)) return
    seen.add(nodeId)
    const node = plan.byId.get(nodeId)
    if (node === undefined || node.status === "fresh") return
    if (node.status === "stale") {
      causes.push(nodeId)
      return
    }
    for (const input of node.unknownInputs) {
      const upstream = node.node.inputs.find((i) => i.name === input)?.node
      if (upstream !== undefined) visit(upstream)
    }
  }
  visit(id)
  return causes
}

export interface CellDrift {
  readonly entry: LockEntry
  /** The cell's key under today's code and environment; undefined when its payload is unknown here. */
  readonly key: string | undefined
  readonly reasons: ReadonlyArray<string>
}

/** Every cell kind the profile's stages declare, by name. */
export const cellKindsOf = (profile: Profile): ReadonlyMap<string, AnyCellKind> =>
  new Map(profile.nodes.flatMap((n) => (n.stage.stage.cells ?? []).map((k) => [k.name, k] as const)))

/** Per locked cell: its key today, and what moved it. */
export const cellDrift = Effect.fnUntraced(function*(profile: Profile, lock: ProfileLock, keyer: Keyer = Keyer.make(profile)) {
  const store = yield* Store
  const env = yield* (yield* EnvResolver).env
  const kinds = cellKindsOf(profile)
  const out: Array<CellDrift> = []
  for (const entry of lock.entries) {
    if (entry.type !== "cell") continue
    const kind = kinds.get(entry.name)
    if (kind === undefined) {
      out.push({ entry, key: undefined, reasons: [`no stage of profile ${profile.name} declares cell kind "${entry.name}"`] })
      continue
    }
    const manifest = yield* store.readManifest("cell", entry.name, entry.key)
    if (manifest === undefined) {
      // Without its payload the cell's variant is unknown: its code holds if any variant's does.
      const codes = yield* keyer.variantCodes(kind)
      const reasons = againstLockOnly(entry, codes.find((c) => hashValue(c) === entry.code) ?? codes[0]!, env)
      out.push({ entry, key: reasons.length === 0 ? entry.key : undefined, reasons })
      continue
    }
    const code = yield* keyer.payloadCode(kind, toJson(manifest.preimage.key))
    const key = keyOf(cellPreimage(kind.name, code, manifest.preimage.key, env))
    const reasons = key === entry.key
      ? []
      : [
        ...(manifest.preimage.keyFormat === KEY_FORMAT ? [] : [`keyFormat changed ${String(manifest.preimage.keyFormat)} -> ${KEY_FORMAT}`]),
        ...withNumerics(manifest.preimage.env, env, [...codeChanges(manifest.preimage.code, code), ...envChanges(manifest.preimage.env, env)])
      ]
    out.push({ entry, key, reasons })
  }
  return out as ReadonlyArray<CellDrift>
})
