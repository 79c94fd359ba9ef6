/**
 * Paper A's figures from the stored outputs of measure-wc and delay-law-fits. Each
 * figure states its measured result in its caption; `source` names the plots
 * stage's inputs it came from (the report resolves them to cache entries).
 */
import type { AnyFigure } from "../../src/figures/index.ts"
import clampMatrixFigure from "../../src/figures/kinds/clampMatrix.ts"
import denseSweepFigure from "../../src/figures/kinds/denseSweep.ts"
import layerNormFigure from "../../src/figures/kinds/layerNorm.ts"
import multiPCollapseFigure from "../../src/figures/kinds/multiPCollapse.ts"
import oneShotVsSustainedFigure from "../../src/figures/kinds/oneShotVsSustained.ts"
import trajectoriesFigure from "../../src/figures/kinds/trajectories.ts"
import wcInvarianceFigure from "../../src/figures/kinds/wcInvariance.ts"
import wcScalingKind from "../../src/figures/kinds/wcScaling.ts"
import type { SweepFits } from "../../src/fits/sweepFits.ts"
import type { WcOutput } from "../../src/outputs/wcOutput.ts"
import { ciOf, ciText, exponentialFit, fmt, outcomeOf } from "./common.ts"

export interface DelayLawFitsOutput {
  readonly sweep: SweepFits | null
  readonly wcPowerLaw: { readonly beta: { readonly estimate: number; readonly lower: number | null; readonly upper: number | null; readonly undefinedResamples: number }; readonly prefactor: number; readonly r2: number } | null
  readonly projection: {
    readonly oneShot: SweepFits["groups"][number]
    readonly sustained: SweepFits["groups"][number]
    readonly oneShotSpan: number | null
    readonly sustainedSpan: number | null
  } | null
  readonly layernorm: {
    readonly variants: ReadonlyArray<{ readonly name: string; readonly fit: SweepFits["groups"][number]; readonly span: number | null }>
    readonly flattening: number | null
  } | null
}

export const wcFigures = (wc: WcOutput, source: string): Array<AnyFigure> => {
  const figures: Array<AnyFigure> = []
  const ref = wc.reference[0]
  const refConfig = wc.configs.find((c) => c.p === ref?.p && c.trainFraction === ref.trainFraction && c.lr === ref.lr)
  if (wc.trajectories.length > 0 && refConfig?.wc !== null && refConfig !== undefined) {
    const seeds = refConfig.cell.seeds
    figures.push(trajectoriesFigure.of({
      caption: `Free training at p=${ref.p}, lr ${ref.lr}: median T_grok ${refConfig.cell.medianTGrok ?? "censored"} steps, Wc = ${
        fmt(refConfig.wc ?? 0)
      } (CV across seeds ${fmt((refConfig.cvAcrossSeeds ?? 0) * 100, 2)}%)`,
      source,
      wc: refConfig.wc ?? 0,
      runs: wc.trajectories.map((t) => ({
        label: `seed ${t.seed}`,
        tMem: seeds.find((s) => s.seed === t.seed)?.tMem ?? null,
        tGrok: seeds.find((s) => s.seed === t.seed)?.tGrok ?? null,
        points: t.steps.map((step, i) => ({ step, weightNorm: t.norm[i], trainAcc: t.trainAcc[i], testAcc: t.testAcc[i] }))
      }))
    }))
  }
  const p0 = ref?.p
  const byFraction = wc.configs.filter((c) => c.p === p0 && c.lr === ref?.lr && c.wc !== null)
  const byLr = wc.configs.filter((c) => c.p === p0 && c.trainFraction === ref?.trainFraction && c.wc !== null)
  if (byFraction.length > 1 || byLr.length > 1) {
    figures.push(wcInvarianceFigure.of({
      id: `wcInvariance-wd${wc.weightDecay}`,
      caption: `Wc at p=${p0}: CV ${wc.cvAcrossFractions === null ? "—" : `${fmt(wc.cvAcrossFractions * 100, 2)}%`} across train fractions, ${
        wc.cvAcrossLrs === null ? "—" : `${fmt(wc.cvAcrossLrs * 100, 2)}%`
      } across lr (λ=${wc.weightDecay})`,
      source,
      byTrainFraction: byFraction.length > 1 ? byFraction.map((c) => ({ trainFraction: c.trainFraction, wc: c.wc ?? 0 })) : [],
      byLr: byLr.length > 1
        ? byLr.map((c) => ({ lr: c.lr, wc: c.wc ?? 0, ...(c.cell.medianTGrok === null ? {} : { medianTGrok: c.cell.medianTGrok }) }))
        : [],
      lrPanelWeightDecay: wc.weightDecay
    }))
  }
  return figures
}

export const wcScalingFigure = (wc: WcOutput, fits: DelayLawFitsOutput, source: ReadonlyArray<string>): Array<AnyFigure> => {
  const law = fits.wcPowerLaw
  const points = wc.reference.flatMap((r) => (r.wc === null ? [] : [{ p: r.p, wc: r.wc }]))
  if (law === null || points.length < 2) return []
  const betaCi = ciOf(law.beta)
  return [wcScalingKind.of({
    caption: `Wc ∝ p^β with β = ${fmt(law.beta.estimate)}${ciText(law.beta)}, R² = ${fmt(law.r2)} over p ∈ {${points.map((p) => p.p).join(", ")}}`,
    source,
    points,
    fit: { beta: law.beta.estimate, ...(betaCi === undefined ? {} : { betaCi }), prefactor: law.prefactor, r2: law.r2 }
  })]
}

