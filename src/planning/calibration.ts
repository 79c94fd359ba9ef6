/**
 * Calibration of the planner (docs/planning.md) from the store's own measured
 * cells, and the file it is kept in (pipeline/calibration.json, written by
 * `grokflow plan calibrate`, committed so every checkout plans with it).
 *
 * From each stored training cell: its spec (the key's preimage), each seed's
 * finish step or its censoring at the budget (the output), its wall seconds (the
 * manifest). Seeds fit the T_grok model (tGrokModel.ts); seconds over the
 * multiply-adds the cell's seeds computed give each cost kind's speed. A cell
 * stored as recombined seed shards took the shards' time, not its own, so only
 * its shards enter the speed; a shard's seeds enter T_grok through its whole cell.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { Effect, Schema } from "effect"
import { median } from "../analysis/stats.ts"
import { canonicalJson } from "../engine/Canonical.ts"
import { writeAtomic } from "../engine/Atomic.ts"
import type { StoreService } from "../engine/Store.ts"
import { UsageError } from "../engine/Errors.ts"
import { CellSpec } from "../train/CellSpec.ts"
import { trainKind } from "../cells/cellKinds.ts"
import { COST_KINDS, costKindOf, DEFAULT_PLAN_MODEL, DEFAULT_SECONDS_PER_MAC, featuresOf, macsPerSeedStep } from "./estimate.ts"
import type { CostKind, PlanModel } from "./estimate.ts"
import { COLUMNS, fitTGrok } from "./tGrokModel.ts"
import type { SeedObservation } from "./tGrokModel.ts"

export const CALIBRATION_FILE = "pipeline/calibration.json"
export const CALIBRATION_FORMAT = "grokflow-calibration/1"

const Source = Schema.Struct({
  entry: Schema.String,
  label: Schema.String,
  kind: Schema.String,
  seeds: Schema.Int,
  seedSteps: Schema.Int,
  seconds: Schema.Finite,
  /** "tGrok", "cost" or both: what the cell entered. */
  used: Schema.Array(Schema.String)
})

export const CalibrationFile = Schema.Struct({
  format: Schema.Literal(CALIBRATION_FORMAT),
  writtenAt: Schema.String,
  host: Schema.Struct({ hostname: Schema.String, cpus: Schema.Number, cpu: Schema.optional(Schema.String) }),
  tGrok: Schema.Struct({
    coefficients: Schema.Record(Schema.String, Schema.Finite),
    sigma: Schema.Finite,
    seeds: Schema.Int,
    censored: Schema.Int,
    cells: Schema.Int,
    /** The cells' scatter about the fit in ln T (the model's misfit), beyond the seeds' σ. */
    omega: Schema.Finite,
    informed: Schema.Array(Schema.String)
  }),
  cost: Schema.Struct({
    secondsPerMac: Schema.Record(Schema.String, Schema.Finite),
    pooledSecondsPerMac: Schema.NullOr(Schema.Finite),
    cells: Schema.Record(Schema.String, Schema.Int),
    /** Median seconds of each stage that trains nothing, from its stored entries. */
    stageSeconds: Schema.Record(Schema.String, Schema.Finite)
  }),
  sources: Schema.Array(Source)
})
export type CalibrationFile = typeof CalibrationFile.Type

interface StoredSeed {
  readonly tGrok: number | null
  readonly extraCrossings: Readonly<Record<string, { readonly step: number | null }>>
  readonly stepsTrained: number
}

const decodeSpec = Schema.decodeUnknownResult(CellSpec)

/** ρ and hold as the label names them (cellLabel: "p=59 rho=1.15", "hold=one-shot", "hold=U"). */
export const holdFromLabel = (label: string, spec: CellSpec): { readonly rho: number | null; readonly hold: SeedObservation["features"]["hold"] } => {
  const rho = /(?:^| )rho=([0-9.eE+-]+)/.exec(label)
  const value = rho === null ? null : Number(rho[1])
  const kind = spec.intervention.kind
  const hold = kind === "none" ? "free" : kind === "rescale" ? "one-shot" : kind === "clamp-per-matrix" ? "group" : "sustained"
  return { rho: kind === "none" || value === null || !Number.isFinite(value) ? null : value, hold }
}

const finishOf = (s: StoredSeed): number | null =>
  s.tGrok === null || Object.values(s.extraCrossings).some((x) => x.step === null)
    ? null
    : Math.max(s.tGrok, ...Object.values(s.extraCrossings).map((x) => x.step ?? 0))

