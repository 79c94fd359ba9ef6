#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's loader, so `npx grokflow` and
// `node bin/grokflow.js` work without a build step.
//
// The big plain-JS dependencies are imported before the loader is registered:
// under its hooks each of effect's hundreds of modules takes a round trip
// through the loader thread, which costs about a second per start on a 2-core
// machine. The module cache is keyed by URL, so the TypeScript sources then get
// these same instances.
await Promise.all([import("effect"), import("effect/cli"), import("effect/process"), import("yaml"), import("fast-glob")])
const { register } = await import("tsx/esm/api")
register()
const { main } = await import("../src/cli/main.ts")
const code = await main(process.argv.slice(2))
process.exit(code)
