/**
 * `cache ls | verify | gc`: reading the store as a whole.
 *
 * gc marks, for every profile: each node's current entry when it is fresh, and
 * the entry its ref points at (the node's last run) whatever its status, since a
 * stale sweep stage reruns by reusing the cells of its last run; then the cells
 * those manifests list and the blobs they name. Everything else under entries/
 * and objects/ is swept, with refs to swept entries, leftover temp files, dead
 * locks and checkpoints of committed cells. While a live lock exists (a run in
 * progress, whose cells are not yet listed by any stage manifest) gc refuses.
 */
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { Effect } from "effect"
import { sha256 } from "./Canonical.ts"
import { StoreError } from "./Errors.ts"
import { keyOf } from "./Key.ts"
import type { Preimage } from "./Key.ts"
import { entryDir } from "./Manifest.ts"
import type { Plan } from "./Plan.ts"
import { Store, StoreDir } from "./Store.ts"
import { blobFile } from "./StoreBackend.ts"
import { pidAlive } from "./Lock.ts"

export const listCache = Effect.fnUntraced(function*() {
  const store = yield* Store
  const entries = yield* store.listEntries()
  const blobs = yield* store.listBlobs()
  return { root: store.location, entries, blobs }
})

export interface VerifyReport {
  readonly checkedEntries: number
  readonly checkedBlobs: number
  readonly problems: ReadonlyArray<string>
}

/** Checks every manifest (parses, key matches its preimage, blob present and intact) and every blob's name. */
export const verifyCache = Effect.fnUntraced(function*() {
  const store = yield* Store
  const problems: Array<string> = []
  const entries = yield* store.listEntries()
  for (const entry of entries) {
    if (entry.manifest === undefined) {
      problems.push(`${entry.file}: ${entry.problem}`)
      continue
    }
    const m = entry.manifest
    if (keyOf(m.preimage as unknown as Preimage) !== m.key) problems.push(`${entry.file}: key does not match its preimage`)
    if (path.posix.basename(entry.file, ".json") !== m.key) problems.push(`${entry.file}: file name does not match its key`)
    const check = yield* store.checkBlob(m.output.digest)
    if (check !== "ok") problems.push(`${entry.file}: blob ${m.output.digest.slice(0, 12)} ${check}`)
  }
  const blobs = yield* store.listBlobs()
  for (const digest of blobs) {
    const bytes = yield* store.readBlob(digest)
    // Listed a moment ago: gone now means a concurrent gc, not corruption.
    if (bytes !== undefined && sha256(bytes) !== digest) problems.push(`${blobFile(digest)}: content does not match its name (corrupt)`)
  }
  return { checkedEntries: entries.length, checkedBlobs: blobs.length, problems } satisfies VerifyReport
})

export interface GcReport {
  readonly keptEntries: number
  readonly keptBlobs: number
  readonly removed: ReadonlyArray<string>
  readonly freedBytes: number
  readonly dryRun: boolean
}

const readdirOr = async (dir: string): Promise<Array<string>> => {
  try {
    return await fs.readdir(dir)
  } catch {
    return []
  }
}

const sizeOf = async (p: string): Promise<number> => {
  try {
    const st = await fs.stat(p)
    if (!st.isDirectory()) return st.size
    let total = 0
    for (const f of await fs.readdir(p)) total += await sizeOf(path.join(p, f))
    return total
  } catch {
    return 0
  }
}

/**
 * File-only: besides entries, blobs and refs it sweeps temp files, dead lock
 * files and checkpoint directories, which only a store on disk has (StoreDir).
 * A memory store lives as long as its process and is never collected.
 */
