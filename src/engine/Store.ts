/**
 * The content-addressed store: blobs named by their sha256, manifests that name
 * them (one per stage or cell key), refs that say what each node of a profile
 * last ran with, run records, per-key locks and cells' checkpoints.
 *
 * `Store` is an interface with two layers: `Store.layer(dir)` keeps it on disk
 * (FileStore.ts, what every command uses), `Store.layerMemory` in a Map (for
 * tests). Both are this module's logic over a StoreBackend, so they agree on
 * everything the engine relies on: reads verify digests; a missing or corrupt
 * blob or manifest is a miss with a reason, never a crash; a manifest is written
 * only after its blob, so an interrupted run leaves the store consistent.
 */
import * as path from "node:path"
import { Context, Effect, Layer, Result } from "effect"
import { sha256 } from "./Canonical.ts"
import type { Scope } from "effect"
import type { StoreError } from "./Errors.ts"
import { fileBackend, StoreDir } from "./FileStore.ts"
import { decodeManifest, entryDir } from "./Manifest.ts"
import type { Manifest } from "./Manifest.ts"
import { memoryBackend } from "./MemoryStore.ts"
import { projectRoot } from "./ProjectRoot.ts"
import { blobFile, entriesDir, entryFile, refFile, refsDir, runsDir } from "./StoreBackend.ts"
import type { StoreBackend } from "./StoreBackend.ts"

export { StoreDir } from "./FileStore.ts"
export { writeAtomic } from "./Atomic.ts"

export type Lookup =
  /** `manifestPath`: where the entry lives, for people (a file of the file store, memory:… in memory). */
  | { readonly _tag: "Hit"; readonly manifest: Manifest; readonly bytes: Uint8Array; readonly manifestPath: string }
  /** `problem` is set when something was there but unusable (corrupt, missing blob). */
  | { readonly _tag: "Miss"; readonly problem?: string }

export type BlobCheck = "ok" | "missing" | "corrupt"

export interface Ref {
  readonly key: string
  readonly stage: string
  readonly at: string
  /** The `grokflow run` that recorded it (its start time), shared by every node it ran or reused. */
  readonly run?: string
  /** That run's `--set` overrides. */
  readonly sets?: ReadonlyArray<string>
}

/** A manifest as listed: parsed, or the reason it is unusable. `file` is relative to the store (entries/<dir>/<key>.json). */
export interface EntryRow {
  readonly file: string
  readonly manifest?: Manifest
  readonly problem?: string
}

type EntryKind = "stage" | "cell"

export interface StoreService {
  /** Where the store is, for messages: its directory, or "memory". */
  readonly location: string

  /** Stores bytes under their sha256; an existing good copy is kept, a corrupt one replaced. */
  readonly putBlob: (bytes: Uint8Array) => Effect.Effect<string, StoreError>
  /** A blob's bytes as stored, unverified (checkBlob verifies); undefined when absent. */
  readonly readBlob: (digest: string) => Effect.Effect<Uint8Array | undefined, StoreError>
  readonly checkBlob: (digest: string) => Effect.Effect<BlobCheck, StoreError>
  /** Every blob digest present. */
  readonly listBlobs: () => Effect.Effect<ReadonlyArray<string>, StoreError>

  /** The manifest and its verified output bytes, or a miss saying what was wrong. */
  readonly lookup: (kind: EntryKind, name: string, key: string) => Effect.Effect<Lookup, StoreError>
  /** A manifest without touching its blob (for explain: the previous preimage). */
  readonly readManifest: (kind: EntryKind, name: string, key: string) => Effect.Effect<Manifest | undefined>
  /** Commits an entry, returning where it lives: its blobs must already be written (putBlob). */
  readonly writeManifest: (manifest: Manifest) => Effect.Effect<string, StoreError>
  /** An entry's manifest as stored, byte for byte (remotes move entries unchanged). */
  readonly readEntryBytes: (kind: EntryKind, name: string, key: string) => Effect.Effect<Uint8Array | undefined, StoreError>
  /** Stores a manifest as given, byte for byte; the caller has checked it (remote fetch). */
  readonly writeEntryBytes: (kind: EntryKind, name: string, key: string, bytes: Uint8Array) => Effect.Effect<void, StoreError>
  /** Every manifest (or those of one stage or cell name), parsed or with the reason it is unusable. */
  readonly listEntries: (of?: { readonly kind: EntryKind; readonly name: string }) => Effect.Effect<ReadonlyArray<EntryRow>, StoreError>

  /** Records a node's run; the run it replaces moves to the front of its history. */
  readonly writeRef: (profile: string, node: string, ref: Ref) => Effect.Effect<void, StoreError>
  readonly readRef: (profile: string, node: string) => Effect.Effect<Ref | undefined>
  /** The node's runs in this profile, newest first: its last run, then the ones before. */
  readonly readRuns: (profile: string, node: string) => Effect.Effect<ReadonlyArray<Ref>>
  /** The profiles with recorded runs. */
  readonly refProfiles: () => Effect.Effect<ReadonlyArray<string>>
  /** The nodes of a profile that have a ref. */
  readonly refNodes: (profile: string) => Effect.Effect<ReadonlyArray<string>>

