/**
 * Paper A's statistics over the measured cells: the delay law per (p, lr) and
 * shared across moduli with seed-bootstrap CIs, the norm and lr levers, the Wc
 * power law in p, the one-shot vs sustained contrast, the LayerNorm flattening,
 * and the paper's known weak spots as measured here (docs/protocol.md §7).
 * Every sweep is fitted twice, each labelled: `sweepPapers` with the papers' medians
 * over grokked seeds (what paper-scale claims compare), `sweep` with grokflow's
 * censoring-aware medians (docs/protocol.md §9).
 */
import { Effect, Schema } from "effect"
import { bootstrapMedianRatio, bootstrapPowerLaw, median, populationCv, spanOf, withinCellBootstrap } from "../src/analysis/index.ts"
import { defineStage, optionalNeed } from "../src/engine/Stage.ts"
import { PositiveInt, withDefault } from "../src/cells/configFields.ts"
import { orNull } from "../src/fits/guarded.ts"
import { BootstrapEstimate, estimateOf } from "../src/outputs/bootstrapEstimate.ts"
import { fitSweep, GroupFit, SweepFits } from "../src/fits/sweepFits.ts"
import type { SweepOutput } from "../src/outputs/sweepOutput.ts"
import type { WcOutput } from "../src/outputs/wcOutput.ts"
import { feed } from "../src/figures/Figure.ts"
import clampMatrix from "../src/figures/kinds/clampMatrix.ts"
import denseSweep from "../src/figures/kinds/denseSweep.ts"
import layerNorm from "../src/figures/kinds/layerNorm.ts"
import multiPCollapse from "../src/figures/kinds/multiPCollapse.ts"
import oneShotVsSustained from "../src/figures/kinds/oneShotVsSustained.ts"
import wcScaling from "../src/figures/kinds/wcScaling.ts"
import { ciOf, ciText, exponentialFit, fmt, outcomeOf } from "./_figures/common.ts"
import clampSweep from "./clamp-sweep.ts"
import layernormControl from "./layernorm-control.ts"
import measureWc from "./measure-wc.ts"
import projectionControl from "./projection-control.ts"

const Config = Schema.Struct({
  bootstrapResamples: withDefault(PositiveInt, 3000),
  bootstrapSeed: withDefault(Schema.Int, 20260613),
  /** Only these ρ enter the per-(p, lr) and shared fits (paper A's per-lr α and
   * shared α: 0.85, 1, 1.15); empty: every ρ of the sweep. */
  fitRhos: withDefault(Schema.Array(Schema.Finite), []),
  /** "input": the saturation cell is the `saturation` input's cell at the primary
   * (p, lr) and `saturationRho` (paper A: the p-scan's ρ = 1.30 against the dense
   * fit); "own": the sweep's highest ρ against the fit on its lower ρ's. */
  saturationFrom: withDefault(Schema.Literals(["own", "input"]), "own"),
  saturationRho: Schema.optional(Schema.Finite)
})

const WeakSpot = Schema.Struct({ id: Schema.String, text: Schema.String, value: Schema.NullOr(Schema.Finite) })
type WeakSpot = typeof WeakSpot.Type

const VariantFit = Schema.Struct({
  name: Schema.String,
  model: Schema.String,
  layerNorm: Schema.Boolean,
  wc: Schema.Finite,
  /** grokflow's censoring-aware fit. */
  fit: GroupFit,
  /** The papers' fit, medians over grokked seeds. */
  fitPapers: GroupFit,
  /** max/min median T_grok over the ρ grid. */
  span: Schema.NullOr(Schema.Finite)
})

const span = (fit: GroupFit): number | null => {
  const medians = fit.cells.flatMap((c) => (c.median === null ? [] : [c.median]))
  return medians.length < 2 ? null : Math.max(...medians) / Math.min(...medians)
}

