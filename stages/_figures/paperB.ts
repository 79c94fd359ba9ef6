/**
 * Paper B's figures from the stored outputs of temperature-grid, mediation-fits,
 * mse-contrast, softmax-collapse-audit and forking-arms.
 */
import type { AnyFigure, TemperatureCell } from "../../src/figures/index.ts"
import collapseGridFigure from "../../src/figures/kinds/collapseGrid.ts"
import forkingArmsFigure from "../../src/figures/kinds/forkingArms.ts"
import mediationFigure from "../../src/figures/kinds/mediation.ts"
import memorizationFigure from "../../src/figures/kinds/memorization.ts"
import mseVsCeFigure from "../../src/figures/kinds/mseVsCe.ts"
import softmaxAuditFigure from "../../src/figures/kinds/softmaxAudit.ts"
import type forkingArms from "../forking-arms.ts"
import type mediationFits from "../mediation-fits.ts"
import type mseContrast from "../mse-contrast.ts"
import type softmaxCollapseAudit from "../softmax-collapse-audit.ts"
import type { TemperatureGridOutput } from "../temperature-grid.ts"
import type { CellSummary } from "../../src/outputs/cellSummary.ts"
import { ciOf, ciText, fmt } from "./common.ts"

type MediationOutput = typeof mediationFits.output.Type
type MseOutput = typeof mseContrast.output.Type
type AuditOutput = typeof softmaxCollapseAudit.output.Type
type ForkOutput = typeof forkingArms.output.Type

const temperatureCell = (c: CellSummary): TemperatureCell | null =>
  c.logitScale === null
    ? null
    : { rho: c.rho ?? 1, tau: c.tau, L: c.logitScale, medianTGrok: c.medianTGrok, grokked: c.grokked, total: c.total }

const present = <A>(x: A | null): x is A => x !== null

export const mediationFigures = (
  grid: TemperatureGridOutput,
  mediation: MediationOutput,
  source: ReadonlyArray<string>
): Array<AnyFigure> =>
  mediation.moduli.flatMap((m): Array<AnyFigure> => {
    const cells = grid.cells.map((c) => c.cell).filter((c) => c.p === m.p)
    const raisedRho = Math.max(...cells.map((c) => c.rho ?? 0))
    const find = (rho: number, tau: number) => cells.find((c) => c.rho === rho && c.tau === tau)
    const baseline = find(1, 1)
    const normUp = find(raisedRho, 1)
    const figures: Array<AnyFigure> = []
    const baselineCell = baseline === undefined ? null : temperatureCell(baseline)
    const normUpCell = normUp === undefined ? null : temperatureCell(normUp)
    if (baselineCell !== null && normUpCell !== null) {
      const recoveryCi = ciOf(m.recovery?.value)
      figures.push(mediationFigure.of({
        id: `mediation-p${m.p}`,
        p: m.p,
        caption: `p=${m.p}: raising ρ to ${raisedRho} delays grokking ${m.normUp === null ? "—" : `${fmt(m.normUp)}×`}; matching L0 with τ recovers ${
          m.recovery === null ? "—" : `${fmt(m.recovery.value.estimate, 2)}${ciText(m.recovery.value)}`
        } of it${m.recovery?.extrapolated ? " (L0 outside the sweep: extrapolated)" : ""}`,
        source,
        sweep: cells.filter((c) => c.rho === raisedRho).map(temperatureCell).filter(present),
        baseline: baselineCell,
        normUp: normUpCell,
        ...(m.recovery === null
          ? {}
          : { t2: m.recovery.t2, recovery: { value: m.recovery.value.estimate, ...(recoveryCi === undefined ? {} : { ci: recoveryCi }) } })
      }))
    }
    const collapse = m.collapse
    const gridCells = cells.map(temperatureCell).filter(present).filter((c) => c.medianTGrok !== null)
    if (collapse !== null && gridCells.length >= 3) {
      const n = gridCells.length
      const xs = gridCells.map((c) => c.L)
      const ys = gridCells.map((c) => Math.log(c.medianTGrok ?? 1))
      const mx = xs.reduce((a, b) => a + b, 0) / n
      const my = ys.reduce((a, b) => a + b, 0) / n
      const slope = xs.reduce((s, x, i) => s + (x - mx) * (ys[i] - my), 0) / xs.reduce((s, x) => s + (x - mx) ** 2, 0)
      figures.push(collapseGridFigure.of({
        id: `collapseGrid-p${m.p}`,
        p: m.p,
        caption: `p=${m.p}: ln T on L alone R² = ${fmt(collapse.r2L)}, on ρ alone ${fmt(collapse.r2Rho)}; adding ρ to L adds ΔR² = ${
          fmt(collapse.deltaR2, 2)
        } (${collapse.n} cells)`,
        source,
        cells: gridCells,
        fit: { alpha: slope, intercept: my - slope * mx, r2: collapse.r2L, fitRange: [Math.min(...xs), Math.max(...xs)] },
        r2RhoOnly: collapse.r2Rho,
        deltaR2AddingRho: collapse.deltaR2
      }))
    }
    if (m.memorization !== null) {
      const rows = m.sweep.flatMap((r) => (r.tMem === null ? [] : [{ tau: r.tau, tMem: r.tMem, tGrok: r.tGrok }]))
      figures.push(memorizationFigure.of({
        id: `memorization-p${m.p}`,
        p: m.p,
        rho: raisedRho,
        caption: `p=${m.p}, ρ=${raisedRho}: over the τ sweep T_mem moves ${fmt(m.memorization.tMemFold)}× while T_grok moves ${
          fmt(m.memorization.tGrokFold)
        }×; ${fmt(m.memorization.gapShare * 100, 2)}% of the τ effect falls on T_grok − T_mem`,
        source,
        rows
      }))
    }
    return figures
  })