export const gcCache = Effect.fnUntraced(function*(plans: ReadonlyArray<Plan>, options: { readonly dryRun: boolean }) {
  const store = yield* Store
  const { root } = yield* StoreDir
  const io = <A>(what: string, f: () => Promise<A>) =>
    Effect.tryPromise({ try: f, catch: (cause) => new StoreError({ path: root, message: `${what}: ${String(cause)}`, cause }) })

  // Refuse while a run holds a live lock: its new cells are not yet reachable.
  const liveLocks = yield* io("cannot read locks", async () => {
    const live: Array<string> = []
    for (const f of await readdirOr(path.join(root, "locks"))) {
      try {
        const info = JSON.parse(await fs.readFile(path.join(root, "locks", f), "utf8")) as { pid?: number; host?: string }
        if (typeof info.pid === "number" && (info.host !== os.hostname() || pidAlive(info.pid))) live.push(`pid ${info.pid} on ${info.host}`)
      } catch {
        // half-written or gone: not a holder we must respect
      }
    }
    return live
  })
  if (liveLocks.length > 0) {
    return yield* new StoreError({ path: path.join(root, "locks"), message: `a run is in progress (${liveLocks[0]}); run gc when it has finished` })
  }

  // Mark.
  const keepEntries = new Set<string>() // "<entryDir>/<key>"
  const queue: Array<{ kind: "stage" | "cell"; name: string; key: string }> = []
  for (const plan of plans) {
    for (const node of plan.nodes) {
      if (node.status === "fresh" && node.key !== undefined) queue.push({ kind: "stage", name: node.stage, key: node.key })
      const ref = yield* store.readRef(plan.profile.name, node.id)
      if (ref !== undefined) queue.push({ kind: "stage", name: ref.stage, key: ref.key })
    }
  }
  const keepBlobs = new Set<string>()
  while (queue.length > 0) {
    const item = queue.pop()!
    const id = `${entryDir(item.kind, item.name)}/${item.key}`
    if (keepEntries.has(id)) continue
    const manifest = yield* store.readManifest(item.kind, item.name, item.key)
    if (manifest === undefined) continue
    keepEntries.add(id)
    keepBlobs.add(manifest.output.digest)
    for (const cell of manifest.cells ?? []) queue.push({ kind: "cell", name: cell.name, key: cell.key })
  }

  // Sweep.
  const doomed: Array<string> = []
  const entriesDir = path.join(root, "entries")
  const committedKeys = new Set<string>()
  for (const sub of yield* io("cannot list entries", () => readdirOr(entriesDir))) {
    for (const f of yield* io("cannot list entries", () => readdirOr(path.join(entriesDir, sub)))) {
      const file = path.join(entriesDir, sub, f)
      const key = f.replace(/\.json$/, "")
      if (f.startsWith(".tmp-") || !keepEntries.has(`${sub}/${key}`)) doomed.push(file)
      else committedKeys.add(key)
    }
  }
  const objectsDir = path.join(root, "objects")
  for (const prefix of yield* io("cannot list objects", () => readdirOr(objectsDir))) {
    for (const f of yield* io("cannot list objects", () => readdirOr(path.join(objectsDir, prefix)))) {
      if (!keepBlobs.has(f)) doomed.push(path.join(objectsDir, prefix, f))
    }
  }
  const refsDir = path.join(root, "refs")
  for (const profile of yield* io("cannot list refs", () => readdirOr(refsDir))) {
    for (const f of yield* io("cannot list refs", () => readdirOr(path.join(refsDir, profile)))) {
      const file = path.join(refsDir, profile, f)
      const ref = yield* io("cannot read ref", async () => {
        try {
          return JSON.parse(await fs.readFile(file, "utf8")) as { key?: string; stage?: string }
        } catch {
          return {}
        }
      })
      if (ref.key === undefined || ref.stage === undefined || !keepEntries.has(`${ref.stage}/${ref.key}`)) doomed.push(file)
    }
  }
  for (const f of yield* io("cannot list locks", () => readdirOr(path.join(root, "locks")))) doomed.push(path.join(root, "locks", f))
  for (const key of yield* io("cannot list checkpoints", () => readdirOr(path.join(root, "checkpoints")))) {
    if (committedKeys.has(key)) doomed.push(path.join(root, "checkpoints", key))
  }

  let freedBytes = 0
  for (const file of doomed) {
    freedBytes += yield* io("cannot stat", () => sizeOf(file))
    if (!options.dryRun) yield* io(`cannot remove ${file}`, () => fs.rm(file, { recursive: true, force: true }))
  }
  return {
    keptEntries: keepEntries.size,
    keptBlobs: keepBlobs.size,
    removed: doomed.map((f) => path.relative(root, f)),
    freedBytes,
    dryRun: options.dryRun
  } satisfies GcReport
})
