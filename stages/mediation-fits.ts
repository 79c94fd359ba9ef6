/**
 * Paper B's statistics over the temperature grid, per modulus: how much of the
 * norm-up delay is recovered by matching the effective logit scale L with τ
 * (paired seed bootstrap), whether ln T collapses on L rather than on ρ, and how
 * much of the τ effect lands on memorization (docs/protocol.md §6, B1–B4).
 * The paper's conventions are options, each labelled in the output: the recovery
 * interval resamples T with L held at its full-sample values and T2 clamped at the
 * ends of the swept L range (`recoveryLogitScale: fixed`, `outsideRange: clamp`),
 * and the collapse regressions use the ρ {1, 1.05, 1.1, 1.15} × τ {1, 1.3, 1.7}
 * cells (`collapseTaus`, `collapseRhos`).
 */
import { Effect, Schema } from "effect"
import {
  bootstrapRecovery,
  collapseRegressions,
  foldRange,
  memorizationShare,
  pairedMedianStatistic
} from "../src/analysis/index.ts"
import type { CollapseResult, SeedTime } from "../src/analysis/index.ts"
import { defineStage } from "../src/engine/Stage.ts"
import type { CellSummary } from "../src/outputs/cellSummary.ts"
import { PositiveInt, PositiveNumber, withDefault } from "../src/cells/configFields.ts"
import { orNull } from "../src/fits/guarded.ts"
import { BootstrapEstimate, estimateOf } from "../src/outputs/bootstrapEstimate.ts"
import temperatureGrid from "./temperature-grid.ts"
import { feed } from "../src/figures/Figure.ts"
import collapseGrid from "../src/figures/kinds/collapseGrid.ts"
import mediation from "../src/figures/kinds/mediation.ts"
import memorization from "../src/figures/kinds/memorization.ts"
import { ciOf, ciText, fmt, temperatureCell } from "./_figures/common.ts"
import type { TemperatureGridOutput } from "./temperature-grid.ts"

const Config = Schema.Struct({
  baselineRho: withDefault(PositiveNumber, 1),
  /** The norm-up ρ whose τ sweep recovers the delay; default: the grid's largest ρ. */
  raisedRho: Schema.optional(PositiveNumber),
  bootstrapResamples: withDefault(PositiveInt, 4000),
  bootstrapSeed: withDefault(Schema.Int, 20260618),
  /** "resampled": grokflow resamples per-seed L with T; "fixed": the paper holds each
   * cell's L at its full-sample value and resamples T only. */
  recoveryLogitScale: withDefault(Schema.Literals(["resampled", "fixed"]), "resampled"),
  /** L0 outside the swept L range: "extrapolate" linearly (grokflow) or "clamp" to the
   * nearest end (the paper's code). */
  outsideRange: withDefault(Schema.Literals(["extrapolate", "clamp"]), "extrapolate"),
  /** The cells the collapse regressions use (empty: every grid cell). */
  collapseTaus: withDefault(Schema.Array(PositiveNumber), []),
  collapseRhos: withDefault(Schema.Array(PositiveNumber), [])
})

const inList = (list: ReadonlyArray<number>, x: number): boolean => list.length === 0 || list.some((y) => Math.abs(x - y) < 1e-9)

/** Paired-seed interval of a statistic of cell medians, or null when the cells' seeds differ. */
const pairedInterval = (
  cells: ReadonlyArray<CellSummary>,
  statistic: (medians: ReadonlyArray<number>) => number | null,
  options: { seed: number; resamples: number },
  pickTime: (s: CellSummary["seeds"][number]) => SeedTime = (s) => s.tGrok
) => {
  const ci = orNull(() => pairedMedianStatistic(cells.map((c) => c.seeds.map(pickTime)), statistic, { ...options, censoring: "grokkedOnly" }))
  return ci === null || !Number.isFinite(ci.estimate) ? null : estimateOf(ci)
}

const collapseAt = (cells: ReadonlyArray<CellSummary>, medians: ReadonlyArray<number>): CollapseResult | null =>
  medians.some((m) => !Number.isFinite(m))
    ? null
    : orNull(() => collapseRegressions(cells.map((c, i) => ({ logitScale: c.logitScale ?? Number.NaN, rho: c.rho ?? 1, tGrok: medians[i] }))))