/** max/min median over grokked seeds across a sweep's cells, seeds resampled within cells. */
const spanInterval = (sweep: SweepOutput, options: { seed: number; resamples: number }) => {
  const ci = orNull(() =>
    bootstrapMedianRatio(sweep.cells.map((c) => c.seeds.map((s) => s.tGrok)), spanOf, { ...options, censoring: "grokkedOnly" })
  )
  return ci === null || !Number.isFinite(ci.estimate) ? null : estimateOf(ci)
}

const asSweep = (cells: SweepOutput["cells"], tInt: number): SweepOutput => ({ hold: "sustained", tInt, wc: [], cells })

/**
 * Wc ∝ p^β as paper A fits it: per p, the mean of ‖W‖ at T_grok over the grokked seeds
 * of every train fraction measured at the reference lr (pooled over fractions), not one
 * fraction's median; the bootstrap redraws seeds within each (p, fraction) cell.
 */
export const wcPowerLaw = (wc: WcOutput, options: { seed: number; resamples: number }) => {
  const lr0 = wc.reference[0]?.lr
  const moduli = [...new Set(wc.configs.filter((c) => c.lr === lr0).map((c) => c.p))]
  const groups = moduli.map((p) => ({
    x: p,
    cells: wc.configs.filter((c) => c.p === p && c.lr === lr0).map((c) => c.cell.seeds.map((s) => s.normAtGrok))
  }))
  if (groups.length < 2) return null
  const fitted = orNull(() => bootstrapPowerLaw(groups, { ...options, center: "mean" }))
  return fitted === null
    ? null
    : { beta: estimateOf(fitted.beta), prefactor: fitted.fit.prefactor, r2: fitted.fit.r2, n: fitted.fit.n }
}

/**
 * Wc's invariance as paper A states it ("CV 1–2%"): across train fractions and lrs
 * (measure-wc), and across seeds at the headline configuration — measure-wc's reference
 * (its first modulus, fraction and lr: p = 59, 0.4, 1e-3), population CV as the paper's
 * code computes it. The largest across-seed CV over every configuration is kept for
 * reading, not as the paper's statistic (on the paper's own data it is well above 2%).
 */
export const wcInvariance = (wc: WcOutput) => {
  const seedCvs = wc.configs.flatMap((c) => (c.cvAcrossSeeds === null ? [] : [c.cvAcrossSeeds]))
  const ref = wc.reference[0]
  const headline = ref === undefined
    ? undefined
    : wc.configs.find((c) => c.p === ref.p && c.trainFraction === ref.trainFraction && c.lr === ref.lr)
  const headlineCv = headline === undefined ? Number.NaN : populationCv(headline.cell.seeds.map((s) => s.normAtGrok))
  return {
    cvAcrossSeedsHeadline: Number.isFinite(headlineCv) ? headlineCv : null,
    cvAcrossSeedsMax: seedCvs.length === 0 ? null : Math.max(...seedCvs),
    cvAcrossFractions: wc.cvAcrossFractions,
    cvAcrossLrs: wc.cvAcrossLrs,
    thresholdShiftMax: wc.thresholdShiftMax
  }
}

/** Wc per modulus at the reference fraction and lr, with a seed-bootstrap interval of the median. */
const wcWithInterval = (wc: WcOutput, options: { seed: number; resamples: number }) =>
  wc.reference.map((r) => {
    const cell = wc.configs.find((c) => c.p === r.p && c.trainFraction === r.trainFraction && c.lr === r.lr)?.cell
    const norms = (cell?.seeds ?? []).flatMap((s) => (s.normAtGrok === null ? [] : [s.normAtGrok]))
    const ci = norms.length === 0
      ? null
      : orNull(() => withinCellBootstrap([norms], (xs) => (xs[0].length === 0 ? null : median(xs[0])), options))
    return {
      p: r.p,
      wc: ci === null ? null : estimateOf(ci),
      grokked: norms.length,
      total: cell?.total ?? 0
    }
  })

