/**
 * Backend vocabulary shared by resolution (main thread, cheap) and initialization
 * (inside each training worker, where tfjs is actually loaded).
 */

export type BackendChoice = "auto" | "tensorflow" | "wasm" | "cpu"

export type BackendName = "tensorflow" | "wasm" | "cpu"

export interface ResolvedBackend {
  /** The backend that will train: "tensorflow" | "wasm" | "cpu". */
  readonly name: BackendName
  readonly tfjsVersion: string
  /**
   * The numerics (part of cache keys, shown in reports). On wasm: "f32-fma-kseq-v1"
   * (the portable GEMM, simd/portableGemm.ts), "wasm-simd" (XNNPACK's products),
   * "openblas:<kernel family>" (machine-bound), or "wasm" (no SIMD). Otherwise
   * "tfjs-node <version>" or "".
   */
  readonly detail: string
}

/**
 * Which products train on the wasm backend: the portable GEMM (default; the wasm
 * path with a notice where it cannot build), XNNPACK's, or OpenBLAS's (explicit
 * only: its bits depend on the CPU's kernel family).
 */
export type NumericsChoice = "portable" | "wasm" | "openblas"

export const numericsChoices: ReadonlyArray<NumericsChoice> = ["portable", "wasm", "openblas"]

/** The environment variable that carries the choice (`--numerics` sets it). */
export const NUMERICS_ENV = "GROKFLOW_NUMERICS"

/** The wasm numerics names that are not a native GEMM. */
export const WASM_SIMD_NUMERICS = "wasm-simd"
export const WASM_SCALAR_NUMERICS = "wasm"

export const backendChoices: ReadonlyArray<BackendChoice> = ["auto", "tensorflow", "wasm", "cpu"]

export const isBackendChoice = (s: string): s is BackendChoice =>
  (backendChoices as ReadonlyArray<string>).includes(s)

/** One-line label for logs and reports, e.g. "wasm (simd) · tfjs 4.22.0". */
export const describeBackend = (b: ResolvedBackend): string =>
  `${b.name}${b.detail === "" ? "" : ` (${b.detail})`} · tfjs ${b.tfjsVersion}`
