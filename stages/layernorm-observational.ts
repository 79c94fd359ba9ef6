/**
 * Paper A's LayerNorm experiments as the paper ran them (docs/protocol.md §6.6):
 * observational first — in the pre-LN attention model, free training across train
 * fractions at each modulus, the total norm ‖W‖ at T_grok drifts while the unembedding
 * ‖U‖ at T_grok is concentrated (population CVs of the per-fraction means, as the
 * paper's analysis computes them) — then group clamps at
 * p = 71 that hold one group of matrices (‖U‖; the MLP's Win, Wout) at ρ times its
 * control value while the rest trains freely. (layernorm-control's total-norm clamp of
 * the same model is grokflow's own extension.)
 * A group of several matrices is held matrix by matrix, each at ρ times its own
 * control norm at grok; the paper holds the group's joint norm. The two agree when
 * the matrices keep their control proportions.
 */
import { Effect, Schema } from "effect"
import { bootstrapMedianRatio, finiteValues, mean, median, populationCv, spanOf, withinCellBootstrap } from "../src/analysis/index.ts"
import { defineStage } from "../src/engine/Stage.ts"
import { trainKind } from "../src/cells/cellKinds.ts"
import { StageFailure } from "../src/engine/StageFailure.ts"
import { CellSummary } from "../src/outputs/cellSummary.ts"
import { IntList, PositiveInt, PositiveList, PositiveNumber, trainingFields, withDefault } from "../src/cells/configFields.ts"
import { estimateOfUnits } from "../src/planning/estimate.ts"
import { orNull } from "../src/fits/guarded.ts"
import { freeCell, freeUnit, groupHeldCell, groupHeldUnit } from "../src/cells/heldCell.ts"
import { BootstrapEstimate, estimateOf } from "../src/outputs/bootstrapEstimate.ts"
import type { CellResult, Model } from "../src/train/CellSpec.ts"

const Group = Schema.Struct({
  name: Schema.String,
  matrices: Schema.Array(Schema.String).check(Schema.isMinLength(1)),
  /** This group's ρ grid; absent: the group clamps' `rhos`. */
  rhos: Schema.optional(PositiveList)
})

const Config = Schema.Struct({
  ...trainingFields,
  /** The released runs: p ∈ {53, 71, 97}, fractions {0.20, 0.25, 0.30, 0.40, 0.55}. */
  moduli: withDefault(IntList, [59]),
  trainFractions: withDefault(PositiveList, [0.3, 0.35, 0.4, 0.5, 0.65]),
  /** Only fractions ≥ this, each with at least cvMinGrokked grokked seeds, enter the
   * CVs (the paper's analysis: fractions ≥ 0.25 and ≥ 8 of 12 seeds grokked). */
  cvMinFraction: withDefault(Schema.Finite, 0),
  cvMinGrokked: withDefault(PositiveInt, 2),
  lr: withDefault(PositiveNumber, 1e-3),
  attentionD: withDefault(PositiveInt, 128),
  attentionHeads: withDefault(PositiveInt, 4),
  attentionMlpWidth: withDefault(PositiveInt, 512),
  /** The matrices whose norm at grok is compared with the total norm. */
  unembedding: withDefault(Schema.Array(Schema.String), ["U"]),
  groupClamps: Schema.optional(
    Schema.Struct({
      p: PositiveInt,
      rhos: PositiveList,
      seeds: PositiveInt,
      budget: PositiveInt,
      tInt: PositiveInt,
      groups: Schema.Array(Group).check(Schema.isMinLength(1))
    })
  )
})
type Config = typeof Config.Type

/** Per-seed Frobenius norm of a group of matrices at the seed's T_grok (null when censored). */
export const groupNormAtGrok = (result: CellResult, matrices: ReadonlyArray<string>): Array<number | null> =>
  result.seeds.map((s) => {
    if (s.tGrok === null) return null
    const i = s.trajectory.steps.indexOf(s.tGrok)
    if (i < 0) return null
    let sum = 0
    for (const name of matrices) {
      const series = s.trajectory.matrixNorms[name]
      if (series === undefined) return null
      sum += (series[i] as number) ** 2
    }
    return Math.sqrt(sum)
  })