/** docs/protocol.md §7: the ρ = 1 clamp is not a neutral control. Free median over clamped median at the same p and lr. */
const rho1VsFree = (wc: WcOutput, sweep: SweepOutput): WeakSpot | null => {
  for (const c of sweep.cells) {
    if (c.rho !== 1 || c.medianTGrok === null) continue
    const free = wc.configs.find((f) => f.p === c.p && f.lr === c.lr)?.cell.medianTGrok ?? null
    if (free === null) continue
    const value = free / c.medianTGrok
    return {
      id: "rho1-vs-free",
      text: `ρ = 1.00 clamp (p=${c.p}, lr=${c.lr}) groks at median ${c.medianTGrok} vs ${free} free: ${
        value >= 1 ? `${((1 - 1 / value) * 100).toFixed(0)}% faster` : `${((1 / value - 1) * 100).toFixed(0)}% slower`
      } than free training`,
      value
    }
  }
  return null
}

/** How much LayerNorm flattens the law, measured; the MLP twin is a weaker control than the paper's. */
const layerNormSpot = (
  variants: ReadonlyArray<{ readonly name: string; readonly layerNorm: boolean; readonly fit: GroupFit }> | undefined,
  flattening: number | null
): WeakSpot | null => {
  const withLn = variants?.find((v) => v.layerNorm && v.fit.alpha !== null)
  const without = variants?.find((v) => !v.layerNorm && v.fit.alpha !== null)
  if (withLn === undefined || without === undefined || flattening === null) return null
  return {
    id: "layernorm-flattening",
    text: `LayerNorm control: α = ${withLn.fit.alpha?.estimate.toFixed(2)} with LN (${withLn.name}) vs ${
      without.fit.alpha?.estimate.toFixed(2)
    } without (${without.name}), |α_LN|/α = ${flattening.toFixed(2)}${
      flattening > 1 / 3 ? "; LN weakens the law but does not remove it here" : ""
    }`,
    value: flattening
  }
}

const alphaPerLr = (fits: SweepFits): WeakSpot | null => {
  const byLr = fits.groups.filter((g) => g.alpha !== null)
  if (new Set(byLr.map((g) => g.lr)).size < 2) return null
  return {
    id: "alpha-per-lr",
    text: `α per lr: ${byLr.map((g) => `lr ${g.lr}: ${g.alpha?.estimate.toFixed(2)}`).join(", ")}`,
    value: Math.max(...byLr.map((g) => g.alpha?.estimate ?? 0)) - Math.min(...byLr.map((g) => g.alpha?.estimate ?? 0))
  }
}

const Output = Schema.Struct({
  /** grokflow's censoring-aware medians (censored seeds as +∞). */
  sweep: Schema.NullOr(SweepFits),
  /** The papers' medians over grokked seeds, grokked/total beside (paper-scale claims read these). */
  sweepPapers: Schema.NullOr(SweepFits),
  /** Wc at the reference (train fraction, lr) per modulus: median ‖W‖ at T_grok over
   * grokked seeds, with its seed-bootstrap 95% interval. */
  wc: Schema.Array(Schema.Struct({ p: Schema.Int, wc: Schema.NullOr(BootstrapEstimate), grokked: Schema.Int, total: Schema.Int })),
  wcPowerLaw: Schema.NullOr(
    Schema.Struct({ beta: BootstrapEstimate, prefactor: Schema.Finite, r2: Schema.Finite, n: Schema.Int })
  ),
  wcInvariance: Schema.Struct({
    /** Population CV across seeds at the reference configuration (the paper's headline). */
    cvAcrossSeedsHeadline: Schema.NullOr(Schema.Finite),
    /** Largest sample CV across seeds over every configuration (grokflow's, not a paper number). */
    cvAcrossSeedsMax: Schema.NullOr(Schema.Finite),
    cvAcrossFractions: Schema.NullOr(Schema.Finite),
    cvAcrossLrs: Schema.NullOr(Schema.Finite),
    thresholdShiftMax: Schema.NullOr(Schema.Finite)
  }),
  projection: Schema.NullOr(
    Schema.Struct({
      oneShot: GroupFit,
      sustained: GroupFit,
      oneShotSpan: Schema.NullOr(Schema.Finite),
      sustainedSpan: Schema.NullOr(Schema.Finite),
      /** The spans over medians of grokked seeds (the papers'), with seed-bootstrap intervals. */
      oneShotSpanInterval: Schema.NullOr(BootstrapEstimate),
      sustainedSpanInterval: Schema.NullOr(BootstrapEstimate)
    })
  ),
  layernorm: Schema.NullOr(
    Schema.Struct({
      variants: Schema.Array(VariantFit),
      /** |α| with LayerNorm over α without, for the first pair of twins. */
      flattening: Schema.NullOr(Schema.Finite)
    })
  ),
  weakSpots: Schema.Array(WeakSpot)
})
type DelayLawFits = typeof Output.Type

