/**
 * Backend vocabulary shared by resolution (main thread, cheap) and initialization
 * (inside each training worker, where tfjs is actually loaded).
 */
import type * as TfNamespace from "@tensorflow/tfjs"

export type BackendChoice = "auto" | "tensorflow" | "wasm" | "cpu"

export type BackendName = "tensorflow" | "wasm" | "cpu"

export interface ResolvedBackend {
  /** The backend that will train: "tensorflow" | "wasm" | "cpu". */
  readonly name: BackendName
  readonly tfjsVersion: string
  /** e.g. "simd", "simd+openblas:Haswell" (the native GEMM), "" — shown in reports, part of cache keys. */
  readonly detail: string
}

/** The initialized tfjs namespace handed to the training core. */
export type Tf = typeof TfNamespace

export const backendChoices: ReadonlyArray<BackendChoice> = ["auto", "tensorflow", "wasm", "cpu"]

export const isBackendChoice = (s: string): s is BackendChoice =>
  (backendChoices as ReadonlyArray<string>).includes(s)

/** One-line label for logs and reports, e.g. "wasm (simd) · tfjs 4.22.0". */
export const describeBackend = (b: ResolvedBackend): string =>
  `${b.name}${b.detail === "" ? "" : ` (${b.detail})`} · tfjs ${b.tfjsVersion}`
