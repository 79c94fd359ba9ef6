/**
 * The lock file of a profile: `pipeline/<profile>.lock` beside the profile, in git,
 * written by `grokflow run`. It is what a reviewer reads in a diff and what a
 * remote's pull, `verify` and `audit` work from: for every node the profile ran and
 * every cell those nodes used, the key, the output digest, the environment that
 * produced it (the numerics), a digest of its code and the commit it came from.
 *
 * One JSON object per line, sorted (the profile line, then stages by node id, then
 * cells by label and key), so two branches that ran different nodes merge line by
 * line. An entry whose key the previous lock already held keeps its commit: the
 * commit says where a result was first produced, and a rerun that reuses it
 * changes no line.
 */
import { execFile } from "node:child_process"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { Effect } from "effect"
import { writeAtomic } from "./Atomic.ts"
import { canonicalJson, hashValue } from "./Canonical.ts"
import { ProfileError, StoreError } from "./Errors.ts"
import type { Env } from "./Key.ts"
import type { Manifest } from "./Manifest.ts"
import type { Plan } from "./Plan.ts"
import type { Profile } from "./Profile.ts"
import { Store } from "./Store.ts"

export const LOCK_FORMAT = "grokflow-lock/1"

export interface LockHeader {
  readonly type: "profile"
  readonly format: string
  readonly profile: string
  /** The training environment of the profile's cells, as one phrase ("wasm simd+openblas:SkylakeX float32"); "none" when nothing trains. */
  readonly numerics: string
}

export interface LockEntry {
  readonly type: "stage" | "cell"
  /** Node id for a stage; the cell kind's name for a cell. */
  readonly id: string
  /** Stage name (a node may run a stage under another id) or cell kind name. */
  readonly name: string
  readonly label?: string
  readonly key: string
  readonly output: { readonly digest: string; readonly bytes: number }
  readonly env: Env
  /** sha256 of the entry's `{ file: compiled digest }` code map. */
  readonly code: string
  /** git HEAD when the entry was first produced, with "+dirty" for uncommitted changes. */
  readonly commit: string
}

export interface ProfileLock {
  readonly file: string
  readonly header: LockHeader
  readonly entries: ReadonlyArray<LockEntry>
}

/** `pipeline/faithful.yaml` → `pipeline/faithful.lock`. */
export const lockPath = (profile: Pick<Profile, "path">): string =>
  path.join(path.dirname(profile.path), `${path.basename(profile.path).replace(/\.ya?ml$/, "")}.lock`)

/** How the environment reads in a lock and in messages: "wasm simd+openblas:SkylakeX float32". */
export const describeNumerics = (env: Env | undefined): string => {
  if (env === undefined || Object.keys(env).length === 0) return "none"
  const known = [env.backend, env.detail, env.precision].filter((x): x is string => typeof x === "string" && x !== "")
  const rest = Object.keys(env).filter((k) => !["backend", "detail", "precision", "tfjs"].includes(k)).sort().map((k) => `${k}=${env[k]}`)
  return [...known, ...rest].join(" ")
}

const order = (e: LockEntry): string => `${e.type === "stage" ? 0 : 1}\0${e.type === "stage" ? e.id : `${e.label ?? ""}\0${e.name}`}\0${e.key}`

const entryLine = (e: LockEntry): string =>
  JSON.stringify({
    type: e.type,
    id: e.id,
    name: e.name,
    ...(e.label === undefined ? {} : { label: e.label }),
    key: e.key,
    output: { digest: e.output.digest, bytes: e.output.bytes },
    env: JSON.parse(canonicalJson(e.env)) as Env,
    code: e.code,
    commit: e.commit
  })

export const renderLock = (header: LockHeader, entries: ReadonlyArray<LockEntry>): string => {
  const lines = [...entries].sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0)).map(entryLine)
  const head = JSON.stringify({ type: "profile", format: header.format, profile: header.profile, numerics: header.numerics })
  return `${[head, ...new Set(lines)].join("\n")}\n`
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v)

const badLine = (file: string, line: number, message: string) => new ProfileError({ file, path: "", line, message })

/** Parses a lock; a malformed line is a ProfileError naming the file and the line (exit 2). */
export const parseLock = (file: string, text: string): Effect.Effect<ProfileLock, ProfileError> =>
  Effect.gen(function*() {
    const lines = text.split("\n").filter((l) => l.trim() !== "")
    let header: LockHeader | undefined
    const entries: Array<LockEntry> = []
    for (const [i, line] of lines.entries()) {
      let json: unknown
      try {
        json = JSON.parse(line)
      } catch {
        return yield* badLine(file, i + 1, "expected one JSON object per line")
      }
      if (!isRecord(json)) return yield* badLine(file, i + 1, "expected a JSON object")
      if (json.type === "profile") {
        if (json.format !== LOCK_FORMAT) return yield* badLine(file, i + 1, `format: expected "${LOCK_FORMAT}", got ${JSON.stringify(json.format)}`)
        header = { type: "profile", format: LOCK_FORMAT, profile: String(json.profile), numerics: String(json.numerics) }
        continue
      }
      const output = json.output
      if (
        (json.type !== "stage" && json.type !== "cell") || typeof json.id !== "string" || typeof json.name !== "string" ||
        typeof json.key !== "string" || !isRecord(output) || typeof output.digest !== "string" || typeof output.bytes !== "number" ||
        !isRecord(json.env) || typeof json.code !== "string" || typeof json.commit !== "string"
      ) {
        return yield* badLine(file, i + 1, "expected an entry with type (stage|cell), id, name, key, output {digest, bytes}, env, code, commit")
      }
      entries.push({
        type: json.type,
        id: json.id,
        name: json.name,
        ...(typeof json.label === "string" ? { label: json.label } : {}),
        key: json.key,
        output: { digest: output.digest, bytes: output.bytes },
        env: json.env as Env,
        code: json.code,
        commit: json.commit
      })
    }
    if (header === undefined) return yield* badLine(file, 1, `expected a first line {"type":"profile","format":"${LOCK_FORMAT}",...}`)
    return { file, header, entries }
  })