// The figures this stage feeds (drawn by `grokflow report` from the stored output).

/** The input the figures that show Wc read (measure-wc's output). */
type WcInput = { readonly wc: WcOutput }

/** Wc at the reference cell of the primary modulus, shown beside the fitted law. */
const wcAtPrimary = (fits: DelayLawFits, wc: WcOutput): number =>
  fits.sweep?.primary == null ? 0 : wc.reference.find((r) => r.p === fits.sweep?.primary?.p)?.wc ?? 0

/** (c) Wc against p with the fitted power law. */
const wcScalingFigure = (fits: DelayLawFits, { wc }: WcInput) => {
  const law = fits.wcPowerLaw
  const points = wc.reference.flatMap((r) => (r.wc === null ? [] : [{ p: r.p, wc: r.wc }]))
  if (law === null || points.length < 2) return null
  const betaCi = ciOf(law.beta)
  return {
    caption: `Wc ∝ p^β with β = ${fmt(law.beta.estimate)}${ciText(law.beta)}, R² = ${fmt(law.r2)} over p ∈ {${points.map((p) => p.p).join(", ")}}`,
    source: ["wc"],
    points,
    fit: { beta: law.beta.estimate, ...(betaCi === undefined ? {} : { betaCi }), prefactor: law.prefactor, r2: law.r2 }
  }
}

/** (d) Median T_grok over ρ × lr at the primary modulus (several lrs only). */
const clampMatrixFigure = (fits: DelayLawFits, { wc }: WcInput) => {
  const sweep = fits.sweep
  const primary = sweep?.primary ?? null
  if (sweep === null || primary === null || new Set(sweep.groups.map((g) => g.lr)).size < 2) return null
  const groups = sweep.groups.filter((g) => g.p === primary.p)
  return {
    id: "clampMatrix",
    caption: `Median T_grok over ρ × lr at p=${primary.p}: norm lever ${fmt(sweep.levers?.normLever ?? Number.NaN)}× vs lr lever ${
      fmt(sweep.levers?.lrLeverMin ?? Number.NaN)
    }–${fmt(sweep.levers?.lrLeverMax ?? Number.NaN)}×; α per lr ${groups.map((g) => (g.alpha === null ? "—" : fmt(g.alpha.estimate))).join(" / ")}`,
    source: ["sweep", "wc"],
    wc: wcAtPrimary(fits, wc),
    cells: groups.flatMap((g) => g.cells.map((c) => ({ rho: c.rho, lr: g.lr, ...outcomeOf(c) })))
  }
}

