/** Runs the real stages of a profile in process against the synthetic Trainer. */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Effect, Layer } from "effect"
import { EnvResolver, loadProfile, planPipeline, RunLogger, runPipeline, silentLogger, Store } from "../../src/engine/index.ts"
import { evaluateClaims } from "../../src/verify/evaluate.ts"
import { asNodeOutputs, freshOutputs } from "../../src/verify/freshOutputs.ts"
import { loadClaims } from "../../src/verify/loadClaims.ts"
import { syntheticTrainer } from "./syntheticTrainer.ts"

export interface HarnessOptions {
  /** Key entries with the environment the real CLI resolves (backend "auto"), so
   *  `grokflow` commands run in process against this store see them as fresh. */
  readonly cliEnv?: boolean
}

export const makeHarness = (options: HarnessOptions = {}) => {
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), "grokflow-stages-"))
  const trainer = syntheticTrainer()
  const layer = Layer.mergeAll(
    Store.layer(cacheDir),
    options.cliEnv === true
      ? EnvResolver.live("auto", () => undefined)
      : EnvResolver.fixed({ backend: "synthetic", tfjs: "none", precision: "float32" }),
    RunLogger.layer(silentLogger),
    trainer.layer
  )
  const run = (profile: string, sets: ReadonlyArray<string> = []) =>
    Effect.runPromise(
      Effect.flatMap(loadProfile(profile, { sets }), (p) => runPipeline(p, { jobs: 2 })).pipe(Effect.provide(layer))
    )
  const verify = (profile: string, sets: ReadonlyArray<string> = []) =>
    Effect.runPromise(
      Effect.gen(function*() {
        const p = yield* loadProfile(profile, { sets })
        const plan = yield* planPipeline(p)
        const outputs = yield* freshOutputs(plan)
        const claims = yield* loadClaims(process.cwd())
        return { plan, outputs, rows: evaluateClaims(claims, p.name, asNodeOutputs(plan, outputs)) }
      }).pipe(Effect.provide(layer))
    )
  return { cacheDir, trainer, layer, run, verify }
}