/** A seed shard's spec names its first seed or its minimum steps (src/train/shards.ts); a whole cell's names neither. */
export const isShardSpec = (spec: unknown): boolean =>
  typeof spec === "object" && spec !== null && ("firstSeed" in spec || "minSteps" in spec)

/** The spec a shard belongs to, for matching shards with their whole cell. */
const cellGroup = (spec: CellSpec): string => canonicalJson({ ...spec, seeds: 0, firstSeed: null, minSteps: null })

/** When the cell an observation came from started training (ms since the epoch). */
interface Dated {
  readonly startedAt: number
}

export interface Measured {
  readonly seeds: ReadonlyArray<SeedObservation & Dated>
  readonly cost: ReadonlyArray<{ readonly kind: CostKind; readonly seconds: number; readonly macs: number } & Dated>
  readonly sources: ReadonlyArray<typeof Source.Type>
  /** Seconds of each stored entry of a stage that used no cells, by stage name. */
  readonly stages: Readonly<Record<string, ReadonlyArray<number>>>
}

/**
 * Reads every stored training cell (unreadable or foreign entries are skipped);
 * with `since`, only entries that started at or after it (cells trained by an
 * older training core or on a busier day would otherwise set the speed).
 */
export const measuredCells = (store: StoreService, since?: Date) =>
  Effect.gen(function*() {
    const entries = yield* store.listEntries()
    const cells: Array<{
      readonly entry: string
      readonly label: string
      readonly spec: CellSpec
      readonly seconds: number
      readonly startedAt: number
      readonly seeds: ReadonlyArray<StoredSeed>
    }> = []
    const stages: Record<string, Array<number>> = {}
    for (const { manifest } of entries) {
      if (since !== undefined && manifest !== undefined && Date.parse(manifest.timings.startedAt) < since.getTime()) continue
      if (manifest?.kind === "stage" && (manifest.cells ?? []).length === 0) (stages[manifest.name] ??= []).push(manifest.timings.seconds)
      if (manifest === undefined || manifest.kind !== "cell" || manifest.name !== trainKind.name) continue
      const spec = decodeSpec(manifest.preimage.key)
      if (spec._tag === "Failure") continue
      const found = yield* store.lookup("cell", trainKind.name, manifest.key)
      if (found._tag !== "Hit") continue
      let seeds: ReadonlyArray<StoredSeed>
      try {
        seeds = (JSON.parse(new TextDecoder().decode(found.bytes)) as { readonly seeds: ReadonlyArray<StoredSeed> }).seeds
      } catch {
        continue
      }
      if (!Array.isArray(seeds)) continue
      cells.push({
        entry: `cell.${trainKind.name}/${manifest.key}`,
        label: manifest.label ?? "",
        spec: spec.success,
        seconds: manifest.timings.seconds,
        startedAt: Date.parse(manifest.timings.startedAt),
        seeds
      })
    }
    const shardGroups = new Set(cells.filter((c) => isShardSpec(c.spec)).map((c) => cellGroup(c.spec)))
    const seeds: Array<SeedObservation & Dated> = []
    const cost: Array<{ kind: CostKind; seconds: number; macs: number } & Dated> = []
    const sources: Array<typeof Source.Type> = []
    for (const c of cells) {
      const used: Array<string> = []
      const seedSteps = c.seeds.reduce((a, s) => a + s.stepsTrained, 0)
      if (!isShardSpec(c.spec)) {
        const { rho, hold } = holdFromLabel(c.label, c.spec)
        const features = featuresOf(c.spec, rho, hold)
        for (const s of c.seeds) {
          const f = finishOf(s)
          seeds.push({ features, steps: f ?? c.spec.budget, censored: f === null, startedAt: c.startedAt })
        }
        used.push("tGrok")
      }
      // A whole cell recombined from shards: its seconds are the shards' span.
      const recombined = !isShardSpec(c.spec) && c.spec.seeds > 1 && shardGroups.has(cellGroup(c.spec))
      if (!recombined && seedSteps > 0 && c.seconds > 0) {
        cost.push({ kind: costKindOf(c.spec), seconds: c.seconds, macs: seedSteps * macsPerSeedStep(c.spec), startedAt: c.startedAt })
        used.push("cost")
      }
      sources.push({ entry: c.entry, label: c.label, kind: costKindOf(c.spec), seeds: c.seeds.length, seedSteps, seconds: c.seconds, used })
    }
    return { seeds, cost, sources, stages } satisfies Measured
  })

