/**
 * What the store says about a profile's last run, for "calibrate, then check":
 * the refs name the entry each node last ran with; the stage entries the profile's
 * own run produced give the run's span (first start to last finish, the wall time
 * it took); the cells those stages used say which were trained in that span and
 * which came from earlier runs (so the run was not cold).
 */
import { Effect } from "effect"
import type { Manifest } from "../engine/Manifest.ts"
import type { StoreService } from "../engine/Store.ts"
import { isShardSpec } from "./calibration.ts"

export interface ProfileRun {
  readonly profile: string
  /** The nodes this profile's run computed (others were reused from other runs). */
  readonly nodes: ReadonlyArray<string>
  /** Each computed node's config as its key recorded it (encoded): what the run trained, --set included. */
  readonly configs: ReadonlyMap<string, unknown>
  readonly startedAt: string
  readonly finishedAt: string
  readonly seconds: number
  /** Workers of the host that ran it (its cores: the local default). */
  readonly workers: number
  readonly trained: number
  /** Labels of the cells its stages used that were trained before the run started. */
  readonly reused: ReadonlyArray<string>
  /** Some trained cell was a seed shard: the run used --split-seeds. */
  readonly splitSeeds: boolean
}

/** Stage entries of one run start within this long of the previous one's end (a run's stages abut; separate runs do not). */
const RUN_GAP_MS = 2000

/**
 * The profile's runs that trained cells, oldest first, among the runs its refs
 * remember: a warm rerun (every cell a hit, after an edit moved stage keys) is
 * left out, so it does not hide the cold one; runs of part of the profile (--only,
 * --for) each count as their own. Refs name the run they were written in; the
 * stage entries a run computed are those of its refs that started after it did.
 * Refs from before runs were recorded are grouped by time instead.
 */
export const trainingRuns = (store: StoreService, profile: string) =>
  Effect.gen(function*() {
    const named = new Map<string, Map<string, Manifest>>()
    const unnamed = new Map<string, Manifest>()
    for (const node of yield* store.refNodes(profile)) {
      for (const ref of yield* store.readRuns(profile, node)) {
        const manifest = yield* store.readManifest("stage", ref.stage, ref.key)
        if (manifest === undefined || manifest.profile !== profile) continue
        if (ref.run === undefined) unnamed.set(ref.key, manifest)
        else if (Date.parse(manifest.timings.startedAt) >= Date.parse(ref.run)) {
          const run = named.get(ref.run) ?? new Map<string, Manifest>()
          run.set(ref.key, manifest)
          named.set(ref.run, run)
        }
      }
    }
    const runs: Array<ReadonlyArray<Manifest>> = [...named.values()].map((m) => [...m.values()])
    let end = -Infinity
    let current: Array<Manifest> = []
    for (const m of [...unnamed.values()].sort((a, b) => Date.parse(a.timings.startedAt) - Date.parse(b.timings.startedAt))) {
      if (Date.parse(m.timings.startedAt) > end + RUN_GAP_MS) runs.push(current = [])
      current.push(m)
      end = Math.max(end, Date.parse(m.timings.finishedAt))
    }
    const out: Array<ProfileRun> = []
    for (const run of runs.sort((a, b) => Date.parse(a[0]!.timings.startedAt) - Date.parse(b[0]!.timings.startedAt))) {
      const summary = yield* summarize(store, profile, run)
      if (summary.trained > 0) out.push(summary)
    }
    return out
  })

const summarize = (store: StoreService, profile: string, own: ReadonlyArray<Manifest>) =>
  Effect.gen(function*() {
    const start = Math.min(...own.map((m) => Date.parse(m.timings.startedAt)))
    const end = Math.max(...own.map((m) => Date.parse(m.timings.finishedAt)))
    let trained = 0
    let splitSeeds = false
    const reused: Array<string> = []
    const seen = new Set<string>()
    for (const stage of own) {
      for (const ref of stage.cells ?? []) {
        if (seen.has(ref.key)) continue
        seen.add(ref.key)
        const cell = yield* store.readManifest("cell", ref.name, ref.key)
        if (cell === undefined) continue
        // A seed shard is part of its whole cell, which the stage also used: count cells, as the plan does.
        if (isShardSpec(cell.preimage.key)) {
          splitSeeds = true
          continue
        }
        // Entries carry millisecond timestamps: a cell that started before the run's first stage was not trained by it.
        if (Date.parse(cell.timings.startedAt) < start) reused.push(cell.label ?? ref.key)
        else trained++
      }
    }
    return {
      profile,
      nodes: own.flatMap((m) => (m.node === undefined ? [] : [m.node])),
      configs: new Map(own.flatMap((m) => (m.node === undefined ? [] : [[m.node, m.preimage.config] as const]))),
      startedAt: new Date(start).toISOString(),
      finishedAt: new Date(end).toISOString(),
      seconds: (end - start) / 1000,
      workers: Math.max(1, ...own.map((m) => m.host.cpus)),
      trained,
      reused,
      splitSeeds
    } satisfies ProfileRun
  })
