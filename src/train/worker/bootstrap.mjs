// Entry of every training worker process. Workers are forked without the parent's
// flags (a test runner's or `--import tsx`), so each registers tsx itself before
// loading the TypeScript entry. Plain .mjs: it must run before any TypeScript
// loader exists.
import { register } from "tsx/esm/api"

register()
await import(new URL("./entry.ts", import.meta.url).href)
