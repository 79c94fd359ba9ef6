/** `grokflow cache ls | verify | gc`: the store as a whole. */
import * as path from "node:path"
import { Effect, Option } from "effect"
import { Command, Flag } from "effect/cli"
import {
  gcCache,
  listCache,
  listProfileNamesSync,
  loadProfile,
  planPipeline,
  projectRoot,
  UsageError,
  verifyCache
} from "../../engine/index.ts"
import type { Plan } from "../../engine/index.ts"
import { backendFlag, cacheDirFlag, numericsFlag, out, setExitCode, stagesDirFlag, switchFlag, withEngine } from "../Shared.ts"

const storeFlags = { cacheDir: cacheDirFlag, backend: backendFlag, numerics: numericsFlag }

const kb = (bytes: number) => (bytes < 1024 ? `${bytes} B` : bytes < 1024 ** 2 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1024 ** 2).toFixed(1)} MiB`)

const ls = Command.make("ls", storeFlags, (flags) =>
  withEngine(
    flags,
    Effect.gen(function*() {
      const { root, entries, blobs } = yield* listCache()
      const lines = [`${root}: ${entries.length} entries, ${blobs.length} blobs`]
      for (const e of entries) {
        const m = e.manifest
        if (m === undefined) {
          lines.push(`  ?  ${e.file}: ${e.problem}`)
          continue
        }
        const who = m.kind === "cell" ? `cell ${m.name} ${m.label ?? ""}`.trim() : `${m.node ?? m.name}${m.node && m.node !== m.name ? ` (${m.name})` : ""}`
        lines.push(`  ${m.key.slice(0, 12)}  ${who}  ${kb(m.output.bytes)}  ${m.timings.seconds.toFixed(2)}s  ${m.timings.finishedAt}`)
      }
      yield* out(lines.join("\n"))
    })
  )).pipe(Command.withDescription("list the entries in the store"))

const verify = Command.make("verify", storeFlags, (flags) =>
  withEngine(
    flags,
    Effect.gen(function*() {
      const report = yield* verifyCache()
      const lines = report.problems.map((p) => `corrupt: ${p}`)
      lines.push(`checked ${report.checkedEntries} entries and ${report.checkedBlobs} blobs: ${report.problems.length === 0 ? "all intact" : `${report.problems.length} problem(s)`}`)
      yield* out(lines.join("\n"))
      if (report.problems.length > 0) setExitCode(1)
    })
  )).pipe(Command.withDescription("check every digest in the store (exit 1 if anything is corrupt)"))

const gc = Command.make(
  "gc",
  {
    ...storeFlags,
    stagesDir: stagesDirFlag,
    profiles: Flag.String("profile").pipe(
      Flag.withDescription("profiles whose reachable entries to keep (repeatable; default: every pipeline/*.yaml)"),
      Flag.atLeast(0)
    ),
    dryRun: switchFlag("dry-run", "list what would be removed; remove nothing")
  },
  (flags) =>
    withEngine(
      flags,
      Effect.gen(function*() {
        const names = flags.profiles.length > 0 ? flags.profiles : listProfileNamesSync(projectRoot())
        if (names.length === 0) {
          return yield* new UsageError({ message: "cache gc: no profiles found under pipeline/ (name them with --profile); refusing to sweep everything" })
        }
        const plans: Array<Plan> = []
        for (const name of names) {
          const profile = yield* loadProfile(name, Option.isSome(flags.stagesDir) ? { stagesDir: path.resolve(flags.stagesDir.value) } : {})
          plans.push(yield* planPipeline(profile))
        }
        const report = yield* gcCache(plans, { dryRun: flags.dryRun })
        const verb = report.dryRun ? "would remove" : "removed"
        const lines = report.removed.map((f) => `  ${verb} ${f}`)
        lines.push(`kept ${report.keptEntries} entries and ${report.keptBlobs} blobs reachable from ${names.join(", ")}; ${verb} ${report.removed.length} files (${kb(report.freedBytes)})`)
        yield* out(lines.join("\n"))
      })
    )
).pipe(Command.withDescription("remove what no profile reaches (keeps each node's last run and its cells)"))

export const cache = Command.make("cache").pipe(
  Command.withDescription("inspect and maintain the content-addressed store"),
  Command.withSubcommands([ls, verify, gc])
)
