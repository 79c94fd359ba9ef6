/**
 * The training environment that joins keys: backend, tfjs version, precision.
 * Resolved lazily and once: a command whose nodes run no cells never loads a
 * backend, which keeps no-op reruns and fixture runs fast. How the environment is
 * found is the executor's business (src/executor), handed in as a function, so
 * the engine never loads the training core.
 *
 * When no backend can be resolved the environment is `{ backend: "unavailable" }`
 * with a warning, for every command alike so keys stay consistent between
 * `status` and `run`. Work that needs training then fails as a stage failure;
 * nothing computed on a real backend is reused under it (the keys differ).
 */
import { Context, Effect, Layer } from "effect"
import type { Env } from "./Key.ts"

export type BackendChoice = "auto" | "tensorflow" | "wasm" | "cpu"

export class EnvResolver extends Context.Service<EnvResolver, {
  /** Memoized: the first call resolves, later calls return the same value. */
  readonly env: Effect.Effect<Env>
}>()("grokflow/engine/EnvResolver") {
  /** A fixed environment (tests, benches). */
  static readonly fixed = (env: Env): Layer.Layer<EnvResolver> =>
    Layer.succeed(EnvResolver, EnvResolver.of({ env: Effect.succeed(env) }))

  /**
   * Resolves with `resolve` on first use (the executor's backend: src/executor).
   * A failure is not fatal here: keys then use backend "unavailable", and work
   * that needs training fails as a stage failure.
   */
  static readonly make = (
    choice: BackendChoice,
    resolve: (choice: BackendChoice) => Promise<Env>,
    warn: (message: string) => void
  ): Layer.Layer<EnvResolver> =>
    Layer.effect(
      EnvResolver,
      Effect.map(
        Effect.cached(
          Effect.promise(async (): Promise<Env> => {
            try {
              return await resolve(choice)
            } catch (e) {
              warn(`no training backend (${choice}): ${e instanceof Error ? e.message : String(e)}; keys use backend "unavailable" and stages that train will fail`)
              return { backend: "unavailable", requested: choice }
            }
          })
        ),
        (env) => EnvResolver.of({ env })
      )
    )
}
