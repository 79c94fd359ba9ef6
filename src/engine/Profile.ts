/**
 * Profiles: `pipeline/<name>.yaml` names the nodes to run, the stage each runs,
 * how its inputs are bound and its config. Loading validates everything against
 * the discovered stages' Schemas and fails with a ProfileError that names the
 * file, the field path, the line and what was expected, so the user never sees a
 * stack trace for a typo.
 *
 * ```yaml
 * description: one line
 * defaults: { seeds: 4, budget: 6000 }   # config fields shared by every node whose stage has them
 * stages:
 *   measure-wc:              # node id = stage name unless `stage:` says otherwise
 *     config: { ... }        # a node's own value wins over `defaults`
 *   dense-sweep:
 *     stage: clamp-sweep
 *     needs: { wc: measure-wc }   # rebinding; default: the node named like the needed stage
 *     config: { ... }
 *   delay-law-fits:
 *     needs: { sweep: dense-sweep }  # an optional input binds only when named here
 * ```
 *
 * `defaults` fill only fields the node's stage declares, so a shared `seeds` does
 * not reach a fits stage; a default no stage of the profile declares is an error
 * (a typo would otherwise be silently ignored). Optional inputs are never bound
 * by name alone: delay-law-fits declares two inputs of stage clamp-sweep (`sweep`,
 * `saturation`), and binding both to the one node called clamp-sweep would read
 * the sweep as its own saturation cell.
 * A stage's `requires` (e.g. mse-contrast's Wc must come from `loss: mse`) is
 * checked against the bound node's config here, at load time.
 */
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { Effect, Result, Schema } from "effect"
import { LineCounter, parseDocument } from "yaml"
import { toJson } from "./Canonical.ts"
import type { Json } from "./Canonical.ts"
import { findCycle, topoOrder } from "./Dag.ts"
import type { DiscoveredStage, StageRegistry } from "./Discovery.ts"
import { ProfileError } from "./Errors.ts"
import { unmet } from "./Requirement.ts"
import { isOptionalNeed, needStage } from "./Stage.ts"
import { applyOverrides, parseOverrides } from "./Overrides.ts"
import { didYouMean } from "./Suggest.ts"
import { configError, configFields, declaredAnywhere, describe, displayPath, listProfileNamesSync, locate, resolveProfilePath } from "./ProfileFile.ts"
import { formatPath } from "./SchemaProblem.ts"

export { displayPath, listProfileNamesSync, resolveProfilePath } from "./ProfileFile.ts"
export { formatPath } from "./SchemaProblem.ts"

export interface NodeInput {
  /** Input name in the stage's `needs`. */
  readonly name: string
  /** The stage the input wants. */
  readonly stage: string
  /** Node id bound to it; undefined only for an optional need with no node. */
  readonly node: string | undefined
  readonly optional: boolean
}

export interface ProfileNode {
  readonly id: string
  readonly stage: DiscoveredStage
  /** Decoded config (defaults applied): what `run` receives. */
  readonly config: unknown
  /** Schema-encoded config as canonical JSON data: what joins the key. */
  readonly configJson: Json
  readonly inputs: ReadonlyArray<NodeInput>
}

export interface Profile {
  /** Short name (file name without extension); scopes `refs/` in the store. */
  readonly name: string
  /** The file as shown in messages (relative to the project root where possible). */
  readonly file: string
  readonly path: string
  readonly description: string
  /** Nodes in a topological order (every node after the nodes it needs). */
  readonly nodes: ReadonlyArray<ProfileNode>
  readonly byId: ReadonlyMap<string, ProfileNode>
  readonly registry: StageRegistry
  /** The `--set` arguments applied, as given. */
  readonly overrides: ReadonlyArray<string>
}

export interface LoadProfileOptions {
  readonly registry: StageRegistry
  /** `node.field.path=value` overrides (the `--set` flag). */
  readonly sets?: ReadonlyArray<string>
}

/** The top-level block of shared config fields, and its name in `--set`. */
const DEFAULTS = "defaults"

const decodeOptions = { errors: "all", onExcessProperty: "error", reportInput: true } as const