/** (e) The delay law at the primary (p, lr): ln T_grok = c + α·ρ. */
const delayLawFigure = (fits: DelayLawFits, { wc }: WcInput) => {
  const sweep = fits.sweep
  const primary = sweep?.primary ?? null
  const fit = primary === null ? null : exponentialFit(primary)
  if (sweep === null || primary === null || fit === null) return null
  return {
    id: "delayLaw",
    title: `Delay law at p = ${primary.p}, lr = ${primary.lr}`,
    caption: `ln T_grok = c + α·ρ with α = ${fmt(fit.alpha)}${ciText(primary.alpha)}, R² = ${fmt(fit.r2)} over ρ ∈ [${fit.fitRange?.[0]}, ${
      fit.fitRange?.[1]
    }]${sweep.normAtGrokMaxDeviation === null ? "" : `; ‖W‖ at grok within ${fmt(sweep.normAtGrokMaxDeviation * 100, 2)}% of the held norm`}`,
    source: ["sweep", "wc"],
    wc: wcAtPrimary(fits, wc),
    fit,
    cells: primary.cells.map((c) => ({ rho: c.rho, ...outcomeOf(c) }))
  }
}

/** (f) One α shared across moduli (several moduli only). */
const multiPCollapseFigure = (fits: DelayLawFits) => {
  const sweep = fits.sweep
  if (sweep === null || sweep.shared === null || new Set(sweep.groups.map((g) => g.p)).size < 2) return null
  const shared = sweep.shared
  const alphaCi = ciOf(shared.alpha)
  const lr0 = sweep.primary?.lr
  return {
    id: "multiPCollapse",
    caption: `One α across moduli: α = ${fmt(shared.alpha.estimate)}${ciText(shared.alpha)}, R² = ${fmt(shared.r2)} (${shared.n} cells)`,
    source: ["sweep"],
    cells: sweep.groups.filter((g) => g.lr === lr0).flatMap((g) => g.cells.map((c) => ({ p: g.p, rho: c.rho, ...outcomeOf(c) }))),
    fit: {
      alpha: shared.alpha.estimate,
      ...(alphaCi === undefined ? {} : { alphaCi }),
      r2: shared.r2,
      intercepts: Object.entries(shared.intercepts).map(([g, intercept]) => ({ p: Number(g.replace("p=", "")), intercept }))
    },
    excluded: shared.excludedGroups.map((e) => ({ p: Number(e.group.replace("p=", "")), reason: e.reason }))
  }
}

/** (g) One-shot rescale against the sustained clamp. */
const oneShotVsSustainedFigure = (fits: DelayLawFits) => {
  const projection = fits.projection
  if (projection === null) return null
  return {
    caption: `Max/min median T_grok over ρ: one-shot rescale ${fmt(projection.oneShotSpan ?? Number.NaN)}× vs sustained hold ${
      fmt(projection.sustainedSpan ?? Number.NaN)
    }×`,
    source: ["projection"],
    cells: [
      ...projection.oneShot.cells.map((c) => ({ rho: c.rho, arm: "one-shot" as const, ...outcomeOf(c) })),
      ...projection.sustained.cells.map((c) => ({ rho: c.rho, arm: "sustained" as const, ...outcomeOf(c) }))
    ],
    ...(projection.oneShotSpan !== null && projection.sustainedSpan !== null
      ? { foldChange: { oneShot: projection.oneShotSpan, sustained: projection.sustainedSpan } }
      : {})
  }
}

/** (h) The delay law with and without LayerNorm. */
const layerNormFigure = (fits: DelayLawFits) => {
  const layernorm = fits.layernorm
  if (layernorm === null || layernorm.variants.length === 0) return null
  return {
    caption: `${layernorm.variants.map((v) => `${v.name}: α = ${v.fit.alpha === null ? "—" : fmt(v.fit.alpha.estimate)}`).join("; ")}${
      layernorm.flattening === null ? "" : `; |α_LN|/α = ${fmt(layernorm.flattening, 2)}`
    }`,
    source: ["layernorm"],
    cells: layernorm.variants.flatMap((v) => v.fit.cells.map((c) => ({ rho: c.rho, variant: v.name, ...outcomeOf(c) }))),
    fits: layernorm.variants.flatMap((v) => {
      const f = exponentialFit(v.fit)
      return f === null ? [] : [{ ...f, variant: v.name }]
    })
  }
}

