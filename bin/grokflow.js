#!/usr/bin/env node
// `grokflow`: runs the CLI from a prebuilt bundle when one matches the sources
// (bin/bundle.mjs says why and when), else from the TypeScript sources through
// tsx's loader, so `npx grokflow` and `node bin/grokflow.js` need no build step.
// GROKFLOW_BUNDLE=0 always runs the sources.
import * as path from "node:path"
import { pathToFileURL } from "node:url"

const argv = process.argv.slice(2)
const root = path.resolve(import.meta.dirname, "..")

/** Where discovery will look for stage modules: `--stages-dir`, else ./stages. */
const stagesDirOf = (args) => {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--stages-dir" && i + 1 < args.length) return path.resolve(args[i + 1])
    if (args[i].startsWith("--stages-dir=")) return path.resolve(args[i].slice("--stages-dir=".length))
  }
  return path.resolve("stages")
}

const fromBundle = async () => {
  if (process.env.GROKFLOW_BUNDLE === "0") return null
  const { ensureBundle } = await import("./bundle.mjs")
  const bundle = await ensureBundle(root, stagesDirOf(argv))
  if (bundle === null) return null
  try {
    return await import(pathToFileURL(bundle.file).href)
  } catch {
    // e.g. a stage module that throws while loading: the sources path reports it per stage.
    return null
  }
}

const fromSources = async () => {
  // The big plain-JS dependencies are imported before the loader is registered:
  // under its hooks each of effect's hundreds of modules takes a round trip through
  // the loader thread. The module cache is keyed by URL, so the TypeScript sources
  // then get these same instances.
  await Promise.all([import("effect"), import("effect/cli"), import("effect/process"), import("yaml"), import("fast-glob")])
  const { register } = await import("tsx/esm/api")
  register()
  return import("../src/cli/main.ts")
}

// If the event loop ever empties while a command is still awaiting (a wait on an
// unreferenced handle), Node exits 13 without a word; say what happened.
let finished = false
process.on("exit", (code) => {
  if (!finished && (code === 13 || process.exitCode === 13)) process.stderr.write("grokflow: internal error: the command stopped before finishing (nothing kept Node's event loop alive)\n")
})
const { main } = (await fromBundle()) ?? (await fromSources())
const code = await main(argv)
finished = true
process.exit(code)
