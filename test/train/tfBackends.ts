/** Backend setup for training tests (the worker's canonical init lives in src/train/backend/). */
import * as tf from "@tensorflow/tfjs"
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm"
import { createRequire } from "node:module"
import * as path from "node:path"

const require = createRequire(import.meta.url)

export const useBackend = async (name: "cpu" | "wasm"): Promise<typeof tf> => {
  if (name === "wasm") {
    const dir = path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm"))
    setWasmPaths(dir + path.sep)
  }
  await tf.setBackend(name)
  await tf.ready()
  return tf
}

export { tf }
