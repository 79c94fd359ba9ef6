/**
 * The live Trainer: a pool of worker threads, one tfjs instance each.
 * PLACEHOLDER SIGNATURE — the training core replaces this body.
 */
import { Effect, Layer } from "effect"
import { TrainFailure, Trainer } from "./Trainer.ts"

export type BackendChoice = "auto" | "tensorflow" | "wasm" | "cpu"

export interface ResolvedBackend {
  /** The backend that will train: "tensorflow" | "wasm" | "cpu". */
  readonly name: "tensorflow" | "wasm" | "cpu"
  readonly tfjsVersion: string
  /** e.g. "simd", "simd+threads", "" — shown in reports, part of cache keys. */
  readonly detail: string
}

/** Picks the backend: the flag if given, else tensorflow where it loads, else wasm, else cpu. */
export const resolveBackend = (choice: BackendChoice): Promise<ResolvedBackend> =>
  Promise.reject(new Error(`training core not built yet (asked for ${choice})`))

export const TrainerLive = (options: { readonly backend: BackendChoice; readonly workers: number }): Layer.Layer<Trainer> =>
  Layer.succeed(
    Trainer,
    Trainer.of({
      backend: options.backend,
      train: () => Effect.fail(new TrainFailure({ message: "training core not built yet" })),
      fork: () => Effect.fail(new TrainFailure({ message: "training core not built yet" }))
    })
  )
