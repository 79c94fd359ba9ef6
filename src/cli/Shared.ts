/**
 * What every grokflow command shares: the common flags, the engine Layer, and the
 * error convention. A command's handler fails with an engine error; `withEngine`
 * prints its one-line `.rendered` message (never a stack trace) and sets the
 * exit code from `.exitCode` (2 for user mistakes, 1 otherwise).
 */
import * as path from "node:path"
import { Effect, Option } from "effect"
import { Flag } from "effect/cli"
import { resolveEnv } from "../executor/local.ts"
import { didYouMean, engineLayer, loadProfile, UsageError } from "../engine/index.ts"
import type { BackendChoice, EnvResolver, Profile, Store, StoreDir } from "../engine/index.ts"

/** An off-by-default boolean flag: the shape of most of the CLI's switches. */
export const switchFlag = (name: string, description: string) => Flag.Boolean(name).pipe(Flag.withDescription(description), Flag.withDefault(false))

export const profileFlag = Flag.String("profile").pipe(
  Flag.withAlias("p"),
  Flag.withDescription("profile name (pipeline/<name>.yaml) or path to a profile file; default: quick, the embedded default"),
  Flag.withDefault("quick")
)

export const cacheDirFlag = Flag.String("cache-dir").pipe(
  Flag.withDescription("store directory (default: $GROKFLOW_CACHE, else <project>/cache)"),
  Flag.optional
)

export const stagesDirFlag = Flag.String("stages-dir").pipe(
  Flag.withDescription("directory of stage modules (default: <project>/stages)"),
  Flag.optional
)

export const setFlag = Flag.String("set").pipe(
  Flag.withDescription("override one config value for this command: node.field.path=value (YAML value; repeatable)"),
  Flag.atLeast(0)
)

export const backendFlag = Flag.Literals("backend", ["auto", "tensorflow", "wasm", "cpu"]).pipe(
  Flag.withDescription("training backend; joins the cache keys of stages that train"),
  Flag.withDefault("auto" as const)
)

export const numericsFlag = Flag.Literals("numerics", ["portable", "wasm", "openblas"]).pipe(
  Flag.withDescription("products on the wasm backend (default portable: the same bits on every CPU; openblas is bound to this CPU's kernel family); joins the cache keys"),
  Flag.optional
)

/** `--numerics` travels as $GROKFLOW_NUMERICS, which the backend resolution reads (src/train/backend/resolve.ts). */
export const applyNumerics = (numerics: Option.Option<string> | undefined): void => {
  if (numerics !== undefined && Option.isSome(numerics)) process.env.GROKFLOW_NUMERICS = numerics.value
}

/** The flags of every command that reads a profile and the store. */
export const engineFlags = {
  profile: profileFlag,
  cacheDir: cacheDirFlag,
  stagesDir: stagesDirFlag,
  set: setFlag,
  backend: backendFlag,
  numerics: numericsFlag
}

export interface EngineFlagValues {
  readonly profile: string
  readonly cacheDir: Option.Option<string>
  readonly stagesDir: Option.Option<string>
  readonly set: ReadonlyArray<string>
  readonly backend: BackendChoice
  readonly numerics: Option.Option<string>
}

let pendingExitCode = 0

/** Records the command's exit code (the worst one wins); main() reads and resets it. */
export const setExitCode = (code: number): void => {
  pendingExitCode = Math.max(pendingExitCode, code)
}

export const takeExitCode = (): number => {
  const code = pendingExitCode
  pendingExitCode = 0
  return code
}

export const warn = (message: string): void => void process.stderr.write(`[grokflow] warning: ${message}\n`)

export const out = (text: string): Effect.Effect<void> => Effect.sync(() => void process.stdout.write(text.endsWith("\n") ? text : `${text}\n`))

/** Loads the profile named by the flags (with `--set` and `--stages-dir`). */
export const profileFrom = (flags: EngineFlagValues) =>
  loadProfile(flags.profile, {
    sets: flags.set,
    // As typed, from the current folder; only the default is the project's stages/.
    ...(Option.isSome(flags.stagesDir) ? { stagesDir: path.resolve(flags.stagesDir.value) } : {})
  }).pipe(
    Effect.tap((profile) =>
      Effect.sync(() => {
        for (const f of profile.registry.failures) warn(`${f.relFile} skipped (not used by this profile): ${f.message}`)
      })
    )
  )

/** `no node "clamp-swep" in pipeline/quick.yaml (did you mean "clamp-sweep"?) (nodes: …)` */
export const noNode = (profile: Profile, id: string): string =>
  `no node "${id}" in ${profile.file}${didYouMean(id, profile.byId.keys())} (nodes: ${[...profile.byId.keys()].join(", ")})`

/** Node ids from a flag's values (each comma-separated), every one checked against the profile. */
export const nodeList = (profile: Profile, flag: string, values: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const ids = values.flatMap((v) => v.split(",")).map((s) => s.trim()).filter((s) => s !== "")
    for (const id of ids) if (!profile.byId.has(id)) return yield* new UsageError({ message: `${flag} ${id}: ${noNode(profile, id)}` })
    return ids
  })

interface RenderedError {
  readonly rendered: string
  readonly exitCode: number
}

const isRendered = (e: unknown): e is RenderedError =>
  typeof e === "object" && e !== null && typeof (e as RenderedError).rendered === "string" && typeof (e as RenderedError).exitCode === "number"

/**
 * Provides the store and environment and applies the error convention. Engine
 * errors end here; anything else (a bug) keeps its stack for the top level.
 */
export const withEngine = <A, E, R>(
  flags: { readonly cacheDir: Option.Option<string>; readonly backend: BackendChoice; readonly numerics?: Option.Option<string> },
  effect: Effect.Effect<A, E, R>
): Effect.Effect<void, Exclude<E, RenderedError>, Exclude<R, Store | StoreDir | EnvResolver>> =>
  Effect.suspend(() => {
    applyNumerics(flags.numerics)
    return effect
  }).pipe(
    Effect.asVoid,
    Effect.provide(engineLayer({ ...(Option.isSome(flags.cacheDir) ? { cacheDir: flags.cacheDir.value } : {}), backend: flags.backend, resolveEnv, warn })),
    Effect.catch((e: E) => {
      if (!isRendered(e)) return Effect.fail(e as Exclude<E, RenderedError>)
      return Effect.sync(() => {
        process.stderr.write(`grokflow: ${e.rendered}\n`)
        setExitCode(e.exitCode)
      })
    })
  ) as Effect.Effect<void, Exclude<E, RenderedError>, Exclude<R, Store | StoreDir | EnvResolver>>
