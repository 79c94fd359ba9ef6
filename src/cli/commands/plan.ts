/**
 * `grokflow plan calibrate | check`: fit the planner to this store's measured
 * cells (pipeline/calibration.json), then compare its estimate with the measured
 * wall time of every profile the store has a run of.
 */
import * as os from "node:os"
import * as path from "node:path"
import { Effect, Option, Schema } from "effect"
import { Command, Flag } from "effect/cli"
import { loadProfile, projectRoot, Store, UsageError } from "../../engine/index.ts"
import { makespan } from "../../executor/cluster/Makespan.ts"
import { CALIBRATION_FILE, fitCalibration, loadPlanModelFrom, measuredCells, planModelOf, withoutSpan, writeCalibration } from "../../planning/calibration.ts"
import { planProfile } from "../../planning/profilePlan.ts"
import { trainingRuns } from "../../planning/profileRuns.ts"
import { backendFlag, cacheDirFlag, out, stagesDirFlag, switchFlag, withEngine } from "../Shared.ts"
import { markdownTable, textTable } from "../textTable.ts"
import type { PlanModel } from "../../planning/estimate.ts"

const storeFlags = { cacheDir: cacheDirFlag, backend: backendFlag }

const calibrationFlag = Flag.String("calibration").pipe(
  Flag.withDescription(`the calibration file (default <project>/${CALIBRATION_FILE}, which \`run --dry-run\` reads)`),
  Flag.optional
)

/** The file named by --calibration (from the current folder), else the project's. */
const calibrationFile = (flag: Option.Option<string>): { readonly file: string; readonly shown: string } =>
  Option.isSome(flag) ? { file: path.resolve(flag.value), shown: flag.value } : { file: path.join(projectRoot(), CALIBRATION_FILE), shown: CALIBRATION_FILE }

const fmtSeconds = (s: number): string => (s < 120 ? `${s.toFixed(0)} s` : s < 7200 ? `${(s / 60).toFixed(1)} min` : `${(s / 3600).toFixed(2)} h`)

const sinceFlag = Flag.String("since").pipe(
  Flag.withDescription("use only entries that started at or after this time (ISO 8601, e.g. 2026-12-02T15:00Z)"),
  Flag.optional
)

const host = () => ({ hostname: os.hostname(), cpus: os.availableParallelism(), ...(os.cpus()[0] === undefined ? {} : { cpu: os.cpus()[0]!.model.trim() }) })

const calibrate = Command.make("calibrate", { ...storeFlags, calibration: calibrationFlag, since: sinceFlag }, (flags) =>
  withEngine(
    flags,
    Effect.gen(function*() {
      const store = yield* Store
      const since = Option.map(flags.since, (s) => new Date(s))
      if (Option.isSome(since) && Number.isNaN(since.value.getTime())) {
        return yield* new UsageError({ message: `--since ${Option.getOrElse(flags.since, () => "")}: expected an ISO 8601 time, e.g. 2026-12-02T15:00Z` })
      }
      const measured = yield* measuredCells(store, Option.getOrUndefined(since))
      const file = fitCalibration(measured, host(), new Date())
      const target = calibrationFile(flags.calibration)
      yield* writeCalibration(target.file, file)
      const t = file.tGrok
      const speeds = Object.entries(file.cost.secondsPerMac).map(([k, s]) => `${k} ${(1 / s / 1e9).toFixed(2)} GMAC/s over ${file.cost.cells[k]} cells`)
      yield* out([
        `wrote ${target.shown} from ${file.sources.length} stored training cells of ${store.location}`,
        `T_grok: ${t.seeds} seeds (${t.censored} censored) of ${t.cells} cells; seeds scatter by σ = ${t.sigma.toFixed(3)} in ln T, cells about the fit by ω = ${t.omega.toFixed(3)}; fitted ${t.informed.join(", ") || "nothing (defaults kept)"}`,
        `speed per worker: ${speeds.join("; ") || "no timed cells (defaults kept)"}`,
        `stages that train nothing: ${Object.entries(file.cost.stageSeconds).map(([s, x]) => `${s} ${x.toFixed(1)} s`).join(", ") || "none stored"}`
      ].join("\n"))
    })
  )).pipe(Command.withDescription(`fit the planner's T_grok and speed model to the store's measured cells; writes ${CALIBRATION_FILE}`))

