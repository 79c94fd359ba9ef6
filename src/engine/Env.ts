/**
 * The training environment that joins keys: backend, tfjs version, precision.
 * Resolved lazily and once: a command whose nodes never train (every stage
 * `usesTrainer: false`, no cell requested) never loads a backend, which keeps
 * no-op reruns and fixture runs fast.
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

  /** Resolves through the training core's `resolveBackend`, on first use. */
  static readonly live = (choice: BackendChoice, warn: (message: string) => void): Layer.Layer<EnvResolver> =>
    Layer.effect(
      EnvResolver,
      Effect.map(
        Effect.cached(
          Effect.promise(async (): Promise<Env> => {
            try {
              const { resolveBackend } = await import("../train/TrainerLive.ts")
              const resolved = await resolveBackend(choice)
              return { backend: resolved.name, tfjs: resolved.tfjsVersion, detail: resolved.detail, precision: "float32" }
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
