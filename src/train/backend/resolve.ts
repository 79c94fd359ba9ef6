/**
 * Backend resolution in the calling thread. The answer goes into every cell's cache
 * key, so it must be deterministic and cheap: wasm and cpu are decided from the
 * installed files and a feature probe without loading tfjs (about 1 ms); only
 * tensorflow needs a real load, since a present but broken tfjs-node (missing
 * libtensorflow) must fall back rather than fail later inside a worker.
 */
import { existsSync } from "node:fs"
import { NUMERICS_ENV, numericsChoices, WASM_SCALAR_NUMERICS, WASM_SIMD_NUMERICS } from "./Backend.ts"
import type { BackendChoice, NumericsChoice, ResolvedBackend } from "./Backend.ts"
import { loadNativeBlas } from "../simd/nativeBlas.ts"
import { loadPortableGemm, PORTABLE_NUMERICS } from "../simd/portableGemm.ts"
import { TFJS, TFJS_NODE, importOptional, packageVersion, resolvePackage, wasmDistDir } from "./packages.ts"

/**
 * The probe tfjs-backend-wasm itself runs (flag WASM_HAS_SIMD_SUPPORT): a tiny
 * module using a SIMD opcode. It picks the simd binary exactly when this validates.
 */
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3,
  2, 1, 0, 10, 9, 1, 7, 0, 65, 0, 253, 15, 26, 11
])

/** The lib settings carry no WebAssembly declarations (no DOM lib); Node has the global. */
const WebAssemblyGlobal = (globalThis as { readonly WebAssembly?: { validate(bytes: Uint8Array): boolean } }).WebAssembly

export const wasmHasSimd = (): boolean => {
  try {
    return WebAssemblyGlobal?.validate(SIMD_PROBE) === true
  } catch {
    return false
  }
}

/**
 * Why the wasm backend cannot run here, or undefined when it can. Threads are never
 * used: tfjs disables them under Node, and one single-threaded worker per core is
 * faster anyway (docs/training-speed.md).
 */
const wasmUnavailable = (): string | undefined => {
  const dir = wasmDistDir()
  if (dir === undefined) return "@tensorflow/tfjs-backend-wasm is not installed"
  const binary = wasmHasSimd() ? "tfjs-backend-wasm-simd.wasm" : "tfjs-backend-wasm.wasm"
  return existsSync(`${dir}${binary}`) ? undefined : `${dir}${binary} is missing`
}

/** Loads tfjs-node to prove libtensorflow is usable; resolves to its version or a reason. */
const probeTensorflow = async (): Promise<{ readonly version: string } | { readonly reason: string }> => {
  if (resolvePackage(TFJS_NODE) === undefined) return { reason: `${TFJS_NODE} is not installed` }
  try {
    await importOptional(TFJS_NODE)
    return { version: packageVersion(TFJS_NODE) }
  } catch (e) {
    return { reason: `${TFJS_NODE} failed to load: ${e instanceof Error ? e.message : String(e)}` }
  }
}

const numericsChoice = (): NumericsChoice => {
  const value = process.env[NUMERICS_ENV]
  if (value === undefined || value === "") return "portable"
  const known = numericsChoices.find((c) => c === value)
  if (known === undefined) throw new Error(`${NUMERICS_ENV}=${value}: expected one of ${numericsChoices.join(", ")}`)
  return known
}

const notice = (message: string): void => void process.stderr.write(`[grokflow] notice: ${message}\n`)

/**
 * The wasm backend's numerics (backend/Backend.ts). OpenBLAS is never picked because
 * it is installed: only when asked for, since its bits follow the CPU.
 */
const wasmNumerics = (): string => {
  const choice = numericsChoice()
  if (!wasmHasSimd()) {
    if (choice === "openblas") throw new Error("numerics openblas needs wasm SIMD, which this Node lacks")
    return WASM_SCALAR_NUMERICS
  }
  switch (choice) {
    case "wasm":
      return WASM_SIMD_NUMERICS
    case "openblas": {
      const native = loadNativeBlas()
      if ("reason" in native) throw new Error(`numerics openblas unavailable: ${native.reason}`)
      return `openblas:${native.blas.corename()}`
    }
    case "portable": {
      const portable = loadPortableGemm()
      if ("gemm" in portable) return PORTABLE_NUMERICS
      notice(`the portable GEMM does not build here (${portable.reason}); training on ${WASM_SIMD_NUMERICS} numerics`)
      return WASM_SIMD_NUMERICS
    }
  }
}

const resolveUncached = async (choice: BackendChoice): Promise<ResolvedBackend> => {
  const tfjsVersion = packageVersion(TFJS)
  const wasm = (): ResolvedBackend => ({ name: "wasm", tfjsVersion, detail: wasmNumerics() })
  switch (choice) {
    case "cpu":
      return { name: "cpu", tfjsVersion, detail: "" }
    case "wasm": {
      const reason = wasmUnavailable()
      if (reason !== undefined) throw new Error(`backend wasm unavailable: ${reason}`)
      return wasm()
    }
    case "tensorflow": {
      const probe = await probeTensorflow()
      if ("reason" in probe) throw new Error(`backend tensorflow unavailable: ${probe.reason}`)
      return { name: "tensorflow", tfjsVersion, detail: `tfjs-node ${probe.version}` }
    }
    case "auto": {
      const probe = await probeTensorflow()
      if ("version" in probe) return { name: "tensorflow", tfjsVersion, detail: `tfjs-node ${probe.version}` }
      return wasmUnavailable() === undefined ? wasm() : { name: "cpu", tfjsVersion, detail: "" }
    }
  }
}

const cache = new Map<string, Promise<ResolvedBackend>>()

/**
 * Picks the backend: the flag if given, else tensorflow where it loads, else wasm, else
 * cpu; on wasm, the numerics $GROKFLOW_NUMERICS names (default portable).
 */
export const resolveBackend = (choice: BackendChoice): Promise<ResolvedBackend> => {
  const at = `${choice} ${process.env[NUMERICS_ENV] ?? ""}`
  const hit = cache.get(at)
  if (hit !== undefined) return hit
  const resolved = resolveUncached(choice)
  cache.set(at, resolved)
  // A failed explicit choice stays failed; nothing on disk changes within one run.
  void resolved.catch(() => undefined)
  return resolved
}
