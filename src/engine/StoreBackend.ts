/**
 * What a store keeps its contents in: a tree of small files named by paths
 * relative to the store, one lock per key, and a directory per running cell for
 * its checkpoints. The store's logic (Store.ts) is written once over this, so the
 * file layer (FileStore.ts) and the memory layer (MemoryStore.ts) name, verify
 * and miss alike; only where the bytes live differs.
 *
 *   objects/<2 hex>/<sha256>         immutable blobs, named by their content
 *   entries/<name>/<key>.json        stage manifests (cells: entries/cell.<name>/)
 *   refs/<profile>/<node>.json       the key a node last ran with, and its runs before
 *   runs/<profile>/<id>.json         what each `grokflow run` did (RunRecord.ts)
 */
import type { Effect } from "effect"
import type { StoreError } from "./Errors.ts"
import { entryDir } from "./Manifest.ts"

export interface StoreBackend {
  /** Where the store is, for messages: its directory, or "memory". */
  readonly location: string
  /** A stored path as a person should see it: the file's path, or memory:<path>. */
  readonly where: (rel: string) => string
  /** The bytes at `rel`, or undefined when nothing is there. */
  readonly read: (rel: string) => Effect.Effect<Uint8Array | undefined, StoreError>
  /** Replaces `rel` whole: a reader, even after a crash, sees the old bytes or the new, never part. */
  readonly write: (rel: string, bytes: Uint8Array | string) => Effect.Effect<void, StoreError>
  /** Names of the files directly in `dir`, sorted, leaving out writes in progress. */
  readonly files: (dir: string) => Effect.Effect<ReadonlyArray<string>, StoreError>
  /** Names of the directories directly in `dir`, sorted. */
  readonly dirs: (dir: string) => Effect.Effect<ReadonlyArray<string>, StoreError>
  /** Runs `body` holding `key`'s lock; `onWait` once, the first time it is found taken. */
  readonly withLock: <A, E, R>(key: string, body: Effect.Effect<A, E, R>, onWait?: (holder: string) => void) => Effect.Effect<A, E | StoreError, R>
  /** A real directory for a running cell's checkpoints: the executor's workers write files there. */
  readonly checkpointDir: (key: string) => Effect.Effect<string, StoreError>
  readonly removeCheckpoint: (key: string) => Effect.Effect<void>
}

/** The temp-file prefix of a write in progress (Atomic.ts); never a stored name. */
export const TEMP_PREFIX = ".tmp-"

export const blobFile = (digest: string): string => `objects/${digest.slice(0, 2)}/${digest}`
export const entriesDir = (kind: "stage" | "cell", name: string): string => `entries/${entryDir(kind, name)}`
export const entryFile = (kind: "stage" | "cell", name: string, key: string): string => `${entriesDir(kind, name)}/${key}.json`
export const refsDir = (profile: string): string => `refs/${profile}`
export const refFile = (profile: string, node: string): string => `${refsDir(profile)}/${node}.json`
export const runsDir = (profile: string): string => `runs/${profile}`
