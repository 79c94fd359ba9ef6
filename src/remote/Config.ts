/**
 * Which remotes a project has: `pipeline/remotes.yaml`, committed beside the
 * profiles. It names URLs and endpoints, never credentials (S3 takes those from
 * the environment or the standard AWS chain).
 *
 *   default: release
 *   remotes:
 *     release: { url: release }                       # a directory, relative to the project
 *     lab: { url: "s3://bucket/prefix", endpoint: "https://minio.lab:9000", region: us-east-1 }
 *     public: { url: "https://example.org/grokflow/" } # read-only
 */
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { Effect } from "effect"
import YAML from "yaml"
import { ProfileError, StoreError, UsageError, writeAtomic } from "../engine/index.ts"
import { directoryRemote } from "./Directory.ts"
import { httpRemote } from "./Http.ts"
import type { Remote } from "./Remote.ts"
import { parseS3Url, s3Remote } from "./S3.ts"

export interface RemoteSpec {
  readonly url: string
  readonly endpoint?: string
  readonly region?: string
}

export interface RemotesConfig {
  readonly default?: string
  readonly remotes: Readonly<Record<string, RemoteSpec>>
}

export const remotesFile = (root: string): string => path.join(root, "pipeline", "remotes.yaml")

const NAME = /^[A-Za-z][A-Za-z0-9_-]*$/
const FIELDS = new Set(["url", "endpoint", "region"])
const CREDENTIAL = /key|secret|token|password|credential/i

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v)

/** The configuration; an absent file is no remotes. A malformed one is exit 2, naming the field. */
export const readRemotes = (root: string): Effect.Effect<RemotesConfig, ProfileError> =>
  Effect.gen(function*() {
    const file = remotesFile(root)
    const shown = path.relative(root, file)
    const text = yield* Effect.promise(() => fs.readFile(file, "utf8").catch(() => undefined))
    if (text === undefined) return { remotes: {} }
    const bad = (at: string, message: string) => new ProfileError({ file: shown, path: at, message })
    let doc: unknown
    try {
      doc = YAML.parse(text)
    } catch (e) {
      return yield* bad("", `not YAML: ${e instanceof Error ? e.message : String(e)}`)
    }
    if (doc === null || doc === undefined) return { remotes: {} }
    if (!isRecord(doc)) return yield* bad("", "expected a mapping with `remotes:` (and optionally `default:`)")
    for (const k of Object.keys(doc)) if (k !== "default" && k !== "remotes") return yield* bad(k, "unknown field (expected default, remotes)")
    const remotes: Record<string, RemoteSpec> = {}
    const raw = doc.remotes ?? {}
    if (!isRecord(raw)) return yield* bad("remotes", "expected a mapping of name → { url, endpoint?, region? }")
    for (const [name, spec] of Object.entries(raw)) {
      if (!NAME.test(name)) return yield* bad(`remotes.${name}`, "a remote name is letters, digits, - and _, starting with a letter")
      if (!isRecord(spec) || typeof spec.url !== "string" || spec.url === "") return yield* bad(`remotes.${name}.url`, "expected a URL or a directory")
      for (const k of Object.keys(spec)) {
        if (CREDENTIAL.test(k)) return yield* bad(`remotes.${name}.${k}`, "credentials never go in the committed config: set AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or AWS_PROFILE")
        if (!FIELDS.has(k)) return yield* bad(`remotes.${name}.${k}`, "unknown field (expected url, endpoint, region)")
        if (typeof spec[k] !== "string") return yield* bad(`remotes.${name}.${k}`, "expected a string")
      }
      remotes[name] = { url: spec.url, ...(typeof spec.endpoint === "string" ? { endpoint: spec.endpoint } : {}), ...(typeof spec.region === "string" ? { region: spec.region } : {}) }
    }
    const def = doc.default
    if (def !== undefined && (typeof def !== "string" || remotes[def] === undefined)) {
      return yield* bad("default", `expected the name of a remote${Object.keys(remotes).length ? ` (${Object.keys(remotes).join(", ")})` : ""}`)
    }
    return { ...(typeof def === "string" ? { default: def } : {}), remotes }
  })

export const writeRemotes = (root: string, config: RemotesConfig): Effect.Effect<void, StoreError> => {
  const file = remotesFile(root)
  const header = "# grokflow remotes (push / pull / fetch); README \"Sharing and checking results\". No credentials here.\n"
  const body = YAML.stringify({ ...(config.default === undefined ? {} : { default: config.default }), remotes: config.remotes })
  return Effect.tryPromise({ try: () => writeAtomic(file, header + body), catch: (e) => new StoreError({ path: file, message: `cannot write: ${String(e)}` }) })
}

/** A URL this build can open, or why not (exit 2 at `remote add`). */
export const checkUrl = (url: string): string | undefined => {
  if (url.startsWith("s3://")) return parseS3Url(url)?.bucket === undefined ? "expected s3://bucket/prefix" : undefined
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) && !/^(https?|file):\/\//i.test(url)) return "expected a directory, file://, s3:// or http(s)://"
  return undefined
}

/** Opens a configured remote; `root` resolves a relative directory. */
export const openRemote = (root: string, name: string, spec: RemoteSpec): Remote => {
  const url = spec.url
  if (url.startsWith("s3://")) {
    const { bucket, prefix } = parseS3Url(url) ?? { bucket: "", prefix: "" }
    return s3Remote(name, url, { bucket, prefix, ...(spec.endpoint === undefined ? {} : { endpoint: spec.endpoint }), ...(spec.region === undefined ? {} : { region: spec.region }) })
  }
  if (/^https?:\/\//i.test(url)) return httpRemote(name, url)
  const dir = url.startsWith("file://") ? new URL(url).pathname : path.resolve(root, url)
  return directoryRemote(name, url, dir)
}

/** The remote `-r NAME` names, else the default, else the only one. */
export const selectRemote = (root: string, name: string | undefined): Effect.Effect<Remote, ProfileError | UsageError> =>
  Effect.gen(function*() {
    const config = yield* readRemotes(root)
    const names = Object.keys(config.remotes)
    const chosen = name ?? config.default ?? (names.length === 1 ? names[0] : undefined)
    if (chosen === undefined) {
      return yield* new UsageError({
        message: names.length === 0
          ? `no remote configured (grokflow remote add NAME URL writes ${path.relative(root, remotesFile(root))})`
          : `no default remote: name one with -r NAME (${names.join(", ")}), or set \`default:\` in ${path.relative(root, remotesFile(root))}`
      })
    }
    const spec = config.remotes[chosen]
    if (spec === undefined) return yield* new UsageError({ message: `-r ${chosen}: no such remote (${names.length ? names.join(", ") : "none configured"})` })
    return openRemote(root, chosen, spec)
  })