export const mseFigure = (mse: MseOutput, source: string): Array<AnyFigure> => {
  const cells = [
    ...mse.ce.cells.map((c) => ({ c, loss: "CE" as const })),
    ...mse.mse.cells.map((c) => ({ c, loss: "MSE" as const }))
  ].flatMap(({ c, loss }) => {
    const t = temperatureCell(c)
    return t === null ? [] : [{ ...t, loss }]
  })
  const { ce, mse: m } = { ce: mse.ce.contrast, mse: mse.mse.contrast }
  return [mseVsCeFigure.of({
    p: mse.p,
    caption: `Across τ, L moves ${fmt(m.logitScaleRatio ?? Number.NaN)}× under MSE vs ${fmt(ce.logitScaleRatio ?? Number.NaN)}× under CE; norm-up delay ${
      fmt(m.normUp ?? Number.NaN)
    }× (MSE) vs ${fmt(ce.normUp ?? Number.NaN)}× (CE)`,
    source,
    cells,
    normUpEffect: {
      ...(ce.normUp === null ? {} : { CE: ce.normUp }),
      ...(m.normUp === null ? {} : { MSE: m.normUp })
    }
  })]
}

export const auditFigure = (audit: AuditOutput, source: string): Array<AnyFigure> => [softmaxAuditFigure.of({
  p: audit.p,
  budget: Math.max(...audit.rows.flatMap((r) => [r.float32.budget, r.audit.budget])),
  caption: audit.rows.map((r) =>
    `ρ=${r.rho}: float32 T_grok ${r.float32.medianTGrok ?? "censored"} (SC ${fmt(r.float32.scRateMax, 2)}), audit ${
      r.audit.medianTGrok ?? "censored"
    } (SC ${fmt(r.audit.scRateMax, 2)})`
  ).join("; "),
  source,
  cells: audit.rows.flatMap((r) => [
    { rho: r.rho, arm: "float32", scRate: r.float32.scRateMax, medianTGrok: r.float32.medianTGrok, grokked: r.float32.grokked, total: r.float32.total },
    { rho: r.rho, arm: "audit (stable)", scRate: r.audit.scRateMax, medianTGrok: r.audit.medianTGrok, grokked: r.audit.grokked, total: r.audit.total }
  ])
})]

export const forkFigure = (fork: ForkOutput, source: string): Array<AnyFigure> => {
  if (fork.raisedOverSame === null) return []
  const ci = ciOf(fork.raisedOverSame)
  const arms = ["lowered", "same", "raised", "free"] as const
  return [forkingArmsFigure.of({
    p: fork.p,
    rho: fork.rho,
    caption: `From one saved state at step ${fork.forkStep}: raised/same delay ratio ${fmt(fork.raisedOverSame.estimate)}${
      ciText(fork.raisedOverSame)
    }; ${fork.monotone}/${fork.total} seeds order lowered < same < raised`,
    source,
    delays: arms.flatMap((arm) => (fork.delays[arm] ?? []).map((delay, seed) => ({ seed, arm, delay }))),
    ratio: { value: fork.raisedOverSame.estimate, ...(ci === undefined ? {} : { ci }) },
    orderedSeeds: { ordered: fork.monotone, total: fork.total }
  })]
}