const medianOf = (xs: ReadonlyArray<number | null>): number | null => {
  const finite = finiteValues(xs)
  return finite.length === 0 ? null : median(finite)
}

const meanOf = (xs: ReadonlyArray<number | null>): number | null => {
  const finite = finiteValues(xs)
  return finite.length === 0 ? null : mean(finite)
}

const FractionRow = Schema.Struct({
  trainFraction: Schema.Finite,
  free: CellSummary,
  /** Mean over grokked seeds of ‖W‖ and of the unembedding's norm at T_grok (the paper's statistic). */
  totalAtGrok: Schema.NullOr(Schema.Finite),
  unembedAtGrok: Schema.NullOr(Schema.Finite),
  /** Whether this fraction enters the CVs (cvMinFraction, cvMinGrokked). */
  inCv: Schema.Boolean
})

const ModulusRow = Schema.Struct({
  p: Schema.Int,
  fractions: Schema.Array(FractionRow),
  /** Population CV across the included fractions of the per-fraction means, with a
   * seed-bootstrap interval (seeds redrawn within each fraction). */
  cvTotalAcrossFractions: Schema.NullOr(BootstrapEstimate),
  cvUnembedAcrossFractions: Schema.NullOr(BootstrapEstimate)
})

/**
 * Paper A's CV across train fractions: population CV (n denominator) of the
 * per-fraction means of the per-seed norms at grok. Null with fewer than two fractions.
 */
export const cvOfFractionMeans = (fractions: ReadonlyArray<ReadonlyArray<number | null>>): number | null => {
  const means = fractions.map((f) => mean(f))
  return means.length < 2 || means.some((m) => !Number.isFinite(m)) ? null : populationCv(means)
}

const cvInterval = (fractions: ReadonlyArray<ReadonlyArray<number | null>>) => {
  if (cvOfFractionMeans(fractions) === null) return null
  const grokked = fractions.map((f) => finiteValues(f))
  const ci = orNull(() => withinCellBootstrap(grokked, cvOfFractionMeans, { seed: 20260613, resamples: 3000 }))
  return ci === null ? null : estimateOf(ci)
}

/** One train fraction's per-seed norms at grok (null: the seed did not grok). */
export interface FractionNorms {
  readonly trainFraction: number
  readonly total: ReadonlyArray<number | null>
  readonly unembed: ReadonlyArray<number | null>
}

/** The CVs across the fractions that qualify (≥ minFraction, ≥ minGrokked grokked seeds). */
export const fractionCvs = (rows: ReadonlyArray<FractionNorms>, minFraction: number, minGrokked: number) => {
  const inCv = rows.map((r) => r.trainFraction >= minFraction - 1e-9 && finiteValues(r.total).length >= minGrokked)
  const included = rows.filter((_, i) => inCv[i])
  return {
    inCv,
    cvTotalAcrossFractions: cvInterval(included.map((r) => r.total)),
    cvUnembedAcrossFractions: cvInterval(included.map((r) => r.unembed))
  }
}

const GroupClampResult = Schema.Struct({
  group: Schema.String,
  matrices: Schema.Array(Schema.String),
  control: CellSummary,
  /** Each matrix's median norm at the control's T_grok: what ρ multiplies. */
  targets: Schema.Record(Schema.String, Schema.Finite),
  cells: Schema.Array(CellSummary),
  /** max/min median T_grok (over grokked seeds) across the group's ρ, with a seed-bootstrap interval. */
  spanInterval: Schema.NullOr(BootstrapEstimate)
})

const attention = (config: Config): Model => ({
  kind: "attention",
  d: config.attentionD,
  heads: config.attentionHeads,
  mlpWidth: config.attentionMlpWidth,
  preLayerNorm: true
})

