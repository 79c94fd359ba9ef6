/**
 * Paper A (docs/protocol.md §6.1): the critical norm Wc, ‖W‖ at T_grok under free training, per
 * (modulus × train fraction × lr), with its spread across seeds, fractions, lrs
 * and grokking thresholds. Downstream clamps read Wc from here.
 */
import { Effect, Schema } from "effect"
import { criticalNorm, criticalNormAtLastGrok, cvAcrossConfigs, finiteValues, thresholdRobustness } from "../src/analysis/index.ts"
import { defineStage } from "../src/engine/Stage.ts"
import { StageFailure } from "../src/engine/StageFailure.ts"
import { mlpTrain } from "../src/cells/cellKinds.ts"
import { estimateOfUnits } from "../src/planning/estimate.ts"
import { IntList, PositiveList, trainingFields, withDefault } from "../src/cells/configFields.ts"
import { freeCell, freeUnit } from "../src/cells/heldCell.ts"
import { subsample } from "../src/outputs/subsample.ts"
import { WcOutput } from "../src/outputs/wcOutput.ts"
import type { WcConfig } from "../src/outputs/wcOutput.ts"
import { feed } from "../src/figures/Figure.ts"
import trajectories from "../src/figures/kinds/trajectories.ts"
import wcInvariance from "../src/figures/kinds/wcInvariance.ts"
import wcVsTrainFraction, { wcVsTrainFractionOf } from "../src/figures/kinds/wcVsTrainFraction.ts"
import type { CellResult } from "../src/train/CellSpec.ts"
import { fmt } from "./_figures/common.ts"

// The train fraction is swept here (`trainFractions`, the first being the reference).
const { trainFraction: _sweptHere, ...fixedFields } = trainingFields

const Config = Schema.Struct({
  ...fixedFields,
  moduli: withDefault(IntList, [59]),
  trainFractions: withDefault(PositiveList, [0.4]),
  lrs: withDefault(PositiveList, [1e-3]),
  loss: withDefault(Schema.Literals(["ce", "mse"]), "ce"),
  trajectoryPoints: withDefault(Schema.Int, 120),
  /** Where each seed's norm is read: at its own T_grok (paper A), or at the step the
   * last seed groks (paper B's calibration loop exits there; needs stopRule all-seeds). */
  wcAt: withDefault(Schema.Literals(["own-grok", "last-grok"]), "own-grok")
})

const cvOrNull = (values: ReadonlyArray<number | null>): number | null => {
  const finite = finiteValues(values)
  return finite.length < 2 ? null : cvAcrossConfigs(finite)
}

/** (a) The reference cell's free-training trajectories, one run per seed. */
const trajectoriesFigure = (wc: WcOutput) => {
  const ref = wc.reference[0]
  const refConfig = wc.configs.find((c) => c.p === ref?.p && c.trainFraction === ref.trainFraction && c.lr === ref.lr)
  if (wc.trajectories.length === 0 || refConfig === undefined || refConfig.wc === null) return null
  const seeds = refConfig.cell.seeds
  return {
    caption: `Free training at p=${ref.p}, lr ${ref.lr}: median T_grok ${refConfig.cell.medianTGrok ?? "censored"} steps, Wc = ${
      fmt(refConfig.wc)
    } (CV across seeds ${fmt((refConfig.cvAcrossSeeds ?? 0) * 100, 2)}%)`,
    wc: refConfig.wc,
    runs: wc.trajectories.map((t) => ({
      label: `seed ${t.seed}`,
      tMem: seeds.find((s) => s.seed === t.seed)?.tMem ?? null,
      tGrok: seeds.find((s) => s.seed === t.seed)?.tGrok ?? null,
      points: t.steps.map((step, i) => ({ step, weightNorm: t.norm[i], trainAcc: t.trainAcc[i], testAcc: t.testAcc[i] }))
    }))
  }
}

/** (b) Wc across train fractions and across lrs at the first modulus. */
const wcInvarianceFigure = (wc: WcOutput) => {
  const ref = wc.reference[0]
  const p0 = ref?.p
  const byFraction = wc.configs.filter((c) => c.p === p0 && c.lr === ref?.lr && c.wc !== null)
  const byLr = wc.configs.filter((c) => c.p === p0 && c.trainFraction === ref?.trainFraction && c.wc !== null)
  if (byFraction.length < 2 && byLr.length < 2) return null
  return {
    id: `wcInvariance-wd${wc.weightDecay}`,
    caption: `Wc at p=${p0}: CV ${wc.cvAcrossFractions === null ? "—" : `${fmt(wc.cvAcrossFractions * 100, 2)}%`} across train fractions, ${
      wc.cvAcrossLrs === null ? "—" : `${fmt(wc.cvAcrossLrs * 100, 2)}%`
    } across lr (λ=${wc.weightDecay})`,
    byTrainFraction: byFraction.length > 1 ? byFraction.map((c) => ({ trainFraction: c.trainFraction, wc: c.wc ?? 0 })) : [],
    byLr: byLr.length > 1
      ? byLr.map((c) => ({ lr: c.lr, wc: c.wc ?? 0, ...(c.cell.medianTGrok === null ? {} : { medianTGrok: c.cell.medianTGrok }) }))
      : [],
    lrPanelWeightDecay: wc.weightDecay
  }
}

