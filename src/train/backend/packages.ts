/**
 * Where the tfjs packages live. Resolution goes through require.resolve so that
 * nothing is loaded: importing @tensorflow/tfjs alone costs ~0.5 s, which commands
 * like `dag` or `status` must not pay.
 */
import { readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname } from "node:path"

const require = createRequire(import.meta.url)

export const TFJS = "@tensorflow/tfjs"
export const TFJS_WASM = "@tensorflow/tfjs-backend-wasm"
export const TFJS_NODE = "@tensorflow/tfjs-node"

/** Absolute path of a package's entry, or undefined when it is not installed. */
export const resolvePackage = (name: string): string | undefined => {
  try {
    return require.resolve(name)
  } catch {
    return undefined
  }
}

export const packageVersion = (name: string): string => {
  const json: unknown = JSON.parse(readFileSync(require.resolve(`${name}/package.json`), "utf8"))
  if (typeof json === "object" && json !== null && "version" in json && typeof json.version === "string") {
    return json.version
  }
  throw new Error(`${name}/package.json has no version`)
}

/**
 * The directory holding the backend's .wasm binaries, with a trailing slash as
 * setWasmPaths expects a prefix. The package's Node entry lives in dist/ next to them.
 */
export const wasmDistDir = (): string | undefined => {
  const entry = resolvePackage(TFJS_WASM)
  return entry === undefined ? undefined : `${dirname(entry)}/`
}

/**
 * Dynamic import by a non-literal specifier: tfjs-node is optional and usually absent,
 * so the type checker must not require its declarations.
 */
export const importOptional = (name: string): Promise<unknown> => import(name)