  /** Stores one run's record (RunRecord.ts says what it holds) under an id unique to that run. */
  readonly writeRunRecord: (profile: string, id: string, record: unknown) => Effect.Effect<string, StoreError>
  /** The profile's run records as parsed JSON, in no order; unreadable ones are skipped. */
  readonly runRecords: (profile: string) => Effect.Effect<ReadonlyArray<unknown>>

  /** Runs `body` holding `key`'s lock (Lock.ts on disk); `onWait` once, if it is found taken. */
  readonly withLock: <A, E, R>(key: string, body: Effect.Effect<A, E, R>, onWait?: (holder: string) => void) => Effect.Effect<A, E | StoreError, R>
  /** The directory where a running cell's executor keeps its checkpoints. */
  readonly checkpointDir: (key: string) => Effect.Effect<string, StoreError>
  readonly removeCheckpoint: (key: string) => Effect.Effect<void>
}

/** How many earlier runs a node's ref remembers (newest first). */
export const REF_HISTORY = 20

const isRef = (x: unknown): x is Ref =>
  typeof x === "object" && x !== null && typeof (x as Partial<Ref>).key === "string" &&
  typeof (x as Partial<Ref>).stage === "string" && typeof (x as Partial<Ref>).at === "string"

/** A ref's own fields (refs written before runs were recorded have no run or sets). */
const refOf = (r: Ref): Ref => ({
  key: r.key,
  stage: r.stage,
  at: r.at,
  ...(typeof r.run === "string" ? { run: r.run } : {}),
  ...(Array.isArray(r.sets) && r.sets.every((s) => typeof s === "string") ? { sets: r.sets } : {})
})

const decoder = new TextDecoder()

/** JSON at `bytes`, or undefined when it does not parse. */
const parseJson = (bytes: Uint8Array): unknown => {
  try {
    return JSON.parse(decoder.decode(bytes))
  } catch {
    return undefined
  }
}

/** A manifest's bytes as a manifest, or why not. */
const decodeEntry = (bytes: Uint8Array): { readonly manifest: Manifest } | { readonly problem: string } => {
  const json = parseJson(bytes)
  if (json === undefined) return { problem: "manifest is not JSON" }
  const decoded = decodeManifest(json)
  return Result.isSuccess(decoded) ? { manifest: decoded.success } : { problem: "manifest is malformed" }
}

/** What nothing (or anything unreadable) reads as, for the reads that never fail. */
const orNothing = <A, B>(effect: Effect.Effect<A, StoreError>, nothing: B): Effect.Effect<A | B> => Effect.orElseSucceed(effect, () => nothing)

