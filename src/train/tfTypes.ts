/**
 * The tfjs namespace is passed in by the caller (a worker initializes its own
 * backend); this module only imports it as a type.
 */
import type * as tfNs from "@tensorflow/tfjs"

export type Tf = typeof tfNs
export type Tensor = tfNs.Tensor
export type Tensor2D = tfNs.Tensor2D

interface HeapBackend {
  typedArrayFromHeap?: (t: { shape: ReadonlyArray<number>; dtype: string; dataId: object }) => Float32Array
}

/**
 * Copies a float32 tensor into `out`. On wasm, `dataSync` allocates a fresh
 * ArrayBuffer per call (~1 ms for 1.4 MB here); reading a view of the wasm heap and
 * copying into a reused buffer avoids that. Other backends use `dataSync`.
 */
export const readInto = (tf: Tf, t: Tensor, out: Float32Array, offset = 0): void => {
  const backend = tf.backend() as unknown as HeapBackend
  if (t.dtype === "float32" && typeof backend.typedArrayFromHeap === "function" && tf.getBackend() === "wasm") {
    out.set(backend.typedArrayFromHeap(t), offset)
    return
  }
  out.set(t.dataSync() as Float32Array, offset)
}
