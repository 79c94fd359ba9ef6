#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's loader, so `npx grokflow` and
// `node bin/grokflow.js` work without a build step.
import { register } from "tsx/esm/api"

register()
const { main } = await import("../src/cli/main.ts")
const code = await main(process.argv.slice(2))
process.exit(code)