/** The sweep's figures: clamp matrix (several lrs), delay-law fit, multi-p collapse. */
export const sweepFigures = (fits: SweepFits, wcByP: ReadonlyMap<number, number>, suffix: string, source: string): Array<AnyFigure> => {
  const figures: Array<AnyFigure> = []
  const lrs = new Set(fits.groups.map((g) => g.lr))
  const moduli = new Set(fits.groups.map((g) => g.p))
  const primary = fits.primary
  const wc0 = primary === null ? 0 : wcByP.get(primary.p) ?? 0
  if (lrs.size > 1 && primary !== null) {
    figures.push(clampMatrixFigure.of({
      id: `clampMatrix${suffix}`,
      caption: `Median T_grok over ρ × lr at p=${primary.p}: norm lever ${fmt(fits.levers?.normLever ?? Number.NaN)}× vs lr lever ${
        fmt(fits.levers?.lrLeverMin ?? Number.NaN)
      }–${fmt(fits.levers?.lrLeverMax ?? Number.NaN)}×; α per lr ${
        fits.groups.filter((g) => g.p === primary.p).map((g) => (g.alpha === null ? "—" : fmt(g.alpha.estimate))).join(" / ")
      }`,
      source,
      wc: wc0,
      cells: fits.groups.filter((g) => g.p === primary.p).flatMap((g) => g.cells.map((c) => ({ rho: c.rho, lr: g.lr, ...outcomeOf(c) })))
    }))
  }
  const fit = primary === null ? null : exponentialFit(primary)
  if (primary !== null && fit !== null) {
    figures.push(denseSweepFigure.of({
      id: `delayLaw${suffix}`,
      title: `Delay law at p = ${primary.p}, lr = ${primary.lr}`,
      caption: `ln T_grok = c + α·ρ with α = ${fmt(fit.alpha)}${ciText(primary.alpha)}, R² = ${fmt(fit.r2)} over ρ ∈ [${fit.fitRange?.[0]}, ${
        fit.fitRange?.[1]
      }]${fits.normAtGrokMaxDeviation === null ? "" : `; ‖W‖ at grok within ${fmt(fits.normAtGrokMaxDeviation * 100, 2)}% of the held norm`}`,
      source,
      wc: wc0,
      fit,
      cells: primary.cells.map((c) => ({ rho: c.rho, ...outcomeOf(c) }))
    }))
  }
  if (moduli.size > 1 && fits.shared !== null) {
    const shared = fits.shared
    const alphaCi = ciOf(shared.alpha)
    const lr0 = primary?.lr
    figures.push(multiPCollapseFigure.of({
      id: `multiPCollapse${suffix}`,
      caption: `One α across moduli: α = ${fmt(shared.alpha.estimate)}${ciText(shared.alpha)}, R² = ${fmt(shared.r2)} (${shared.n} cells)`,
      source,
      cells: fits.groups.filter((g) => g.lr === lr0).flatMap((g) => g.cells.map((c) => ({ p: g.p, rho: c.rho, ...outcomeOf(c) }))),
      fit: {
        alpha: shared.alpha.estimate,
        ...(alphaCi === undefined ? {} : { alphaCi }),
        r2: shared.r2,
        intercepts: Object.entries(shared.intercepts).map(([g, intercept]) => ({ p: Number(g.replace("p=", "")), intercept }))
      },
      excluded: shared.excludedGroups.map((e) => ({ p: Number(e.group.replace("p=", "")), reason: e.reason }))
    }))
  }
  return figures
}

export const controlFigures = (fits: DelayLawFitsOutput, source: string): Array<AnyFigure> => {
  const figures: Array<AnyFigure> = []
  const projection = fits.projection
  if (projection !== null) {
    figures.push(oneShotVsSustainedFigure.of({
      caption: `Max/min median T_grok over ρ: one-shot rescale ${fmt(projection.oneShotSpan ?? Number.NaN)}× vs sustained hold ${
        fmt(projection.sustainedSpan ?? Number.NaN)
      }×`,
      source,
      cells: [
        ...projection.oneShot.cells.map((c) => ({ rho: c.rho, arm: "one-shot" as const, ...outcomeOf(c) })),
        ...projection.sustained.cells.map((c) => ({ rho: c.rho, arm: "sustained" as const, ...outcomeOf(c) }))
      ],
      ...(projection.oneShotSpan !== null && projection.sustainedSpan !== null
        ? { foldChange: { oneShot: projection.oneShotSpan, sustained: projection.sustainedSpan } }
        : {})
    }))
  }
  const layernorm = fits.layernorm
  if (layernorm !== null && layernorm.variants.length > 0) {
    figures.push(layerNormFigure.of({
      caption: `${layernorm.variants.map((v) => `${v.name}: α = ${v.fit.alpha === null ? "—" : fmt(v.fit.alpha.estimate)}`).join("; ")}${
        layernorm.flattening === null ? "" : `; |α_LN|/α = ${fmt(layernorm.flattening, 2)}`
      }`,
      source,
      cells: layernorm.variants.flatMap((v) => v.fit.cells.map((c) => ({ rho: c.rho, variant: v.name, ...outcomeOf(c) }))),
      fits: layernorm.variants.flatMap((v) => {
        const f = exponentialFit(v.fit)
        return f === null ? [] : [{ ...f, variant: v.name }]
      })
    }))
  }
  return figures
}