export const loadProfileFrom = Effect.fnUntraced(function*(nameOrPath: string, options: LoadProfileOptions) {
  const { registry } = options
  const absPath = resolveProfilePath(nameOrPath, registry.root)
  const file = displayPath(absPath)
  const text = yield* Effect.tryPromise({
    try: () => fs.readFile(absPath, "utf8"),
    catch: () => {
      const known = listProfileNamesSync(registry.root)
      return new ProfileError({
        file,
        path: "",
        message: `no such profile${didYouMean(path.basename(nameOrPath).replace(/\.ya?ml$/, ""), known)}${known.length ? ` (known: ${known.join(", ")})` : ""}`
      })
    }
  })
  const counter = new LineCounter()
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true })
  const fail = (segments: ReadonlyArray<PropertyKey>, message: string) =>
    new ProfileError({ file, path: formatPath(segments), message, ...locate(doc, counter, segments) })

  if (doc.errors.length > 0) {
    const err = doc.errors[0]
    const pos = counter.linePos(err.pos[0])
    return yield* new ProfileError({ file, path: "", message: `invalid YAML: ${err.message.split("\n")[0]}`, line: pos.line, column: pos.col })
  }
  const raw: unknown = doc.toJS()
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    return yield* fail([], `expected a mapping with \`stages:\`, got ${describe(raw)}`)
  }
  const top = raw as Record<string, unknown>
  if (top.description !== undefined && typeof top.description !== "string") {
    return yield* fail(["description"], `expected a string, got ${describe(top.description)}`)
  }
  const stagesRaw = top.stages
  if (typeof stagesRaw !== "object" || stagesRaw === null || Array.isArray(stagesRaw)) {
    return yield* fail(["stages"], `expected a mapping of node id to node, got ${describe(stagesRaw)}`)
  }
  const rawNodes = stagesRaw as Record<string, unknown>
  // `--set defaults.seeds=8` overrides a shared field for every node that inherits it.
  const overrides = yield* parseOverrides(options.sets ?? [], new Set([...Object.keys(rawNodes), DEFAULTS]), file)
  if (top.defaults !== undefined && top.defaults !== null && (typeof top.defaults !== "object" || Array.isArray(top.defaults))) {
    return yield* fail(["defaults"], `expected a mapping of config field to value, got ${describe(top.defaults)}`)
  }
  if (DEFAULTS in rawNodes) return yield* fail(["stages", DEFAULTS], `"${DEFAULTS}" is reserved for the profile's shared fields; name the node otherwise`)
  const defaults = applyOverrides(top.defaults ?? {}, overrides.filter((o) => o.node === DEFAULTS)) as Readonly<Record<string, unknown>>

  interface Draft {
    readonly id: string
    readonly stage: DiscoveredStage
    readonly rebind: Readonly<Record<string, string>>
    readonly config: unknown
    readonly configJson: Json
  }
  const drafts: Array<Draft> = []
  const known = [...registry.byName.keys()].sort()
  for (const [id, value] of Object.entries(rawNodes)) {
    const at = ["stages", id]
    if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(id)) {
      return yield* fail(at, "node ids use letters, digits, '-' and '_'")
    }
    if (value !== null && (typeof value !== "object" || Array.isArray(value))) {
      return yield* fail(at, `expected a mapping with optional stage, needs, config; got ${describe(value)}`)
    }
    const entry = (value ?? {}) as Record<string, unknown>
    for (const key of Object.keys(entry)) {
      if (key !== "stage" && key !== "needs" && key !== "config") {
        return yield* fail([...at, key], `unknown field${didYouMean(key, ["stage", "needs", "config"])} (expected stage, needs or config)`)
      }
    }
    if (entry.stage !== undefined && typeof entry.stage !== "string") {
      return yield* fail([...at, "stage"], `expected a stage name, got ${describe(entry.stage)}`)
    }
    const stageName = entry.stage ?? id
    const stage = registry.byName.get(stageName)
    if (stage === undefined) {
      const broken = registry.failures.find((f) => path.basename(f.relFile, ".ts") === stageName)
      if (broken !== undefined) {
        return yield* fail(entry.stage === undefined ? at : [...at, "stage"], `stage "${stageName}" did not load: ${broken.relFile}: ${broken.message}`)
      }
      return yield* fail(entry.stage === undefined ? at : [...at, "stage"], `unknown stage "${stageName}"${didYouMean(stageName, known)} (known stages: ${known.join(", ") || "none"}; add a module under ${displayPath(registry.dir)}/ or name one with \`stage:\`)`)
    }
    const rebind: Record<string, string> = {}
    if (entry.needs !== undefined && entry.needs !== null) {
      if (typeof entry.needs !== "object" || Array.isArray(entry.needs)) {
        return yield* fail([...at, "needs"], `expected a mapping of input name to node id, got ${describe(entry.needs)}`)
      }
      for (const [input, target] of Object.entries(entry.needs as Record<string, unknown>)) {
        if (!(input in stage.stage.needs)) {
          const inputs = Object.keys(stage.stage.needs)
          return yield* fail([...at, "needs", input], `stage "${stageName}" has no input "${input}" (its inputs: ${inputs.join(", ") || "none"})`)
        }
        if (typeof target !== "string") {
          return yield* fail([...at, "needs", input], `expected a node id, got ${describe(target)}`)
        }
        rebind[input] = target
      }
    }
    if (entry.config !== undefined && entry.config !== null && (typeof entry.config !== "object" || Array.isArray(entry.config))) {
      return yield* fail([...at, "config"], `expected a mapping, got ${describe(entry.config)}`)
    }
    const nodeOverrides = overrides.filter((o) => o.node === id)
    const own = (entry.config ?? {}) as Readonly<Record<string, unknown>>
    const declared = configFields(stage.stage.config)
    const inherited = Object.keys(defaults).filter((field) => declared.has(field) && !(field in own))
    const withDefaults = { ...Object.fromEntries(inherited.map((field) => [field, defaults[field]])), ...own }
    const rawConfig = applyOverrides(withDefaults, nodeOverrides)
    const decoded = Schema.decodeUnknownResult(stage.stage.config)(rawConfig, decodeOptions)
    if (Result.isFailure(decoded)) {
      const defaultOverrides = overrides.filter((o) => o.node === DEFAULTS && inherited.includes(o.path[0]))
      return yield* configError(decoded.failure.issue, at, nodeOverrides, defaultOverrides, new Set(inherited), fail, declared)
    }
    const encoded = Schema.encodeUnknownResult(stage.stage.config)(decoded.success)
    if (Result.isFailure(encoded)) {
      return yield* fail([...at, "config"], `config does not encode back to JSON: ${String(encoded.failure)}`)
    }
    let configJson: Json
    try {
      configJson = toJson(encoded.success)
    } catch (e) {
      return yield* fail([...at, "config"], e instanceof Error ? e.message : String(e))
    }
    drafts.push({ id, stage, rebind, config: decoded.success, configJson })
  }

  const unused = Object.keys(defaults).filter((field) => !declaredAnywhere(drafts, field))
  if (unused.length > 0) {
    return yield* fail(["defaults", unused[0]], `no stage of this profile has a config field "${unused[0]}" (check the spelling against the stages' config schemas)`)
  }

  const ids = new Map(drafts.map((d) => [d.id, d]))
  const nodes: Array<ProfileNode> = []
  for (const d of drafts) {
    const inputs: Array<NodeInput> = []
    for (const [input, need] of Object.entries(d.stage.stage.needs)) {
      const wanted = needStage(need).name
      const optional = isOptionalNeed(need)
      const explicit = d.rebind[input]
      if (optional && explicit === undefined) {
        inputs.push({ name: input, stage: wanted, node: undefined, optional })
        continue
      }
      const target = explicit ?? wanted
      const bound = ids.get(target)
      if (bound === undefined) {
        if (explicit !== undefined) {
          return yield* fail(["stages", d.id, "needs", input], `no node "${explicit}" in this profile (nodes: ${[...ids.keys()].join(", ")})`)
        }
        return yield* fail(["stages", d.id], `input "${input}" needs a node running stage "${wanted}", but there is no node "${wanted}" (add one, or bind it with \`needs: { ${input}: <node> }\`)`)
      }
      if (bound.stage.stage.name !== wanted) {
        return yield* fail(explicit !== undefined ? ["stages", d.id, "needs", input] : ["stages", d.id], `input "${input}" needs stage "${wanted}", but node "${target}" runs stage "${bound.stage.stage.name}"`)
      }
      const requirement = d.stage.stage.requires?.[input]
      const miss = requirement === undefined ? [] : unmet(requirement, bound.config)
      if (requirement !== undefined && miss.length > 0) {
        const { field, want, got } = miss[0]
        const boundField = ["stages", target, "config", field]
        return yield* fail(explicit !== undefined ? ["stages", d.id, "needs", input] : ["stages", d.id], `input "${input}" needs a node with ${field}: ${JSON.stringify(want)} (${requirement.because}), but node "${target}" has ${formatPath(boundField)} = ${JSON.stringify(got)}`)
      }
      inputs.push({ name: input, stage: wanted, node: target, optional })
    }
    nodes.push({ id: d.id, stage: d.stage, config: d.config, configJson: d.configJson, inputs })
  }

  const edges = nodes.flatMap((n) => n.inputs.flatMap((i) => (i.node === undefined ? [] : [[i.node, n.id] as const])))
  const cycle = findCycle(nodes.map((n) => n.id), edges)
  if (cycle !== undefined) {
    return yield* fail(["stages", cycle[0]], `cycle in needs: ${cycle.join(" → ")}`)
  }
  const order = topoOrder(nodes.map((n) => n.id), edges)
  const byId = new Map(nodes.map((n) => [n.id, n]))
  const sorted = order.map((id) => byId.get(id)!)
  return {
    name: path.basename(absPath).replace(/\.ya?ml$/, ""),
    file,
    path: absPath,
    description: typeof top.description === "string" ? top.description : "",
    nodes: sorted,
    byId,
    registry,
    overrides: options.sets ?? []
  } satisfies Profile
})