const PerModulus = Schema.Struct({
  p: Schema.Int,
  t0: Schema.NullOr(Schema.Finite),
  t1: Schema.NullOr(Schema.Finite),
  l0: Schema.NullOr(Schema.Finite),
  /** T1 / T0: the norm-up delay factor under CE at τ = 1. */
  normUp: Schema.NullOr(Schema.Finite),
  /** T1 / T0 over medians of grokked seeds, with a paired seed-bootstrap interval. */
  normUpInterval: Schema.NullOr(BootstrapEstimate),
  recovery: Schema.NullOr(
    Schema.Struct({
      value: BootstrapEstimate,
      t2: Schema.Finite,
      extrapolated: Schema.Boolean,
      /** How L entered the bootstrap and how T2 was read outside the sweep. */
      logitScale: Schema.Literals(["resampled", "fixed"]),
      outsideRange: Schema.Literals(["extrapolate", "clamp"])
    })
  ),
  /** The τ sweep at the raised ρ, ordered by τ: (τ, L, median T_grok, median T_mem). */
  sweep: Schema.Array(
    Schema.Struct({
      tau: Schema.Finite,
      logitScale: Schema.NullOr(Schema.Finite),
      tGrok: Schema.NullOr(Schema.Finite),
      tMem: Schema.NullOr(Schema.Finite)
    })
  ),
  collapse: Schema.NullOr(
    Schema.Struct({
      r2L: Schema.Finite,
      r2Rho: Schema.Finite,
      r2LRho: Schema.Finite,
      deltaR2: Schema.Finite,
      n: Schema.Int,
      /** The same three with paired seed-bootstrap intervals (medians over grokked seeds, L held at full-sample values). */
      r2LInterval: Schema.NullOr(BootstrapEstimate),
      r2RhoInterval: Schema.NullOr(BootstrapEstimate),
      deltaR2Interval: Schema.NullOr(BootstrapEstimate)
    })
  ),
  memorization: Schema.NullOr(
    Schema.Struct({
      tMemFold: Schema.Finite,
      tGrokFold: Schema.Finite,
      gapShare: Schema.Finite,
      memShare: Schema.Finite,
      /** The folds (max/min over the τ sweep) with paired seed-bootstrap intervals. */
      tMemFoldInterval: Schema.NullOr(BootstrapEstimate),
      tGrokFoldInterval: Schema.NullOr(BootstrapEstimate)
    })
  )
})

const perSeedL = (c: CellSummary): ReadonlyArray<number> =>
  c.logitScaleBySeed.map((l) => l ?? c.logitScale ?? Number.NaN)

const logitScaleOf = (c: CellSummary, mode: "resampled" | "fixed"): ReadonlyArray<number> | number =>
  mode === "fixed" ? c.logitScale ?? Number.NaN : perSeedL(c)

const Output = Schema.Struct({ moduli: Schema.Array(PerModulus) })
type MediationFits = typeof Output.Type

// The figures this stage feeds (drawn by `grokflow report` from the stored output).
type GridInput = { readonly grid: TemperatureGridOutput }

const present = <A>(x: A | null): x is A => x !== null

/** The grid's cells at modulus p, and the raised ρ of its τ sweep. */
const gridAt = (grid: TemperatureGridOutput, p: number) => {
  const cells = grid.cells.map((c) => c.cell).filter((c) => c.p === p)
  return { cells, raisedRho: Math.max(...cells.map((c) => c.rho ?? 0)) }
}

