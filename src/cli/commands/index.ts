/**
 * The command list. To add a command: write src/cli/commands/<name>.ts exporting
 * a `Command.make(...)` (use `engineFlags`, `profileFrom` and `withEngine` from
 * ../Shared.ts for the usual profile/cache flags and error convention) and add it
 * to this array. Nothing else needs editing.
 */
import { audit } from "./audit.ts"
import { cache } from "./cache.ts"
import { dag } from "./dag.ts"
import { diff } from "./diff.ts"
import { fetch } from "./fetch.ts"
import { pull } from "./pull.ts"
import { push } from "./push.ts"
import { remote } from "./remote.ts"
import { report } from "./report.ts"
import { run } from "./run.ts"
import { runner } from "./runner.ts"
import { runs } from "./runs.ts"
import { show } from "./show.ts"
import { status } from "./status.ts"
import { verify } from "./verify.ts"

export const commands = [run, status, dag, show, diff, runs, cache, verify, report, runner, remote, push, pull, fetch, audit] as const
