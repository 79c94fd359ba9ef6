// Entry of every training worker, thread or forked process. Threads do not inherit
// the parent's module hooks (and `--import tsx` in a Worker's execArgv does not apply
// them under Node 20); forked processes are started without the parent's flags. So
// each worker registers tsx itself before loading the TypeScript entry. Plain .mjs:
// it must run before any TypeScript loader exists.
import { register } from "tsx/esm/api"

register()
await import(new URL("./entry.ts", import.meta.url).href)