/** (i) Per modulus: delay against L across the τ sweep, with the L0 rule's recovery. */
const mediationFigures = (fits: MediationFits, { grid }: GridInput) =>
  fits.moduli.flatMap((m) => {
    const { cells, raisedRho } = gridAt(grid, m.p)
    const find = (rho: number, tau: number) => cells.find((c) => c.rho === rho && c.tau === tau)
    const baseline = find(1, 1)
    const normUp = find(raisedRho, 1)
    const baselineCell = baseline === undefined ? null : temperatureCell(baseline)
    const normUpCell = normUp === undefined ? null : temperatureCell(normUp)
    if (baselineCell === null || normUpCell === null) return []
    const recoveryCi = ciOf(m.recovery?.value)
    return [{
      id: `mediation-p${m.p}`,
      p: m.p,
      caption: `p=${m.p}: raising ρ to ${raisedRho} delays grokking ${m.normUp === null ? "—" : `${fmt(m.normUp)}×`}; matching L0 with τ recovers ${
        m.recovery === null ? "—" : `${fmt(m.recovery.value.estimate, 2)}${ciText(m.recovery.value)}`
      } of it${m.recovery?.extrapolated ? " (L0 outside the sweep: extrapolated)" : ""}`,
      source: ["grid"],
      sweep: cells.filter((c) => c.rho === raisedRho).map(temperatureCell).filter(present),
      baseline: baselineCell,
      normUp: normUpCell,
      ...(m.recovery === null
        ? {}
        : { t2: m.recovery.t2, recovery: { value: m.recovery.value.estimate, ...(recoveryCi === undefined ? {} : { ci: recoveryCi }) } })
    }]
  })

/** (j) Per modulus: every (ρ, τ) cell's delay against its L, with the fit on L alone. */
const collapseGridFigures = (fits: MediationFits, { grid }: GridInput) =>
  fits.moduli.flatMap((m) => {
    const collapse = m.collapse
    const gridCells = gridAt(grid, m.p).cells.map(temperatureCell).filter(present).filter((c) => c.medianTGrok !== null)
    if (collapse === null || gridCells.length < 3) return []
    const n = gridCells.length
    const xs = gridCells.map((c) => c.L)
    const ys = gridCells.map((c) => Math.log(c.medianTGrok ?? 1))
    const mx = xs.reduce((a, b) => a + b, 0) / n
    const my = ys.reduce((a, b) => a + b, 0) / n
    const slope = xs.reduce((s, x, i) => s + (x - mx) * (ys[i] - my), 0) / xs.reduce((s, x) => s + (x - mx) ** 2, 0)
    return [{
      id: `collapseGrid-p${m.p}`,
      p: m.p,
      caption: `p=${m.p}: ln T on L alone R² = ${fmt(collapse.r2L)}, on ρ alone ${fmt(collapse.r2Rho)}; adding ρ to L adds ΔR² = ${
        fmt(collapse.deltaR2, 2)
      } (${collapse.n} cells)`,
      source: ["grid"],
      cells: gridCells,
      fit: { alpha: slope, intercept: my - slope * mx, r2: collapse.r2L, fitRange: [Math.min(...xs), Math.max(...xs)] as const },
      r2RhoOnly: collapse.r2Rho,
      deltaR2AddingRho: collapse.deltaR2
    }]
  })

/** (l) Per modulus: T_mem and T_grok across the τ sweep. */
const memorizationFigures = (fits: MediationFits, { grid }: GridInput) =>
  fits.moduli.flatMap((m) => {
    if (m.memorization === null) return []
    const { raisedRho } = gridAt(grid, m.p)
    return [{
      id: `memorization-p${m.p}`,
      p: m.p,
      rho: raisedRho,
      caption: `p=${m.p}, ρ=${raisedRho}: over the τ sweep T_mem moves ${fmt(m.memorization.tMemFold)}× while T_grok moves ${
        fmt(m.memorization.tGrokFold)
      }×; ${fmt(m.memorization.gapShare * 100, 2)}% of the τ effect falls on T_grok − T_mem`,
      source: ["grid"],
      rows: m.sweep.flatMap((r) => (r.tMem === null ? [] : [{ tau: r.tau, tMem: r.tMem, tGrok: r.tGrok }]))
    }]
  })

