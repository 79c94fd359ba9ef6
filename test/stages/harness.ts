/** Runs the real stages of a profile in process against the synthetic executor. */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Effect, Layer, Scope } from "effect"
import { EnvResolver, loadProfile, planPipeline, RunLogger, runPipeline, silentLogger, Store } from "../../src/engine/index.ts"
import { memoryStore } from "../../src/engine/Store.ts"
import { evaluateClaims } from "../../src/verify/evaluate.ts"
import { asNodeOutputs, freshOutputs } from "../../src/verify/freshOutputs.ts"
import { loadClaims } from "../../src/verify/loadClaims.ts"
import { resolveEnv } from "../../src/executor/local.ts"
import { syntheticTrainer } from "./syntheticTrainer.ts"

export interface HarnessOptions {
  /** Key entries with the environment the real CLI resolves (backend "auto"), so
   *  `grokflow` commands run in process against this store see them as fresh. */
  readonly cliEnv?: boolean
  /** A project root other than the cwd (a copy of the repository to edit). */
  readonly root?: string
  /**
   * "memory": the store lives in memory, for tests that use the store only as
   * scaffolding; without it, a file store in a temp dir (`cacheDir`), for tests
   * that run the CLI against it or look at its files.
   */
  readonly store?: "memory"
}

/**
 * One memory store for a test's whole life, across runs: each build of
 * Store.layerMemory is a new, empty store. Its scope is never closed, as a file
 * harness's temp dir is never removed.
 */
export const sharedMemoryStore = () => Layer.succeed(Store, Effect.runSync(Scope.provide(Scope.makeUnsafe())(memoryStore)))

/** A harness over a memory store; a file harness adds `cacheDir`, the store's directory. */
export type Harness = Omit<FileHarness, "cacheDir">
export type FileHarness = ReturnType<typeof harness>

export function makeHarness(options: HarnessOptions & { readonly store: "memory" }): Harness
export function makeHarness(options?: HarnessOptions & { readonly store?: undefined }): FileHarness
export function makeHarness(options: HarnessOptions = {}) {
  return harness(options)
}

const harness = (options: HarnessOptions) => {
  const cacheDir = options.store === "memory" ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), "grokflow-stages-"))
  const trainer = syntheticTrainer()
  const layer = Layer.mergeAll(
    cacheDir === undefined ? sharedMemoryStore() : Store.layer(cacheDir),
    options.cliEnv === true
      ? EnvResolver.make("auto", resolveEnv, () => undefined)
      : EnvResolver.fixed({ backend: "synthetic", tfjs: "none", precision: "float32" }),
    RunLogger.layer(silentLogger),
    trainer.layer
  )
  const load = (profile: string, sets: ReadonlyArray<string>) =>
    loadProfile(profile, { sets, ...(options.root === undefined ? {} : { root: options.root }) })
  const run = (profile: string, sets: ReadonlyArray<string> = [], splitCells = false) =>
    Effect.runPromise(Effect.flatMap(load(profile, sets), (p) => runPipeline(p, { jobs: 2, splitCells })).pipe(Effect.provide(layer)))
  /** A run timed from outside, around the pipeline alone (the profile is loaded first). */
  const runTimed = (profile: string, sets: ReadonlyArray<string> = []) =>
    Effect.runPromise(
      Effect.gen(function*() {
        const p = yield* load(profile, sets)
        const t0 = performance.now()
        const summary = yield* runPipeline(p, { jobs: 2 })
        return { summary, seconds: (performance.now() - t0) / 1000 }
      }).pipe(Effect.provide(layer))
    )
  const verify = (profile: string, sets: ReadonlyArray<string> = []) =>
    Effect.runPromise(
      Effect.gen(function*() {
        const p = yield* load(profile, sets)
        const plan = yield* planPipeline(p)
        const outputs = yield* freshOutputs(plan)
        const claims = yield* loadClaims(process.cwd())
        return { plan, outputs, claims, rows: evaluateClaims(claims, p.name, asNodeOutputs(plan, outputs)) }
      }).pipe(Effect.provide(layer))
    )
  /** The store's entries (all, or one stage's or cell's), as `cache ls` lists them. */
  const entries = (of?: { readonly kind: "stage" | "cell"; readonly name: string }) =>
    Effect.runPromise(
      Effect.gen(function*() {
        return yield* (yield* Store).listEntries(of)
      }).pipe(Effect.provide(layer))
    )
  return { cacheDir: cacheDir!, trainer, layer, load, run, runTimed, verify, entries }
}