/**
 * The measurements without the cells that started within [from, to]: what a
 * calibration knew before a run, to check the planner on a run it has not seen.
 */
export const withoutSpan = (measured: Measured, from: number, to: number): Measured => {
  const outside = (x: Dated): boolean => x.startedAt < from || x.startedAt > to
  return { ...measured, seeds: measured.seeds.filter(outside), cost: measured.cost.filter(outside) }
}

export const fitCalibration = (measured: Measured, host: { readonly hostname: string; readonly cpus: number; readonly cpu?: string }, writtenAt: Date): CalibrationFile => {
  const fit = fitTGrok(measured.seeds)
  const secondsPerMac: Record<string, number> = {}
  const cells: Record<string, number> = {}
  for (const kind of COST_KINDS) {
    const of = measured.cost.filter((c) => c.kind === kind)
    if (of.length === 0) continue
    cells[kind] = of.length
    secondsPerMac[kind] = of.reduce((a, c) => a + c.seconds, 0) / of.reduce((a, c) => a + c.macs, 0)
  }
  const macs = measured.cost.reduce((a, c) => a + c.macs, 0)
  return {
    format: CALIBRATION_FORMAT,
    writtenAt: writtenAt.toISOString(),
    host: { hostname: host.hostname, cpus: host.cpus, ...(host.cpu === undefined ? {} : { cpu: host.cpu }) },
    tGrok: { coefficients: fit.coefficients, sigma: fit.sigma, seeds: fit.seeds, censored: fit.censored, cells: fit.cells, omega: fit.omega, informed: [...fit.informed] },
    cost: {
      secondsPerMac,
      pooledSecondsPerMac: macs > 0 ? measured.cost.reduce((a, c) => a + c.seconds, 0) / macs : null,
      cells,
      stageSeconds: Object.fromEntries(Object.entries(measured.stages).map(([name, xs]) => [name, median(xs)]))
    },
    sources: [...measured.sources]
  }
}

export const writeCalibration = (file: string, calibration: CalibrationFile) =>
  Effect.promise(() => writeAtomic(file, JSON.stringify(calibration, null, 2) + "\n"))

const decodeFile = Schema.decodeUnknownResult(CalibrationFile)

export const planModelOf = (file: CalibrationFile, source: string): PlanModel => ({
  tGrok: {
    coefficients: Object.fromEntries(COLUMNS.map((c) => [c.name, file.tGrok.coefficients[c.name] ?? c.prior])),
    sigma: file.tGrok.sigma
  },
  secondsPerMac: Object.fromEntries(COST_KINDS.flatMap((k) => (file.cost.secondsPerMac[k] === undefined ? [] : [[k, file.cost.secondsPerMac[k]!]]))),
  fallbackSecondsPerMac: file.cost.pooledSecondsPerMac ?? DEFAULT_SECONDS_PER_MAC,
  stageSeconds: file.cost.stageSeconds,
  source: `${source} (${file.tGrok.seeds} seeds, ${file.sources.length} cells, ${file.writtenAt.slice(0, 10)}${file.host.cpu === undefined ? "" : `, ${file.host.cpu}`})`,
  ...(file.host.cpu === undefined ? {} : { cpu: file.host.cpu })
})

/** The calibration in `file` (shown as `shown`), or the defaults when there is none. */
export const loadPlanModelFrom = (file: string, shown: string) =>
  Effect.gen(function*() {
    let text: string
    try {
      text = fs.readFileSync(file, "utf8")
    } catch {
      return DEFAULT_PLAN_MODEL
    }
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch {
      return yield* new UsageError({ message: `${shown}: not JSON; rewrite it with \`grokflow plan calibrate\`` })
    }
    const decoded = decodeFile(json)
    if (decoded._tag === "Failure") {
      return yield* new UsageError({
        message: `${shown}: expected a ${CALIBRATION_FORMAT} file (${String(decoded.failure).split("\n")[0]}); rewrite it with \`grokflow plan calibrate\``
      })
    }
    return planModelOf(decoded.success, shown)
  })

/** The committed calibration of the project at `root` (pipeline/calibration.json), or the defaults. */
export const loadPlanModel = (root: string) => loadPlanModelFrom(path.join(root, CALIBRATION_FILE), CALIBRATION_FILE)
