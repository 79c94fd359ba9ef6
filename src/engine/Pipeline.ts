/**
 * The engine's front door for commands (run, status, dag, cache, and the verify
 * and report commands built elsewhere): load a profile, plan it, read a node's
 * stored output with the manifest it came from, and the Layer that provides the
 * store and the training environment to all of these.
 */
import * as path from "node:path"
import { Effect, Layer } from "effect"
import { discoverStages } from "./Discovery.ts"
import type { DiscoverOptions, StageRegistry } from "./Discovery.ts"
import { EnvResolver } from "./Env.ts"
import type { BackendChoice } from "./Env.ts"
import type { DiscoveryError } from "./Errors.ts"
import type { Env } from "./Key.ts"
import { NotInStore } from "./Errors.ts"
import type { Manifest } from "./Manifest.ts"
import type { PlannedNode } from "./Plan.ts"
import { loadProfileFrom } from "./Profile.ts"
import { projectRoot } from "./ProjectRoot.ts"
import { decodeOutput } from "./OutputCodec.ts"
import { Store, StoreDir, resolveCacheDir } from "./Store.ts"

const registries = new Map<string, Effect.Effect<StageRegistry, DiscoveryError>>()

/** Discovers the stages of a directory once per process (modules are cached by Node anyway). */
export const stageRegistry = (options: DiscoverOptions = {}): Effect.Effect<StageRegistry, DiscoveryError> =>
  Effect.suspend(() => {
    const root = path.resolve(options.root ?? projectRoot())
    const dir = path.resolve(root, options.stagesDir ?? "stages")
    const id = `${root}\0${dir}`
    let memo = registries.get(id)
    if (memo === undefined) {
      memo = Effect.runSync(Effect.cached(discoverStages({ root, stagesDir: dir })))
      registries.set(id, memo)
    }
    return memo
  })

export interface LoadOptions extends DiscoverOptions {
  /** `node.field.path=value` overrides, as `--set` takes them. */
  readonly sets?: ReadonlyArray<string>
}

/** Loads and validates `pipeline/<name>.yaml` (or a path) against the discovered stages. */
export const loadProfile = (nameOrPath: string, options: LoadOptions = {}) =>
  Effect.flatMap(stageRegistry(options), (registry) => loadProfileFrom(nameOrPath, { registry, sets: options.sets ?? [] }))

export interface NodeOutput<A = unknown> {
  readonly node: string
  readonly stage: string
  /** The decoded output, as the stage's `output` schema types it. */
  readonly output: A
  readonly key: string
  readonly outputDigest: string
  /** Absolute path of the manifest: cite it next to every number taken from `output`. */
  readonly manifestPath: string
  readonly manifest: Manifest
}

/**
 * The stored output of a fresh node, re-verified. A stale or pending node has no
 * output for the current profile: NotInStore, telling the user to run first.
 */
export const readNodeOutput = Effect.fnUntraced(function*(node: PlannedNode) {
  const store = yield* Store
  if (node.status !== "fresh" || node.key === undefined) {
    return yield* new NotInStore({ node: node.id, message: `not computed for this profile (${node.status}); run \`grokflow run\` first` })
  }
  const found = yield* store.lookup("stage", node.stage, node.key)
  if (found._tag === "Miss") {
    return yield* new NotInStore({ node: node.id, message: found.problem ?? "entry disappeared; run again" })
  }
  const output = decodeOutput(node.node.stage.stage.output, found.bytes)
  if (output === undefined) {
    return yield* new NotInStore({ node: node.id, message: "stored output no longer matches the stage's output schema; run again" })
  }
  return {
    node: node.id,
    stage: node.stage,
    output,
    key: node.key,
    outputDigest: found.manifest.output.digest,
    manifestPath: found.manifestPath,
    manifest: found.manifest
  } satisfies NodeOutput
})

export interface EngineLayerOptions {
  /** Store directory; default `--cache-dir` semantics: GROKFLOW_CACHE, else <project>/cache. */
  readonly cacheDir?: string
  readonly backend?: BackendChoice
  /** How the training environment is found (src/executor's `resolveEnv`); without it, keys use `{ backend: "none" }`. */
  readonly resolveEnv?: (choice: BackendChoice) => Promise<Env>
  /** Where environment warnings go (no backend available, ...). */
  readonly warn?: (message: string) => void
}

/** The file Store (and its StoreDir) + EnvResolver, as every engine operation needs them. */
export const engineLayer = (options: EngineLayerOptions = {}): Layer.Layer<Store | StoreDir | EnvResolver> =>
  Layer.mergeAll(
    Store.layer(resolveCacheDir(options.cacheDir)),
    EnvResolver.make(
      options.backend ?? "auto",
      options.resolveEnv ?? (async () => ({ backend: "none" })),
      options.warn ?? ((m) => process.stderr.write(`[grokflow] warning: ${m}\n`))
    )
  )
