/**
 * `grokflow runs [--profile P] [--json]`: the runs recorded in the store's refs,
 * newest first, side by side — when each ran, with which `--set` overrides, the
 * config values that differ between them, and the claims the profile tests as
 * measured after each (`--claim ID` picks which; by default the first few).
 * Without --profile, every profile that has run.
 */
import * as path from "node:path"
import { Effect, Option } from "effect"
import { Command, Flag } from "effect/cli"
import { didYouMean, loadProfile, planPipeline, projectRoot, Store, UsageError } from "../../engine/index.ts"
import { duration } from "../../engine/Progress.ts"
import { loadClaims } from "../../verify/loadClaims.ts"
import { recordedRuns } from "../../verify/runs.ts"
import type { RecordedRun } from "../../verify/runs.ts"
import { backendFlag, cacheDirFlag, out, stagesDirFlag, switchFlag, warn, withEngine } from "../Shared.ts"
import { formatCell, textTable } from "../textTable.ts"

const profilesFlag = Flag.String("profile").pipe(
  Flag.withAlias("p"),
  Flag.withDescription("profile whose runs to list (repeatable; default: every profile with recorded runs)"),
  Flag.atLeast(0)
)
const lastFlag = Flag.Int("last").pipe(Flag.withDescription("how many of the newest runs to list per profile (default 5)"), Flag.withDefault(5))
const claimFlag = Flag.String("claim").pipe(
  Flag.withDescription("a claim to show (repeatable; default: the first 8 the profile tests); --json always has all"),
  Flag.atLeast(0)
)
const jsonFlag = switchFlag("json", "print the runs as one JSON document")

const HEADLINE_CLAIMS = 8

const when = (iso: string): string => iso.slice(0, 19).replace("T", " ")

const claimCell = (c: RecordedRun["claims"][number] | undefined): string =>
  c === undefined ? "—" : c.measured === null ? c.status : `${formatCell(c.measured)} ${c.status}`

/** One profile's runs as columns: rows for when, overrides, differing params and claims. */
export const renderRuns = (profile: string, runs: ReadonlyArray<RecordedRun>, claimIds: ReadonlyArray<string>): string => {
  if (runs.length === 0) return `${profile}: no recorded runs (run \`grokflow run --profile ${profile}\`)`
  const header = ["", ...runs.map((_, i) => (i === 0 ? "last run" : `run -${i}`))]
  const rows: Array<Array<string>> = [
    ["when", ...runs.map((r) => when(r.at))],
    ["wall time", ...runs.map((r) => (r.wallSeconds === null ? "—" : r.wallSeconds < 60 ? `${r.wallSeconds.toFixed(1)}s` : duration(r.wallSeconds)))],
    ["overrides", ...runs.map((r) => (r.overrides.length === 0 ? "—" : r.overrides.map((s) => `--set ${s}`).join(" ")))],
    ["nodes", ...runs.map((r) => String(Object.keys(r.nodes).length))]
  ]
  const params = Object.keys(runs[0]!.params)
  for (const p of params) rows.push([p, ...runs.map((r) => formatCell(r.params[p]))])
  for (const id of claimIds) rows.push([id, ...runs.map((r) => claimCell(r.claims.find((c) => c.id === id)))])
  const notes = params.length === 0 ? ["(no config value differs between these runs)"] : []
  return [`${profile}:`, textTable(header, rows), ...notes].join("\n")
}

export const runs = Command.make(
  "runs",
  { profiles: profilesFlag, last: lastFlag, claim: claimFlag, json: jsonFlag, cacheDir: cacheDirFlag, stagesDir: stagesDirFlag, backend: backendFlag },
  (flags) =>
    withEngine(
      flags,
      Effect.gen(function*() {
        if (flags.last < 1) return yield* new UsageError({ message: `--last ${flags.last}: expected at least 1` })
        const store = yield* Store
        const names = flags.profiles.length > 0 ? flags.profiles : yield* store.refProfiles()
        const claims = yield* loadClaims(projectRoot())
        const known = claims.map((c) => c.id)
        for (const id of flags.claim) {
          if (!known.includes(id)) return yield* new UsageError({ message: `--claim ${id}: no such claim in pipeline/claims${didYouMean(id, known)}` })
        }
        const stagesDir = Option.map(flags.stagesDir, (d) => path.resolve(d))
        const all: Array<{ readonly profile: string; readonly runs: ReadonlyArray<RecordedRun> }> = []
        for (const name of names) {
          const load = loadProfile(name, Option.isSome(stagesDir) ? { stagesDir: stagesDir.value } : {})
          // Listing every profile the store has seen: one whose file is gone (or was
          // given as a path elsewhere) is skipped, not fatal.
          const profile = flags.profiles.length > 0 ? yield* load : yield* load.pipe(
            Effect.catchTag("ProfileError", (e) => Effect.sync(() => warn(`runs of ${name} skipped: ${e.rendered}`)))
          )
          if (profile === undefined) continue
          all.push({ profile: profile.name, runs: yield* recordedRuns(yield* planPipeline(profile), claims, flags.last) })
        }
        if (flags.json) return yield* out(JSON.stringify({ profiles: all }, null, 2))
        if (all.length === 0) return yield* out("no recorded runs in this store (run `grokflow run` first)")
        const blocks = all.map(({ profile, runs }) => {
          const tested = runs[0]?.claims.map((c) => c.id) ?? []
          const ids = flags.claim.length > 0 ? flags.claim : tested.slice(0, HEADLINE_CLAIMS)
          return renderRuns(profile, runs, ids)
        })
        yield* out(blocks.join("\n\n"))
      })
    )
).pipe(Command.withDescription("list the recorded runs side by side: when, overrides, the params that differ, and the claims' values"))