export default defineStage({
  name: "measure-wc",
  version: 2,
  description: "Critical norm Wc: ‖W‖ at T_grok under free training",
  config: Config,
  needs: {},
  output: WcOutput,
  figures: [
    feed(trajectories, trajectoriesFigure),
    feed(wcInvariance, wcInvarianceFigure),
    feed(wcVsTrainFraction, (wc: WcOutput) => wcVsTrainFractionOf(wc.configs, wc.reference[0]?.lr))
  ],
  cells: [mlpTrain],
  estimate: (config) =>
    estimateOfUnits(
      config.moduli.flatMap((p) =>
        config.trainFractions.flatMap((trainFraction) =>
          config.lrs.map((lr) => freeUnit({ ...config, trainFraction }, { p, trainFraction, lr, loss: config.loss }))
        )
      )
    ),
  run: (config, _inputs, ctx) =>
    Effect.gen(function*() {
      if (config.wcAt === "last-grok" && config.stopRule !== "all-seeds") {
        return yield* new StageFailure({
          stage: ctx.node,
          message: `wcAt: last-grok reads every seed's norm at the last seed's grok, so it needs stopRule: all-seeds (got ${config.stopRule})`
        })
      }
      const grid = config.moduli.flatMap((p) =>
        config.trainFractions.flatMap((trainFraction) => config.lrs.map((lr) => ({ p, trainFraction, lr })))
      )
      const trained = yield* Effect.forEach(
        grid,
        (at) =>
          Effect.map(
            freeCell(ctx, { ...config, trainFraction: at.trainFraction }, { ...at, loss: config.loss }),
            ({ summary, result }) => ({ at, summary, result })
          ),
        { concurrency: "unbounded" }
      )
      const configs: Array<WcConfig> = trained.map(({ at, summary: cell, result }) => {
        const atLast = config.wcAt === "last-grok"
          ? criticalNormAtLastGrok(result.seeds.map((s) => ({ tGrok: s.tGrok, ...s.trajectory })), cell.budget)
          : null
        const atGrok = atLast ?? criticalNorm(cell.seeds.map((s) => s.normAtGrok))
        const byThreshold = config.extraThresholds.map((t) => ({
          threshold: t,
          wc: criticalNorm(result.seeds.map((s) => s.extraCrossings[String(t)]?.norm ?? null)).wc
        }))
        const measured = [{ threshold: config.grokThreshold, wc: atGrok.wc }, ...byThreshold].flatMap((t) =>
          t.wc === null ? [] : [{ threshold: t.threshold, wc: t.wc }]
        )
        return {
          ...at,
          cell,
          wc: atGrok.wc,
          wcStep: atLast?.step ?? null,
          cvAcrossSeeds: atGrok.cvSeeds,
          wcAtThreshold: Object.fromEntries(byThreshold.map((t) => [String(t.threshold), t.wc])),
          thresholdShift: atGrok.wc === null || measured.length < 2
            ? null
            : thresholdRobustness(measured, config.grokThreshold).maxRelativeChange
        }
      })
      const [p0, f0, lr0] = [config.moduli[0], config.trainFractions[0], config.lrs[0]]
      const find = (p: number, f: number, lr: number) =>
        configs.find((c) => c.p === p && c.trainFraction === f && c.lr === lr)
      const referenceCell = trained.find(({ at }) => at.p === p0 && at.trainFraction === f0 && at.lr === lr0)
      return {
        loss: config.loss,
        weightDecay: config.weightDecay,
        configs,
        reference: config.moduli.map((p) => ({ p, wc: find(p, f0, lr0)?.wc ?? null, lr: lr0, trainFraction: f0 })),
        cvAcrossFractions: cvOrNull(config.trainFractions.map((f) => find(p0, f, lr0)?.wc ?? null)),
        cvAcrossLrs: cvOrNull(config.lrs.map((lr) => find(p0, f0, lr)?.wc ?? null)),
        thresholdShiftMax: configs.reduce<number | null>(
          (m, c) => (c.thresholdShift === null ? m : Math.max(m ?? 0, c.thresholdShift)),
          null
        ),
        trajectories: referenceCell === undefined ? [] : trajectoriesOf(referenceCell.result, config.trajectoryPoints)
      }
    })
})

const trajectoriesOf = (result: CellResult, points: number) =>
  result.seeds.map((s) => {
    const keep = subsample(s.trajectory.steps.length, points)
    const pick = <A>(xs: ReadonlyArray<A>) => keep.map((i) => xs[i])
    return {
      seed: s.seed,
      steps: pick(s.trajectory.steps),
      norm: pick(s.trajectory.norm),
      trainAcc: pick(s.trajectory.trainAcc),
      testAcc: pick(s.trajectory.testAcc)
    }
  })
