export * from "./Backend.ts"
export { resolveBackend, wasmHasSimd } from "./resolve.ts"
export { initBackend } from "./init.ts"
