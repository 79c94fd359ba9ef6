/**
 * The entry manifest: what `entries/<name>/<key>.json` holds. Written after the
 * blobs it points to, so a manifest on disk always describes finished work; read
 * back through this Schema, so a hand-edited or truncated manifest is a miss.
 */
import { createRequire } from "node:module"
import * as os from "node:os"
import { Schema } from "effect"

export const ENTRY_FORMAT = "grokflow-entry/1"

export const CellRef = Schema.Struct({ name: Schema.String, key: Schema.String })
export type CellRef = typeof CellRef.Type

export const Manifest = Schema.Struct({
  format: Schema.Literal(ENTRY_FORMAT),
  kind: Schema.Literals(["stage", "cell"]),
  /** Stage name or cell name. */
  name: Schema.String,
  key: Schema.String,
  /** The node id and profile that produced it (stages only; informative). */
  node: Schema.optional(Schema.String),
  profile: Schema.optional(Schema.String),
  /** Cell label, e.g. "p=59 rho=1.15". */
  label: Schema.optional(Schema.String),
  /** The object whose canonical sha256 is `key`. */
  preimage: Schema.Record(Schema.String, Schema.Unknown),
  output: Schema.Struct({ digest: Schema.String, bytes: Schema.Number }),
  /** Cells the stage used, hits included: what `cache gc` keeps alive with it. */
  cells: Schema.optional(Schema.Array(CellRef)),
  timings: Schema.Struct({ startedAt: Schema.String, finishedAt: Schema.String, seconds: Schema.Number }),
  tools: Schema.Record(Schema.String, Schema.String),
  host: Schema.Struct({ hostname: Schema.String, platform: Schema.String, arch: Schema.String, cpus: Schema.Number })
})
export type Manifest = typeof Manifest.Type

export const decodeManifest = Schema.decodeUnknownResult(Manifest)

/** Directory under `entries/` for a stage or a cell name; cells get a `cell.` prefix (stage names cannot contain dots). */
export const entryDir = (kind: "stage" | "cell", name: string): string => (kind === "cell" ? `cell.${name}` : name)

let toolsMemo: Readonly<Record<string, string>> | undefined

const versionOf = (pkg: string): string | undefined => {
  try {
    const require = createRequire(import.meta.url)
    return (require(`${pkg}/package.json`) as { readonly version?: string }).version
  } catch {
    return undefined
  }
}

export const toolVersions = (): Readonly<Record<string, string>> => {
  if (toolsMemo === undefined) {
    const tools: Record<string, string> = { node: process.version }
    for (const pkg of ["effect", "@tensorflow/tfjs-core"]) {
      const v = versionOf(pkg)
      if (v !== undefined) tools[pkg] = v
    }
    toolsMemo = tools
  }
  return toolsMemo
}

export const hostInfo = () => ({
  hostname: os.hostname(),
  platform: os.platform(),
  arch: os.arch(),
  cpus: os.availableParallelism()
})

/** A manifest for work that just finished: timings and host live here, never in the output blob. */
export const manifestOf = (fields: {
  readonly kind: "stage" | "cell"
  readonly name: string
  readonly key: string
  readonly preimage: object
  readonly digest: string
  readonly bytes: number
  readonly startedAt: Date
  readonly seconds: number
  readonly node?: string
  readonly profile?: string
  readonly label?: string
  readonly cells?: ReadonlyArray<CellRef>
}): Manifest => ({
  format: ENTRY_FORMAT,
  kind: fields.kind,
  name: fields.name,
  key: fields.key,
  ...(fields.node === undefined ? {} : { node: fields.node }),
  ...(fields.profile === undefined ? {} : { profile: fields.profile }),
  ...(fields.label === undefined ? {} : { label: fields.label }),
  preimage: fields.preimage as Record<string, unknown>,
  output: { digest: fields.digest, bytes: fields.bytes },
  ...(fields.cells === undefined ? {} : { cells: fields.cells }),
  timings: { startedAt: fields.startedAt.toISOString(), finishedAt: new Date().toISOString(), seconds: fields.seconds },
  tools: toolVersions(),
  host: hostInfo()
})