export default defineStage({
  name: "delay-law-fits",
  version: 2,
  description: "Delay-law fits with seed-bootstrap CIs, levers, Wc power law, controls",
  config: Config,
  needs: {
    wc: measureWc,
    // Optional: a profile measuring only Wc's invariance (faithful-a1) has no clamp sweep.
    sweep: optionalNeed(clampSweep),
    saturation: optionalNeed(clampSweep),
    projection: optionalNeed(projectionControl),
    layernorm: optionalNeed(layernormControl)
  },
  output: Output,
  figures: [
    feed(wcScaling, wcScalingFigure),
    feed(clampMatrix, clampMatrixFigure),
    feed(denseSweep, delayLawFigure),
    feed(multiPCollapse, multiPCollapseFigure),
    feed(oneShotVsSustained, oneShotVsSustainedFigure),
    feed(layerNorm, layerNormFigure)
  ],
  run: (config, inputs) =>
    Effect.sync(() => {
      const options = { seed: config.bootstrapSeed, resamples: config.bootstrapResamples }
      const fitRhos = config.fitRhos.length === 0 ? null : config.fitRhos
      const first = inputs.sweep?.cells[0]
      const saturationRho = config.saturationRho
      const external = config.saturationFrom === "input" && inputs.saturation !== undefined && first !== undefined
        ? inputs.saturation.cells
          .filter((c) => c.p === first.p && c.lr === first.lr && (saturationRho === undefined || c.rho === saturationRho))
          .sort((a, b) => (b.rho ?? 0) - (a.rho ?? 0))[0]
        : undefined
      const saturationCell = external === undefined ? null : { cell: external, source: `${external.label} (budget ${external.budget})` }
      const swept = inputs.sweep
      const sweep = swept === undefined ? null : fitSweep(swept, { ...options, fitRhos, saturationCell, censoring: "infinity" })
      const sweepPapers = swept === undefined ? null : fitSweep(swept, { ...options, fitRhos, saturationCell, censoring: "grokkedOnly" })
      const projection = inputs.projection === undefined ? null : (() => {
        const oneShot = fitSweep(inputs.projection.oneShot, options).primary
        const sustained = fitSweep(inputs.projection.sustained, options).primary
        return oneShot === null || sustained === null
          ? null
          : {
            oneShot,
            sustained,
            oneShotSpan: span(oneShot),
            sustainedSpan: span(sustained),
            oneShotSpanInterval: spanInterval(inputs.projection.oneShot, options),
            sustainedSpanInterval: spanInterval(inputs.projection.sustained, options)
          }
      })()
      const variants = inputs.layernorm?.variants.flatMap((v) => {
        const fit = fitSweep(asSweep(v.cells, v.tInt), { ...options, fitRhos }).primary
        const fitPapers = fitSweep(asSweep(v.cells, v.tInt), { ...options, fitRhos, censoring: "grokkedOnly" }).primary
        return fit === null || fitPapers === null
          ? []
          : [{ name: v.name, model: v.model, layerNorm: v.layerNorm, wc: v.wc, fit, fitPapers, span: span(fit) }]
      })
      const withLn = variants?.find((v) => v.layerNorm)
      const twin = variants?.find((v) => !v.layerNorm && v.model === withLn?.model)
      const flattening = withLn?.fit.alpha && twin?.fit.alpha && twin.fit.alpha.estimate !== 0
        ? Math.abs(withLn.fit.alpha.estimate) / twin.fit.alpha.estimate
        : null
      return {
        sweep,
        sweepPapers,
        wc: wcWithInterval(inputs.wc, options),
        wcPowerLaw: wcPowerLaw(inputs.wc, options),
        wcInvariance: wcInvariance(inputs.wc),
        projection,
        layernorm: variants === undefined ? null : { variants, flattening },
        weakSpots: [
          swept === undefined ? null : rho1VsFree(inputs.wc, swept),
          sweep === null ? null : alphaPerLr(sweep),
          layerNormSpot(variants, flattening)
        ].filter(
          (w): w is WeakSpot => w !== null
        )
      }
    })
})