/** The store's logic over a backend: written once, so both layers behave alike. */
export const makeStore = (backend: StoreBackend): StoreService => {
  const checkBlob = (digest: string) =>
    Effect.map(backend.read(blobFile(digest)), (bytes): BlobCheck => (bytes === undefined ? "missing" : sha256(bytes) === digest ? "ok" : "corrupt"))

  const readRuns = (profile: string, node: string): Effect.Effect<ReadonlyArray<Ref>> =>
    Effect.map(orNothing(backend.read(refFile(profile, node)), undefined), (bytes) => {
      const json = bytes === undefined ? undefined : parseJson(bytes)
      if (!isRef(json)) return []
      const history = (json as { readonly history?: unknown }).history
      return [refOf(json), ...(Array.isArray(history) ? history.filter(isRef).map(refOf) : [])]
    })

  const readManifest = (kind: EntryKind, name: string, key: string) =>
    Effect.map(orNothing(backend.read(entryFile(kind, name, key)), undefined), (bytes) => {
      const entry = bytes === undefined ? undefined : decodeEntry(bytes)
      return entry !== undefined && "manifest" in entry ? entry.manifest : undefined
    })

  return {
    location: backend.location,

    putBlob: (bytes) =>
      Effect.gen(function*() {
        const digest = sha256(bytes)
        if ((yield* checkBlob(digest)) !== "ok") yield* backend.write(blobFile(digest), bytes)
        return digest
      }),
    readBlob: (digest) => backend.read(blobFile(digest)),
    checkBlob,
    listBlobs: () =>
      Effect.gen(function*() {
        const out: Array<string> = []
        for (const prefix of yield* backend.dirs("objects")) out.push(...(yield* backend.files(`objects/${prefix}`)))
        return out
      }),

    lookup: (kind, name, key) =>
      Effect.gen(function*() {
        const file = entryFile(kind, name, key)
        const text = yield* backend.read(file)
        if (text === undefined) return { _tag: "Miss" } satisfies Lookup
        const label = `${entryDir(kind, name)}/${key.slice(0, 12)}`
        const entry = decodeEntry(text)
        if ("problem" in entry) return { _tag: "Miss", problem: `entry ${label} ${entry.problem}` } satisfies Lookup
        if (entry.manifest.key !== key) return { _tag: "Miss", problem: `entry ${label} manifest is malformed` } satisfies Lookup
        const digest = entry.manifest.output.digest
        const bytes = yield* backend.read(blobFile(digest))
        if (bytes === undefined) return { _tag: "Miss", problem: `entry ${label} blob ${digest.slice(0, 12)} missing` } satisfies Lookup
        if (sha256(bytes) !== digest) return { _tag: "Miss", problem: `entry ${label} blob ${digest.slice(0, 12)} corrupt` } satisfies Lookup
        return { _tag: "Hit", manifest: entry.manifest, bytes, manifestPath: backend.where(file) } satisfies Lookup
      }),
    readManifest,
    writeManifest: (manifest) => {
      const file = entryFile(manifest.kind, manifest.name, manifest.key)
      return Effect.as(backend.write(file, JSON.stringify(manifest, null, 2) + "\n"), backend.where(file))
    },
    readEntryBytes: (kind, name, key) => backend.read(entryFile(kind, name, key)),
    writeEntryBytes: (kind, name, key, bytes) => backend.write(entryFile(kind, name, key), bytes),
    listEntries: (of) =>
      Effect.gen(function*() {
        const dirs = of === undefined ? (yield* backend.dirs("entries")).map((d) => `entries/${d}`) : [entriesDir(of.kind, of.name)]
        const out: Array<EntryRow> = []
        for (const dir of dirs) {
          for (const f of (yield* backend.files(dir)).filter((f) => f.endsWith(".json"))) {
            const file = `${dir}/${f}`
            const bytes = yield* backend.read(file)
            const entry = bytes === undefined ? { problem: "manifest vanished while listing" } : decodeEntry(bytes)
            out.push({ file, ...entry })
          }
        }
        return out
      }),

    writeRef: (profile, node, ref) =>
      Effect.flatMap(readRuns(profile, node), (runs) =>
        backend.write(refFile(profile, node), JSON.stringify({ ...refOf(ref), history: runs.slice(0, REF_HISTORY) }) + "\n")
      ),
    readRef: (profile, node) => Effect.map(readRuns(profile, node), (runs) => runs[0]),
    readRuns,
    refProfiles: () => orNothing(backend.dirs("refs"), []),
    refNodes: (profile) =>
      Effect.map(orNothing(backend.files(refsDir(profile)), []), (files) => files.filter((f) => f.endsWith(".json")).map((f) => f.slice(0, -".json".length))),

    writeRunRecord: (profile, id, record) => {
      const file = `${runsDir(profile)}/${id}.json`
      return Effect.as(backend.write(file, JSON.stringify(record, null, 2) + "\n"), backend.where(file))
    },
    runRecords: (profile) =>
      Effect.gen(function*() {
        const out: Array<unknown> = []
        for (const f of (yield* orNothing(backend.files(runsDir(profile)), [])).filter((f) => f.endsWith(".json"))) {
          const bytes = yield* orNothing(backend.read(`${runsDir(profile)}/${f}`), undefined)
          const json = bytes === undefined ? undefined : parseJson(bytes)
          if (json !== undefined) out.push(json)
        }
        return out
      }),

    withLock: backend.withLock,
    checkpointDir: backend.checkpointDir,
    removeCheckpoint: backend.removeCheckpoint
  }
}

/** A file store at `root`, outside any layer (tests, tools that hold two stores at once). */
export const fileStore = (root: string): StoreService => makeStore(fileBackend(path.resolve(root)))

/** An empty store in memory; the scope removes its checkpoint directories. */
export const memoryStore: Effect.Effect<StoreService, never, Scope.Scope> = Effect.map(memoryBackend, makeStore)

/** The store a command works on. */
export class Store extends Context.Service<Store, StoreService>()("grokflow/engine/Store") {
  /** The store in `root` on disk; also provides its directory (StoreDir) for `cache gc`. */
  static readonly layer = (root: string): Layer.Layer<Store | StoreDir> => {
    const dir = path.resolve(root)
    return Layer.mergeAll(Layer.succeed(Store, makeStore(fileBackend(dir))), Layer.succeed(StoreDir, { root: dir }))
  }
  /** An empty store in memory, one per build of the layer; its checkpoint directories are removed with it. */
  static readonly layerMemory: Layer.Layer<Store> = Layer.effect(Store, memoryStore)
}

/** `--cache-dir`, else GROKFLOW_CACHE (both as typed, from the current folder), else <project>/cache. */
export const resolveCacheDir = (flag: string | undefined): string => {
  const given = flag ?? process.env.GROKFLOW_CACHE
  return given === undefined ? path.join(projectRoot(), "cache") : path.resolve(given)
}
