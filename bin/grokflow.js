#!/usr/bin/env node
// `grokflow`: runs the CLI from a prebuilt bundle when one matches the sources
// (bin/bundle.mjs says why and when), else from the TypeScript sources through
// tsx's loader, so `npx grokflow` and `node bin/grokflow.js` need no build step.
// GROKFLOW_BUNDLE=0 always runs the sources.
import * as fs from "node:fs"
import * as path from "node:path"
import { pathToFileURL } from "node:url"

const argv = process.argv.slice(2)
const root = path.resolve(import.meta.dirname, "..")

/** The value of `--name` in args (last one wins), up to a bare `--`. */
const flagValue = (args, name) => {
  let value
  for (let i = 0; i < args.length && args[i] !== "--"; i++) {
    if (args[i] === name && i + 1 < args.length) value = args[++i]
    else if (args[i].startsWith(`${name}=`)) value = args[i].slice(name.length + 1)
  }
  return value
}

/** The project root as src/engine/ProjectRoot.ts finds it (needed here, before any TypeScript loads). */
const projectRootOf = (args) => {
  const given = flagValue(args, "--project")
  if (given !== undefined) return path.resolve(given)
  for (let dir = process.cwd(); ; dir = path.dirname(dir)) {
    const marked = fs.existsSync(path.join(dir, "package.json")) || fs.existsSync(path.join(dir, ".git"))
    if (marked && fs.statSync(path.join(dir, "pipeline"), { throwIfNoEntry: false })?.isDirectory()) return dir
    if (path.dirname(dir) === dir) return process.cwd()
  }
}

/** Where discovery will look for stage modules: `--stages-dir` (from the current folder), else <project>/stages. */
const stagesDirOf = (args) => {
  const given = flagValue(args, "--stages-dir")
  return given !== undefined ? path.resolve(given) : path.join(projectRootOf(args), "stages")
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
