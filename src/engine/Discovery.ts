/**
 * Stage discovery: every `*.ts` module in the stages directory default-exports one
 * stage. There is no registry to edit: adding a stage is adding a file. Files
 * starting with `_` are helpers and skipped.
 */
import fg from "fast-glob"
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import { Effect, Result } from "effect"
import { DiscoveryError } from "./Errors.ts"
import { projectRoot } from "./ProjectRoot.ts"
import type { AnyStage } from "./Stage.ts"

export interface DiscoveredStage {
  readonly stage: AnyStage
  /** Absolute path of the module. */
  readonly file: string
  /** Path relative to the project root, posix separators: what keys and messages show. */
  readonly relFile: string
}

export interface StageRegistry {
  readonly dir: string
  readonly root: string
  readonly byName: ReadonlyMap<string, DiscoveredStage>
  /**
   * Modules that failed to import. They do not block profiles that do not use
   * them (a stage being written by someone else must not stop everyone's runs);
   * a profile naming a stage whose module failed gets the import error.
   */
  readonly failures: ReadonlyArray<{ readonly relFile: string; readonly message: string }>
}

/** Stage names become directory names in the store and node ids in profiles. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/

export const toPosixRelative = (root: string, file: string): string =>
  path.relative(root, file).split(path.sep).join("/")

/**
 * Stage modules compiled into the CLI bundle (bin/bundle.mjs), by absolute path.
 * Importing them again from source would load a second engine and effect.
 */
const bundledStages = new Map<string, Record<string, unknown>>()

export const registerBundledStages = (modules: Readonly<Record<string, Record<string, unknown>>>): void => {
  for (const [file, mod] of Object.entries(modules)) bundledStages.set(path.resolve(file), mod)
}

const importStage = (file: string): Promise<Record<string, unknown>> => {
  const bundled = bundledStages.get(path.resolve(file))
  return bundled !== undefined ? Promise.resolve(bundled) : import(pathToFileURL(file).href) as Promise<Record<string, unknown>>
}

const isStage = (value: unknown): value is AnyStage => {
  if (typeof value !== "object" || value === null) return false
  const v = value as Record<string, unknown>
  const schemaLike = (s: unknown) => (typeof s === "object" || typeof s === "function") && s !== null
  return typeof v.name === "string" && typeof v.version === "number" && typeof v.run === "function" &&
    schemaLike(v.config) && schemaLike(v.output) && typeof v.needs === "object" && v.needs !== null
}

export interface DiscoverOptions {
  /** Directory holding the stage modules; default `<root>/stages`. */
  readonly stagesDir?: string
  /** Project root: code globs and recorded paths are relative to it; default projectRoot(). */
  readonly root?: string
}

export const discoverStages = Effect.fnUntraced(function*(options: DiscoverOptions = {}) {
  const root = path.resolve(options.root ?? projectRoot())
  const dir = path.resolve(root, options.stagesDir ?? "stages")
  const files = yield* Effect.tryPromise({
    try: () => fg("*.ts", { cwd: dir, absolute: true, ignore: ["_*.ts", "*.d.ts", "*.test.ts"] }),
    catch: (cause) => new DiscoveryError({ file: dir, message: `cannot list stage modules: ${String(cause)}` })
  })
  files.sort()
  const byName = new Map<string, DiscoveredStage>()
  const failures: Array<{ relFile: string; message: string }> = []
  for (const file of files) {
    const relFile = toPosixRelative(root, file)
    const loaded = yield* Effect.tryPromise({
      try: () => importStage(file),
      catch: (cause) => (cause instanceof Error ? cause.message : String(cause))
    }).pipe(Effect.result)
    if (Result.isFailure(loaded)) {
      failures.push({ relFile, message: `cannot load stage module: ${loaded.failure.split("\n")[0]}` })
      continue
    }
    const mod = loaded.success
    const stage = mod.default
    if (!isStage(stage)) {
      return yield* new DiscoveryError({
        file: relFile,
        message: "expected `export default defineStage({...})` (name, version, config, needs, output, run)"
      })
    }
    if (!NAME.test(stage.name)) {
      return yield* new DiscoveryError({
        file: relFile,
        message: `stage name ${JSON.stringify(stage.name)} must match ${NAME.source}`
      })
    }
    const previous = byName.get(stage.name)
    if (previous !== undefined) {
      return yield* new DiscoveryError({
        file: relFile,
        message: `stage name "${stage.name}" is already defined by ${previous.relFile}`
      })
    }
    byName.set(stage.name, { stage, file, relFile })
  }
  return { dir, root, byName, failures } satisfies StageRegistry
})