/** The lock at `file`, undefined when there is none. */
export const readLockFile = (file: string): Effect.Effect<ProfileLock | undefined, ProfileError> =>
  Effect.flatMap(
    Effect.promise(() => fs.readFile(file, "utf8").catch(() => undefined)),
    (text) => (text === undefined ? Effect.succeed(undefined) : parseLock(file, text))
  )

export const readLock = (profile: Pick<Profile, "path">) => readLockFile(lockPath(profile))

const git = (root: string, args: ReadonlyArray<string>): Promise<string | undefined> =>
  new Promise((resolve) =>
    execFile("git", [...args], { cwd: root, encoding: "utf8" }, (error, stdout) => resolve(error === null ? stdout : undefined))
  )

/**
 * HEAD, with "+dirty" when tracked or untracked files differ from it; lock files
 * and the release directory do not count (a run writes them). "unknown" outside git.
 */
export const producingCommit = async (root: string): Promise<string> => {
  const head = (await git(root, ["rev-parse", "HEAD"]))?.trim()
  if (head === undefined || head === "") return "unknown"
  const status = (await git(root, ["status", "--porcelain"])) ?? ""
  const dirty = status.split("\n").map((l) => l.slice(3).trim()).filter((f) => f !== "" && !f.endsWith(".lock") && !f.startsWith("release/"))
  return dirty.length > 0 ? `${head}+dirty` : head
}

const codeOf = (m: Manifest): string => hashValue(isRecord(m.preimage.code) ? m.preimage.code : {})
const envOf = (m: Manifest): Env => (isRecord(m.preimage.env) ? (m.preimage.env as Env) : {})

/**
 * The lock for the plan's fresh nodes and the cells their entries used. Entries
 * `previous` already held under the same key keep their commit.
 */
export const collectLock = Effect.fnUntraced(function*(plan: Plan, commit: string, previous: ProfileLock | undefined) {
  const store = yield* Store
  const before = new Map((previous?.entries ?? []).map((e) => [`${e.type}:${e.key}`, e.commit]))
  const commitOf = (type: string, key: string) => before.get(`${type}:${key}`) ?? commit
  const entries: Array<LockEntry> = []
  const cells = new Map<string, { readonly name: string; readonly key: string }>()
  let numerics: Env | undefined
  for (const node of plan.nodes) {
    if (node.status !== "fresh" || node.key === undefined) continue
    const m = yield* store.readManifest("stage", node.stage, node.key)
    if (m === undefined) continue
    entries.push({ type: "stage", id: node.id, name: node.stage, key: m.key, output: m.output, env: envOf(m), code: codeOf(m), commit: commitOf("stage", m.key) })
    for (const c of m.cells ?? []) cells.set(`${c.name}:${c.key}`, c)
  }
  for (const c of cells.values()) {
    const m = yield* store.readManifest("cell", c.name, c.key)
    if (m === undefined) continue
    numerics ??= envOf(m)
    entries.push({
      type: "cell",
      id: c.name,
      name: c.name,
      ...(m.label === undefined ? {} : { label: m.label }),
      key: m.key,
      output: m.output,
      env: envOf(m),
      code: codeOf(m),
      commit: commitOf("cell", m.key)
    })
  }
  const header: LockHeader = { type: "profile", format: LOCK_FORMAT, profile: plan.profile.name, numerics: describeNumerics(numerics) }
  return { file: lockPath(plan.profile), header, entries } satisfies ProfileLock
})

/** Writes the plan's lock atomically; returns it. An unchanged lock is not rewritten. */
export const writeLock = Effect.fnUntraced(function*(plan: Plan) {
  const file = lockPath(plan.profile)
  const previous = yield* Effect.orElseSucceed(readLockFile(file), () => undefined)
  const commit = yield* Effect.promise(() => producingCommit(plan.profile.registry.root))
  const lock = yield* collectLock(plan, commit, previous)
  const text = renderLock(lock.header, lock.entries)
  const old = yield* Effect.promise(() => fs.readFile(file, "utf8").catch(() => ""))
  if (old !== text) {
    yield* Effect.tryPromise({ try: () => writeAtomic(file, text), catch: (cause) => new StoreError({ path: file, message: `cannot write the lock: ${String(cause)}` }) })
  }
  return lock
})