const holdoutFlag = switchFlag(
  "holdout",
  "also price each run with a calibration fitted to this store's cells without the ones that run trained (leave one run out): the planner on a run it has not seen"
)

const markdownFlag = switchFlag("markdown", "print the table as Markdown (for a README)")

const check = Command.make(
  "check",
  { ...storeFlags, stagesDir: stagesDirFlag, calibration: calibrationFlag, holdout: holdoutFlag, markdown: markdownFlag },
  (flags) =>
    withEngine(
      flags,
      Effect.gen(function*() {
        const store = yield* Store
        const source = calibrationFile(flags.calibration)
        const calibrated = yield* loadPlanModelFrom(source.file, source.shown)
        const measured = flags.holdout ? yield* measuredCells(store) : undefined
        const ratio = (hours: number, seconds: number): string => (hours * 3600 / seconds).toFixed(2)
        const rows: Array<Array<string>> = []
        for (const name of yield* store.refProfiles()) {
          for (const run of yield* trainingRuns(store, name)) {
            const profile = yield* Effect.result(loadProfile(name, flags.stagesDir._tag === "Some" ? { stagesDir: flags.stagesDir.value } : {}))
            if (profile._tag === "Failure") {
              rows.push([name, `${run.trained} / —`, "—", fmtSeconds(run.seconds), "—", ...(measured === undefined ? [] : ["—", "—"]), `profile not loadable: ${profile.failure.message}`])
              continue
            }
            // Plan what the run trained: each node's config as its entry recorded it.
            const configs = new Map<string, unknown>()
            for (const [id, encoded] of run.configs) {
              const node = profile.success.byId.get(id)
              const decoded = node === undefined ? undefined : Schema.decodeUnknownOption(node.stage.stage.config)(encoded)
              if (decoded !== undefined && Option.isSome(decoded)) configs.set(id, decoded.value)
            }
            const estimate = (model: PlanModel) => {
              const planned = planProfile(profile.success, model, { nodes: run.nodes, skip: new Set(run.reused), configs })
              return { cells: planned.cells.length, hours: makespan([...planned.cells, ...planned.bodies], 1, run.workers, run.splitSeeds, "fifo").hours }
            }
            const inSample = estimate(calibrated)
            const heldOut = measured === undefined
              ? undefined
              : estimate(planModelOf(fitCalibration(withoutSpan(measured, Date.parse(run.startedAt), Date.parse(run.finishedAt)), host(), new Date()), "held out"))
            const note = [
              run.reused.length === 0 ? "cold" : `not cold: ${run.reused.length} ${run.reused.length === 1 ? "cell" : "cells"} reused, left out of the estimate`,
              `${run.workers} workers`,
              ...(run.splitSeeds ? ["--split-seeds"] : []),
              run.startedAt.slice(0, 16).replace("T", " ")
            ].join(", ")
            rows.push([
              name,
              `${run.trained} / ${inSample.cells}`,
              fmtSeconds(inSample.hours * 3600),
              fmtSeconds(run.seconds),
              ratio(inSample.hours, run.seconds),
              ...(heldOut === undefined ? [] : [fmtSeconds(heldOut.hours * 3600), ratio(heldOut.hours, run.seconds)]),
              note
            ])
          }
        }
        if (rows.length === 0) return yield* out(`no profile has a run in ${store.location} (refs/ is empty)`)
        const header = [
          "profile",
          "cells trained / planned",
          "estimate",
          "measured wall",
          "estimate/measured",
          ...(measured === undefined ? [] : ["run held out", "held out/measured"]),
          "run"
        ]
        yield* out([
          `model: ${calibrated.source === "default" ? `the documented defaults (no ${source.shown})` : calibrated.source}`,
          ...(measured === undefined ? [] : ["run held out: priced by a calibration of this store's cells fitted without the cells that run trained"]),
          flags.markdown ? markdownTable(header, rows) : textTable(header, rows)
        ].join("\n"))
      })
    )
).pipe(Command.withDescription("for every profile the store has a run of: the planner's estimate beside the measured wall time"))

export const plan = Command.make("plan").pipe(
  Command.withDescription("the planner: calibrate it on measured cells, check it against measured runs"),
  Command.withSubcommands([calibrate, check])
)