export default defineStage({
  name: "mediation-fits",
  version: 1,
  description: "Logit-scale mediation: recovery fraction, collapse regressions, memorization share",
  config: Config,
  needs: { grid: temperatureGrid },
  output: Output,
  figures: [feed(mediation, mediationFigures), feed(collapseGrid, collapseGridFigures), feed(memorization, memorizationFigures)],
  run: (config, inputs) =>
    Effect.sync(() => {
      const cells = inputs.grid.cells.map((c) => c.cell)
      const moduli = [...new Set(cells.map((c) => c.p))]
      return {
        moduli: moduli.map((p) => {
          const mine = cells.filter((c) => c.p === p)
          const raisedRho = config.raisedRho ?? Math.max(...mine.map((c) => c.rho ?? 0))
          const at = (rho: number, tau: number) => mine.find((c) => c.rho === rho && c.tau === tau)
          const baseline = at(config.baselineRho, 1)
          const raised = at(raisedRho, 1)
          const sweepCells = mine.filter((c) => c.rho === raisedRho).sort((a, b) => a.tau - b.tau)
          const t0 = baseline?.medianTGrok ?? null
          const t1 = raised?.medianTGrok ?? null
          const recovery = baseline === undefined || raised === undefined
            ? null
            : orNull(() =>
              bootstrapRecovery(
                {
                  baseline: { tGrok: baseline.seeds.map((s) => s.tGrok), logitScale: logitScaleOf(baseline, config.recoveryLogitScale) },
                  raised: { tGrok: raised.seeds.map((s) => s.tGrok), logitScale: logitScaleOf(raised, config.recoveryLogitScale) },
                  sweep: sweepCells.map((c) => ({ tGrok: c.seeds.map((s) => s.tGrok), logitScale: logitScaleOf(c, config.recoveryLogitScale) }))
                },
                { seed: config.bootstrapSeed, resamples: config.bootstrapResamples, outside: config.outsideRange }
              )
            )
          const options = { seed: config.bootstrapSeed, resamples: config.bootstrapResamples }
          const collapseCells = mine.filter((c) =>
            inList(config.collapseTaus, c.tau) && inList(config.collapseRhos, c.rho ?? 1) && c.medianTGrok !== null && c.logitScale !== null
          )
          const complete = collapseCells.map((c) => ({ logitScale: c.logitScale ?? 0, rho: c.rho ?? 1, tGrok: c.medianTGrok ?? 0 }))
          const collapse = complete.length < 4 ? null : orNull(() => collapseRegressions(complete))
          const collapseInterval = (pickR2: (r: CollapseResult) => number) =>
            pairedInterval(collapseCells, (m) => {
              const r = collapseAt(collapseCells, m)
              return r === null ? null : pickR2(r)
            }, options)
          const memCells = sweepCells.flatMap((c) =>
            c.medianTGrok === null || c.medianTMem === null ? [] : [{ tau: c.tau, tMem: c.medianTMem, tGrok: c.medianTGrok }]
          )
          const memorization = memCells.length < 2 ? null : orNull(() => memorizationShare(memCells))
          const foldInterval = (pickTime: (s: CellSummary["seeds"][number]) => SeedTime) =>
            pairedInterval(sweepCells, (m) => (m.some((x) => !Number.isFinite(x)) ? null : foldRange(m)), options, pickTime)
          return {
            p,
            t0,
            t1,
            l0: baseline?.logitScale ?? null,
            normUp: t0 === null || t1 === null ? null : t1 / t0,
            normUpInterval: baseline === undefined || raised === undefined
              ? null
              : pairedInterval([baseline, raised], ([a, b]) => b / a, options),
            recovery: recovery === null || !Number.isFinite(recovery.estimate.recovery)
              ? null
              : {
                value: estimateOf(recovery.interval),
                t2: recovery.estimate.t2,
                extrapolated: recovery.estimate.extrapolated,
                logitScale: config.recoveryLogitScale,
                outsideRange: config.outsideRange
              },
            sweep: sweepCells.map((c) => ({ tau: c.tau, logitScale: c.logitScale, tGrok: c.medianTGrok, tMem: c.medianTMem })),
            collapse: collapse === null
              ? null
              : {
                r2L: collapse.r2L,
                r2Rho: collapse.r2Rho,
                r2LRho: collapse.r2LRho,
                deltaR2: collapse.deltaR2,
                n: collapse.n,
                r2LInterval: collapseInterval((r) => r.r2L),
                r2RhoInterval: collapseInterval((r) => r.r2Rho),
                deltaR2Interval: collapseInterval((r) => r.deltaR2)
              },
            memorization: memorization === null
              ? null
              : {
                tMemFold: memorization.tMemFold,
                tGrokFold: memorization.tGrokFold,
                gapShare: memorization.gapShare,
                memShare: memorization.memShare,
                tMemFoldInterval: foldInterval((s) => s.tMem),
                tGrokFoldInterval: foldInterval((s) => s.tGrok)
              }
          }
        })
      }
    })
})
