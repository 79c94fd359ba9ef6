/**
 * The papers' released per-seed values (test/fixtures/papers/*.json, each naming its
 * source repository, commit and files) turned into the shapes grokflow's stages read,
 * and a way to judge one claim on a measured value.
 */
import { readFileSync } from "node:fs"
import * as path from "node:path"
import { Effect } from "effect"
import type { CellSummary } from "../../src/outputs/cellSummary.ts"
import type { WcOutput } from "../../src/outputs/wcOutput.ts"
import { cvAcrossConfigs, median } from "../../src/analysis/index.ts"
import { evaluateClaims, type ClaimRow } from "../../src/verify/evaluate.ts"
import { loadClaims } from "../../src/verify/loadClaims.ts"

const fixture = <A>(name: string): A =>
  JSON.parse(readFileSync(path.join(process.cwd(), "test/fixtures/papers", name), "utf8")) as A

export interface GrokfssConfig {
  readonly role: string
  readonly p: number
  readonly trainFraction: number
  readonly lr: number
  readonly weightDecay: number
  readonly budget: number
  readonly normAtGrok: ReadonlyArray<number | null>
}
export const grokfss = fixture<{ configs: ReadonlyArray<GrokfssConfig> }>("critical-norm-grokfss.json").configs

export interface TfgrokConfig {
  readonly p: number
  readonly trainFraction: number
  readonly totalAtGrok: ReadonlyArray<number | null>
  readonly unembedAtGrok: ReadonlyArray<number | null>
}
export const tfgrok = fixture<{ configs: ReadonlyArray<TfgrokConfig> }>("critical-norm-tfgrok.json").configs

export interface ControlCell {
  readonly p: number
  readonly budget: number
  readonly tGrok: ReadonlyArray<number | null>
  readonly normAtExit: ReadonlyArray<number>
}
export const paperBControls = fixture<{ cells: ReadonlyArray<ControlCell> }>("logit-scale-controls.json").cells

export interface MatrixCell {
  readonly rho: number
  readonly lr: number
  readonly budget: number
  readonly tGrok: ReadonlyArray<number | null>
}
export const clampMatrix = fixture<{ cells: ReadonlyArray<MatrixCell> }>("critical-norm-clamp-matrix.json").cells

const finite = (xs: ReadonlyArray<number | null>): Array<number> => xs.filter((x): x is number => x !== null)

/** A stage's cell summary carrying only what the statistics under test read. */
export const summaryOf = (
  at: { readonly p: number; readonly lr: number; readonly rho?: number; readonly budget: number },
  seeds: ReadonlyArray<{ readonly tGrok: number | null; readonly normAtGrok: number | null }>
): CellSummary => {
  const grokkedTimes = finite(seeds.map((s) => s.tGrok))
  const norms = finite(seeds.map((s) => s.normAtGrok))
  return {
    label: `p=${at.p}`,
    p: at.p,
    lr: at.lr,
    rho: at.rho ?? null,
    tau: 1,
    targetNorm: null,
    budget: at.budget,
    seeds: seeds.map((s, i) => ({ seed: i, tGrok: s.tGrok, tMem: null, normAtGrok: s.normAtGrok })),
    grokked: grokkedTimes.length,
    total: seeds.length,
    medianTGrok: grokkedTimes.length === 0 ? null : median(grokkedTimes),
    medianTMem: null,
    medianNormAtGrok: norms.length === 0 ? null : median(norms),
    logitScale: null,
    logitScaleBySeed: seeds.map(() => null),
    scRateAtGrok: null,
    scRateMax: 0,
    scRateSeedMaxMean: 0,
    scRateMaxBySeed: seeds.map(() => 0),
    backend: "released-data"
  }
}

/**
 * measure-wc's output for the given configurations, the first being the reference
 * (Wc per configuration is the median over grokked seeds, as measure-wc computes it).
 */
export const wcOutputOf = (configs: ReadonlyArray<GrokfssConfig>): WcOutput => {
  const rows = configs.map((c) => {
    const norms = finite(c.normAtGrok)
    const cell = summaryOf(c, c.normAtGrok.map((n) => ({ tGrok: n === null ? null : 1, normAtGrok: n })))
    return {
      p: c.p,
      trainFraction: c.trainFraction,
      lr: c.lr,
      cell,
      wc: norms.length === 0 ? null : median(norms),
      wcStep: null,
      cvAcrossSeeds: norms.length < 2 ? null : cvAcrossConfigs(norms),
      wcAtThreshold: {},
      thresholdShift: null
    }
  })
  const first = rows[0]!
  const wcOf = (p: number, f: number, lr: number) => rows.find((r) => r.p === p && r.trainFraction === f && r.lr === lr)?.wc ?? null
  const moduli = [...new Set(rows.map((r) => r.p))]
  const fractions = [...new Set(rows.filter((r) => r.p === first.p && r.lr === first.lr).map((r) => r.trainFraction))]
  const lrs = [...new Set(rows.filter((r) => r.p === first.p && r.trainFraction === first.trainFraction).map((r) => r.lr))]
  const cvOf = (xs: ReadonlyArray<number | null>) => {
    const f = finite(xs)
    return f.length < 2 ? null : cvAcrossConfigs(f)
  }
  return {
    loss: "ce",
    weightDecay: configs[0]!.weightDecay,
    configs: rows,
    reference: moduli.map((p) => ({ p, wc: wcOf(p, first.trainFraction, first.lr), lr: first.lr, trainFraction: first.trainFraction })),
    cvAcrossFractions: cvOf(fractions.map((f) => wcOf(first.p, f, first.lr))),
    cvAcrossLrs: cvOf(lrs.map((lr) => wcOf(first.p, first.trainFraction, lr))),
    thresholdShiftMax: null,
    trajectories: []
  }
}

/** A node output holding `value` at `path` (`a.b[k=v].c`), so a claim's path resolves to it. */
const outputAt = (path: string, value: unknown): unknown => {
  const segments = path.match(/[^.[\]]+|\[[^\]]*\]/g) ?? []
  return segments.reduceRight<unknown>((inner, segment) => {
    if (!segment.startsWith("[")) return { [segment]: inner }
    const [key, wanted] = segment.slice(1, -1).split("=") as [string, string]
    return [{ ...(inner as Record<string, unknown>), [key]: Number.isNaN(Number(wanted)) ? wanted : Number(wanted) }]
  }, value)
}

/** The paper's number of claim `id` (pipeline/claims holds the papers' numbers). */
export const paperValueOf = async (id: string): Promise<number> => {
  const claims = await Effect.runPromise(loadClaims(process.cwd()))
  const value = claims.find((c) => c.id === id)?.paperValue
  if (value === undefined || value === null) throw new Error(`claim ${id} has no paper value`)
  return value
}

/** Judges claim `id` as profile `profile` would, on a measured number or interval. */
export const judge = async (id: string, measured: unknown, profile = "paper"): Promise<ClaimRow> => {
  const claims = await Effect.runPromise(loadClaims(process.cwd()))
  const claim = claims.find((c) => c.id === id)
  if (claim === undefined) throw new Error(`no claim ${id}`)
  const colon = claim.measure.indexOf(":")
  const node = claim.measure.slice(0, colon)
  const output = outputAt(claim.measure.slice(colon + 1), measured)
  return evaluateClaims([claim], profile, { nodes: new Set([node]), output: () => output, source: () => null })[0]!
}

export const interval = (estimate: number, lower: number | null, upper: number | null) => ({ estimate, lower, upper, undefinedResamples: 0 })