export default defineStage({
  name: "layernorm-observational",
  version: 2,
  description: "Pre-LN transformer: total norm vs ‖U‖ at grok across train fractions; group clamps",
  config: Config,
  needs: {},
  output: Schema.Struct({
    moduli: Schema.Array(ModulusRow),
    groupClamps: Schema.Array(GroupClampResult)
  }),
  cells: [trainKind],
  estimate: (config) => {
    const model = attention(config)
    const fractions = config.moduli.flatMap((p) =>
      config.trainFractions.map((trainFraction) => freeUnit({ ...config, trainFraction }, { p, lr: config.lr, model, trainFraction, tag: "attn+LN" }))
    )
    const g = config.groupClamps
    if (g === undefined) return estimateOfUnits(fractions)
    const clampConfig = { ...config, seeds: g.seeds, budget: g.budget }
    const base = { p: g.p, lr: config.lr, model, tag: "attn+LN" }
    const control = freeUnit(clampConfig, base)
    const held = g.groups.flatMap((group) =>
      (group.rhos ?? g.rhos).map((rho) => groupHeldUnit(clampConfig, { ...base, rho, tInt: g.tInt, group: group.name }, group.matrices, [control.label]))
    )
    return estimateOfUnits([...fractions, control, ...held])
  },
  run: (config, _inputs, ctx) =>
    Effect.gen(function*() {
      const model = attention(config)
      const moduli = yield* Effect.forEach(
        config.moduli,
        (p) =>
          Effect.gen(function*() {
            const trained = yield* Effect.forEach(
              config.trainFractions,
              (trainFraction) =>
                Effect.map(freeCell(ctx, { ...config, trainFraction }, { p, lr: config.lr, model, trainFraction, tag: "attn+LN" }), ({ summary, result }) => ({
                  trainFraction,
                  free: summary,
                  total: summary.seeds.map((s) => s.normAtGrok),
                  unembed: groupNormAtGrok(result, config.unembedding)
                })),
              { concurrency: "unbounded" }
            )
            const cvs = fractionCvs(trained, config.cvMinFraction, config.cvMinGrokked)
            const fractions = trained.map((t, i) => ({
              trainFraction: t.trainFraction,
              free: t.free,
              totalAtGrok: meanOf(t.total),
              unembedAtGrok: meanOf(t.unembed),
              inCv: cvs.inCv[i] === true
            }))
            return {
              p,
              fractions,
              cvTotalAcrossFractions: cvs.cvTotalAcrossFractions,
              cvUnembedAcrossFractions: cvs.cvUnembedAcrossFractions
            }
          }),
        { concurrency: "unbounded" }
      )
      const g = config.groupClamps
      const groupClamps = g === undefined ? [] : yield* Effect.gen(function*() {
        const clampConfig = { ...config, seeds: g.seeds, budget: g.budget }
        const base = { p: g.p, lr: config.lr, model, tag: "attn+LN" }
        const { summary: control, result } = yield* freeCell(ctx, clampConfig, base)
        return yield* Effect.forEach(g.groups, (group) =>
          Effect.gen(function*() {
            const targets: Record<string, number> = {}
            for (const name of group.matrices) {
              const m = medianOf(groupNormAtGrok(result, [name]))
              if (m === null) {
                return yield* new StageFailure({ stage: ctx.node, message: `group ${group.name}: no control seed grokked at p=${g.p}, so ‖${name}‖ at grok is undefined; raise the budget` })
              }
              targets[name] = m
            }
            const cells = yield* Effect.forEach(
              group.rhos ?? g.rhos,
              (rho) => Effect.map(groupHeldCell(ctx, clampConfig, { ...base, rho, tInt: g.tInt, group: group.name, targets }), (c) => c.summary),
              { concurrency: "unbounded" }
            )
            const ci = orNull(() =>
              bootstrapMedianRatio(cells.map((c) => c.seeds.map((s) => s.tGrok)), spanOf, { seed: 20260613, resamples: 3000, censoring: "grokkedOnly" })
            )
            return {
              group: group.name,
              matrices: [...group.matrices],
              control,
              targets,
              cells,
              spanInterval: ci === null || !Number.isFinite(ci.estimate) ? null : estimateOf(ci)
            }
          }), { concurrency: "unbounded" })
      })
      return { moduli, groupClamps }
    })
})
