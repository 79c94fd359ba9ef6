/**
 * Loads tfjs and activates a resolved backend in the current thread. Runs inside
 * every training worker (and in the single-process bench), never on the command path.
 */
import { loadNativeBlas, useNativeBlas, type NativeBlas } from "../simd/nativeBlas.ts"
import { loadPortableGemm, PORTABLE_NUMERICS } from "../simd/portableGemm.ts"
import type { Tf } from "../tfTypes.ts"
import { WASM_SCALAR_NUMERICS, type ResolvedBackend } from "./Backend.ts"
import { TFJS_NODE, TFJS_WASM, importOptional, wasmDistDir } from "./packages.ts"

/**
 * The host GEMM the numerics name, loaded here: the worker trains with exactly the
 * products the key says (the same OpenBLAS kernel family, or the portable GEMM on
 * whichever path this CPU runs — all give the same bits).
 */
const hostGemm = (numerics: string): NativeBlas | null => {
  if (numerics === PORTABLE_NUMERICS) {
    const portable = loadPortableGemm()
    if ("reason" in portable) throw new Error(`the backend was resolved with ${numerics}, but the portable GEMM does not load here: ${portable.reason}`)
    return portable.gemm
  }
  if (!numerics.startsWith("openblas:")) return null
  const native = loadNativeBlas()
  if (!("blas" in native)) throw new Error(`the backend was resolved with ${numerics}, but the native GEMM does not load here: ${native.reason}`)
  if (`openblas:${native.blas.corename()}` !== numerics) throw new Error(`OpenBLAS runs ${native.blas.corename()} here, but the backend was resolved with ${numerics}`)
  return native.blas
}

/**
 * Activates `backend` and checks that what tfjs runs matches what the cache key
 * says: a worker that silently trained on another backend (or without SIMD) would
 * poison the cache with results under the wrong key.
 */
export const initBackend = async (backend: ResolvedBackend): Promise<Tf> => {
  // The union bundle, not tfjs-core: only the bundle registers the gradients in Node.
  const tf: Tf = await import("@tensorflow/tfjs")
  if (tf.version.tfjs !== backend.tfjsVersion) {
    throw new Error(`tfjs ${tf.version.tfjs} loaded, but the backend was resolved for ${backend.tfjsVersion}`)
  }
  switch (backend.name) {
    case "tensorflow":
      // Importing tfjs-node registers the "tensorflow" backend on the shared tfjs-core.
      await importOptional(TFJS_NODE)
      break
    case "wasm": {
      const wasm = await import("@tensorflow/tfjs-backend-wasm")
      const dir = wasmDistDir()
      if (dir === undefined) throw new Error(`${TFJS_WASM} is not installed`)
      // An absolute file path: under Node the backend reads the binary with fs.
      wasm.setWasmPaths(dir)
      break
    }
    case "cpu":
      break
  }
  if (!(await tf.setBackend(backend.name))) throw new Error(`tfjs could not initialize backend ${backend.name}`)
  await tf.ready()
  if (tf.getBackend() !== backend.name) {
    throw new Error(`tfjs runs ${tf.getBackend()}, expected ${backend.name}`)
  }
  if (backend.name === "wasm") {
    const simd = (await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT")) === true
    if (simd !== (backend.detail !== WASM_SCALAR_NUMERICS)) {
      throw new Error(`wasm SIMD is ${simd ? "on" : "off"} in this thread, but the backend was resolved as "${backend.detail}"`)
    }
  }
  useNativeBlas(backend.name === "wasm" ? hostGemm(backend.detail) : null)
  return tf
}
