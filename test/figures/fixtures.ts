/**
 * Synthetic figure inputs for tests and the demo render: one of every figure kind,
 * shaped like the papers' numbers (docs/protocol.md §6) with a little deterministic noise,
 * so the pictures look like the real ones and any visual defect shows.
 */
import type { Provenance, VerifyRow } from "../../src/report/ReportInput.ts"
import type { ClampMatrixFigure } from "../../src/figures/kinds/clampMatrix.ts"
import type { CollapseGridFigure } from "../../src/figures/kinds/collapseGrid.ts"
import type { DenseSweepFigure } from "../../src/figures/kinds/denseSweep.ts"
import type { ForkingArmsFigure } from "../../src/figures/kinds/forkingArms.ts"
import type { LayerNormFigure } from "../../src/figures/kinds/layerNorm.ts"
import type { MediationFigure } from "../../src/figures/kinds/mediation.ts"
import type { MemorizationFigure } from "../../src/figures/kinds/memorization.ts"
import type { MseVsCeFigure } from "../../src/figures/kinds/mseVsCe.ts"
import type { MultiPCollapseFigure } from "../../src/figures/kinds/multiPCollapse.ts"
import type { OneShotVsSustainedFigure } from "../../src/figures/kinds/oneShotVsSustained.ts"
import type { SoftmaxAuditFigure } from "../../src/figures/kinds/softmaxAudit.ts"
import type { TrajectoriesFigure, TrajectoryPoint, TrajectoryRun } from "../../src/figures/kinds/trajectories.ts"
import type { WcByOperationFigure } from "../../src/figures/kinds/wcByOperation.ts"
import type { WcInvarianceFigure } from "../../src/figures/kinds/wcInvariance.ts"
import type { WcScalingFigure } from "../../src/figures/kinds/wcScaling.ts"
import type { WcVsTrainFractionFigure } from "../../src/figures/kinds/wcVsTrainFraction.ts"

/** One fixture per figure kind; a union so tests can narrow on `kind`. */
export type FigureInput =
  | TrajectoriesFigure
  | WcInvarianceFigure
  | WcScalingFigure
  | ClampMatrixFigure
  | DenseSweepFigure
  | MultiPCollapseFigure
  | OneShotVsSustainedFigure
  | LayerNormFigure
  | MediationFigure
  | CollapseGridFigure
  | MseVsCeFigure
  | MemorizationFigure
  | SoftmaxAuditFigure
  | ForkingArmsFigure
  | WcByOperationFigure
  | WcVsTrainFractionFigure

/** mulberry32: a tiny seeded PRNG, so fixtures are identical on every run. */
const rng = (seed: number): (() => number) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x))

/** A free-training run: norm decays from ≈ 19 up to a peak then down through Wc;
 *  train accuracy saturates early, test accuracy jumps when the norm reaches Wc. */
const trajectory = (label: string, tMem: number, tGrok: number, wc: number, seed: number): TrajectoryRun => {
  const r = rng(seed)
  const steps = Array.from({ length: 120 }, (_, i) => Math.round(Math.exp((Math.log(20000) * i) / 119)))
  const unique = [...new Set(steps)]
  const points: Array<TrajectoryPoint> = unique.map((step) => {
    const peak = 95 + 5 * r()
    // rises to a peak near T_mem then decays exponentially; passes Wc at T_grok
    const rise = 19.3 + (peak - 19.3) * (1 - Math.exp(-step / (tMem * 0.6)))
    const decay = Math.exp(-Math.max(0, step - tMem) * Math.log(peak / wc) / (tGrok - tMem))
    const weightNorm = step > tGrok ? Math.max(rise * decay, 0.75 * wc) : rise * decay
    return {
      step,
      weightNorm,
      trainAcc: Math.min(1, sigmoid((Math.log(step) - Math.log(tMem * 0.8)) * 6) + 0.01),
      testAcc: Math.min(1, 0.02 + 0.98 * sigmoid((Math.log(step) - Math.log(tGrok * 0.97)) * 12))
    }
  })
  return { label, points, tMem, tGrok }
}

const clampMedians: Record<number, Array<number>> = {
  0.001: [1492, 4077, 13426, 27925],
  0.002: [916, 2891, 12317, 23168],
  0.004: [697, 1961, 10221, 19501],
  0.008: [587, 1256, 8007, 16893]
}

const ci = (t: number, spread = 0.12): { ciLow: number; ciHigh: number } => ({ ciLow: t * (1 - spread), ciHigh: t * (1 + spread) })

const denseRhos = [0.85, 0.9, 0.95, 1.0, 1.05, 1.1, 1.15, 1.2, 1.25]
const denseT = [1495, 1781, 2470, 3999, 6380, 9433, 13030, 19407, 26929]

/** OLS slope/intercept of y on x, for fixtures whose fit should match their points. */
const ols = (xs: ReadonlyArray<number>, ys: ReadonlyArray<number>): { slope: number; intercept: number } => {
  const n = xs.length
  const mx = xs.reduce((a, b) => a + b, 0) / n
  const my = ys.reduce((a, b) => a + b, 0) / n
  let sxy = 0
  let sxx = 0
  for (let i = 0; i < n; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my)
    sxx += (xs[i]! - mx) ** 2
  }
  const slope = sxy / sxx
  return { slope, intercept: my - slope * mx }
}

const denseFit = ols(denseRhos, denseT.map(Math.log))
const cgRhos = [1.0, 1.05, 1.1, 1.15]
const cgTaus = [1.0, 1.3, 1.7]

const wcPs = [29, 41, 59, 79, 97]
const wcVals = [42.1, 47.6, 54.6, 61.2, 67.1]
const wcFit = ols(wcPs.map(Math.log), wcVals.map(Math.log))

export const syntheticFigures = (): Array<FigureInput> => {
  const r = rng(42)
  const collapseCells = cgRhos.flatMap((rho) =>
    cgTaus.map((tau) => {
      const L = (23.9 * Math.pow(rho, 3.2)) / tau + (r() - 0.5) * 0.8
      return { rho, tau, L, medianTGrok: Math.exp(4.1 + 0.2 * L + (r() - 0.5) * 0.15) }
    })
  )
  const cg = ols(collapseCells.map((c) => c.L), collapseCells.map((c) => Math.log(c.medianTGrok)))
  const pIntercepts = [
    { p: 41, intercept: 0.72 },
    { p: 53, intercept: 0.61 },
    { p: 59, intercept: 0.78 },
    { p: 71, intercept: 0.52 }
  ]
  const sweepL = [34.3, 29.5, 26.5, 23.1, 20.9]
  const sweepT = [12600, 9100, 6825, 4700, 3450]
  const taus = [1.0, 1.15, 1.3, 1.5, 1.7]
  return [
    {
      kind: "trajectories",
      caption: "Free training at p = 59: test accuracy jumps when ‖W‖ decays to Wc = 54.6 (3 seeds shown of 20).",
      source: "cache/entries/free-training/3f9c2a.json",
      wc: 54.6,
      runs: [trajectory("seed 0", 180, 3600, 54.1, 1), trajectory("seed 1", 210, 4300, 55.0, 2), trajectory("seed 2", 160, 3100, 54.7, 3)]
    },
    {
      kind: "wcInvariance",
      caption: "Wc varies by 1.5% across train fractions and 0.8% across a 10× lr range while T_grok moves 7.2×.",
      source: ["cache/entries/wc-train-fraction/aa01.json", "cache/entries/wc-lr/aa02.json"],
      lrPanelWeightDecay: 3,
      byTrainFraction: [0.3, 0.35, 0.4, 0.5, 0.65].map((trainFraction, i) => {
        const wc = [56.4, 55.9, 54.8, 55.1, 55.7][i]!
        return { trainFraction, wc, wcLow: wc - 0.8, wcHigh: wc + 0.8 }
      }),
      byLr: [
        { lr: 3e-4, wc: 48.9, wcLow: 48.1, wcHigh: 49.6, medianTGrok: 3070 },
        { lr: 1e-3, wc: 48.7, wcLow: 48.0, wcHigh: 49.5, medianTGrok: 988 },
        { lr: 3e-3, wc: 49.1, wcLow: 48.3, wcHigh: 49.8, medianTGrok: 425 }
      ]
    },
    {
      kind: "wcScaling",
      caption: "Wc ∝ p^0.39 [0.35, 0.42] over p ∈ {29, …, 97} (paper: 0.38).",
      source: "cache/entries/wc-scaling/bb01.json",
      points: [
        { p: 29, wc: 42.1, wcLow: 41.4, wcHigh: 42.9 },
        { p: 41, wc: 47.6, wcLow: 46.9, wcHigh: 48.3 },
        { p: 59, wc: 54.6, wcLow: 53.9, wcHigh: 55.4 },
        { p: 79, wc: 61.2, wcLow: 60.2, wcHigh: 62.0 },
        { p: 97, wc: 67.1, wcLow: 66.0, wcHigh: 68.1 }
      ],
      fit: { beta: wcFit.slope, betaCi: [wcFit.slope - 0.03, wcFit.slope + 0.03], prefactor: Math.exp(wcFit.intercept), r2: 0.998 }
    },
    {
      kind: "clampMatrix",
      caption: "Norm lever 18.7× at lr 1e-3 vs lr lever 1.7–3.3× per row; ρ = 1.30 at lr 1e-3 is censored in 4/16 seeds.",
      source: "cache/entries/clamp-matrix/cc01.json",
      wc: 54.6,
      budget: 30000,
      cells: Object.entries(clampMedians).flatMap(([lr, ts]) =>
        [0.85, 1.0, 1.15, 1.3].map((rho, i) => ({ rho, lr: Number(lr), medianTGrok: ts[i]!, ...ci(ts[i]!), grokked: 16, total: 16 }))
      )
    },
    {
      kind: "denseSweep",
      caption: "α = 7.58 [7.41, 7.77], R² = 0.993 over ρ ∈ [0.85, 1.25] (paper: 7.64 [7.47, 7.81]).",
      source: "cache/entries/dense-sweep/dd01.json",
      wc: 54.51,
      cells: [...denseRhos, 1.3].map((rho, i) => {
        const t = i < denseT.length ? denseT[i]! : 0.69 * Math.exp(denseFit.intercept + denseFit.slope * 1.3)
        return { rho, medianTGrok: t, ...ci(t, 0.1), grokked: 16, total: 16 }
      }),
      fit: { alpha: denseFit.slope, alphaCi: [denseFit.slope - 0.17, denseFit.slope + 0.17], intercept: denseFit.intercept, r2: 0.994, fitRange: [0.85, 1.25] }
    },
    {
      kind: "multiPCollapse",
      caption: "Shared α = 7.49 [7.16, 7.69], R² = 0.996 across p ∈ {41, 53, 59, 71}; p = 31 excluded.",
      source: "cache/entries/multi-p/ee01.json",
      cells: pIntercepts.flatMap(({ p, intercept }) =>
        [0.85, 1.0, 1.15, ...(p === 41 || p === 59 ? [1.3] : [])].map((rho) => {
          const t = Math.exp(intercept + 7.49 * rho + (r() - 0.5) * 0.2)
          return { p, rho, medianTGrok: t, ...ci(t) }
        })
      ),
      fit: { alpha: 7.49, alphaCi: [7.16, 7.69], r2: 0.996, intercepts: pIntercepts },
      excluded: [{ p: 31, reason: "ρ = 0.85 never groks" }]
    },
    {
      kind: "oneShotVsSustained",
      caption: "One-shot rescale moves T_grok 1.2× over ρ ∈ [0.70, 1.30]; the sustained clamp 7.3× over [0.90, 1.15].",
      source: "cache/entries/projection/ff01.json",
      foldChange: { oneShot: 1.2, sustained: 7.3 },
      cells: [
        ...[0.7, 0.85, 1.0, 1.15, 1.3].map((rho) => {
          const t = 3600 * (1 + 0.15 * (rho - 1))
          return { rho, arm: "one-shot" as const, medianTGrok: t, ...ci(t) }
        }),
        ...[0.9, 1.0, 1.15].map((rho) => {
          const t = Math.exp(denseFit.intercept + denseFit.slope * rho)
          return { rho, arm: "sustained" as const, medianTGrok: t, ...ci(t) }
        })
      ]
    },
    {
      kind: "layerNorm",
      caption: "With pre-LN, clamping moves T_grok 1.8×; without LN the law returns with α = 15.5 [14.8, 16.0].",
      source: "cache/entries/layernorm/gg01.json",
      cells: [
        ...[0.85, 1.0, 1.15].map((rho, i) => ({ rho, variant: "attention, no LN", medianTGrok: [718, 6608, 73966][i]!, ...ci([718, 6608, 73966][i]!) })),
        ...[0.85, 1.0, 1.15].map((rho, i) => ({ rho, variant: "attention, pre-LN", medianTGrok: [2100, 2700, 3800][i]!, ...ci([2100, 2700, 3800][i]!) }))
      ],
      fits: [{ variant: "attention, no LN", alpha: 15.45, alphaCi: [14.84, 15.98], intercept: Math.log(6608) - 15.45, r2: 0.999 }]
    },
    {
      kind: "mediation",
      p: 59,
      caption: "Matching L to the baseline recovers 0.83 [0.82, 0.85] of the norm-up delay (paper: 0.83).",
      source: "cache/entries/mediation-p59/hh01.json",
      sweep: taus.map((tau, i) => ({ rho: 1.15, tau, L: sweepL[i]!, medianTGrok: sweepT[i]!, ...ci(sweepT[i]!, 0.08) })),
      baseline: { rho: 1, tau: 1, L: 23.9, medianTGrok: 3675, ...ci(3675, 0.08) },
      normUp: { rho: 1.15, tau: 1, L: 34.3, medianTGrok: 12600, ...ci(12600, 0.08) },
      t2: 5212,
      recovery: { value: 0.83, ci: [0.82, 0.85] }
    },
    {
      kind: "collapseGrid",
      p: 59,
      caption: "ln T on L alone: R² = 0.968; adding ρ adds ΔR² = 0.020; ρ alone R² = 0.41.",
      source: "cache/entries/collapse-grid-p59/ii01.json",
      cells: collapseCells,
      fit: { alpha: cg.slope, intercept: cg.intercept, r2: 0.968 },
      r2RhoOnly: 0.41,
      deltaR2AddingRho: 0.02
    },
    {
      kind: "mseVsCe",
      p: 59,
      caption: "Under MSE, L stays ≈ 1 and moves 1.1× across τ; the norm-up effect is 1.9× (CE: 3.4×).",
      source: "cache/entries/mse-contrast-p59/jj01.json",
      normUpEffect: { CE: 3.4, MSE: 1.89 },
      cells: [
        ...taus.map((tau, i) => ({ loss: "CE" as const, rho: 1.15, tau, L: sweepL[i]!, medianTGrok: sweepT[i]! })),
        ...taus.map((tau, i) => ({ loss: "MSE" as const, rho: 1.15, tau, L: 1.04 - 0.025 * i, medianTGrok: 2400 - 60 * i }))
      ]
    },
    {
      kind: "memorization",
      p: 59,
      rho: 1.15,
      caption: "T_mem moves 175 → 200 across τ while T_grok falls 12600 → 3450: the τ effect is on T_grok − T_mem.",
      source: "cache/entries/memorization-p59/kk01.json",
      rows: taus.map((tau, i) => ({ tau, tMem: 175 + 6 * i, tMemLow: 165 + 6 * i, tMemHigh: 185 + 6 * i, tGrok: sweepT[i]!, ...{ tGrokLow: sweepT[i]! * 0.9, tGrokHigh: sweepT[i]! * 1.1 } }))
    },
    {
      kind: "softmaxAudit",
      p: 59,
      budget: 60000,
      caption: "ρ = 1.15 groks at 12.8k (float32) vs 12.2k (float64), SC 0; ρ = 1.25 groks only in float32 (SC 0.31).",
      source: "cache/entries/sc-audit-p59/ll01.json",
      cells: [
        { rho: 1.0, arm: "float32", medianTGrok: 3700, scRate: 0, ...ci(3700) },
        { rho: 1.15, arm: "float32", medianTGrok: 12750, scRate: 0, ...ci(12750) },
        { rho: 1.25, arm: "float32", medianTGrok: 25400, scRate: 0.31, ...ci(25400) },
        { rho: 1.0, arm: "float64", medianTGrok: 3650, scRate: 0, ...ci(3650) },
        { rho: 1.15, arm: "float64", medianTGrok: 12160, scRate: 0, ...ci(12160) },
        { rho: 1.25, arm: "float64", medianTGrok: null, scRate: 0, grokked: 0, total: 12 }
      ]
    },
    {
      kind: "forkingArms",
      p: 59,
      rho: 1.15,
      caption: "Raised/same delay ratio 3.36 [3.27, 3.43]; lowered < same < raised in 12/12 seeds.",
      source: "cache/entries/forking-p59/mm01.json",
      ratio: { value: 3.36, ci: [3.27, 3.43] },
      orderedSeeds: { ordered: 12, total: 12 },
      delays: Array.from({ length: 12 }, (_, seed) => {
        const same = 2500 * Math.exp((r() - 0.5) * 0.6)
        return [
          { seed, arm: "lowered" as const, delay: same * (0.3 + 0.05 * r()) },
          { seed, arm: "same" as const, delay: same },
          { seed, arm: "raised" as const, delay: same * (3.2 + 0.3 * r()) }
        ]
      }).flat()
    },
    {
      kind: "wcByOperation",
      p: 59,
      caption: "Wc per operation: add 50.1, sub 49.6, mul 51.3, div —",
      source: "cache/entries/wc-vs-op/op01.json",
      rows: [
        { op: "add", wc: 50.1, medianTGrok: 512, grokked: 4, total: 4 },
        { op: "sub", wc: 49.6, medianTGrok: 538, grokked: 4, total: 4 },
        { op: "mul", wc: 51.3, medianTGrok: 1275, grokked: 4, total: 4 },
        { op: "div", wc: null, medianTGrok: null, grokked: 1, total: 4 }
      ]
    },
    {
      kind: "wcVsTrainFraction",
      caption: "Wc across train fractions {0.3, 0.4, 0.5, 0.65} at lr 0.001: CV 1.1% at p=59, 0.9% at p=97",
      source: "cache/entries/measure-wc/wc01.json",
      lr: 0.001,
      rows: [59, 97].flatMap((p) =>
        [0.3, 0.4, 0.5, 0.65].map((trainFraction, i) => ({ p, trainFraction, wc: (p === 59 ? 55.2 : 70.8) * (1 + [0.012, -0.008, 0.004, -0.01][i]!) }))
      )
    }
  ]
}

export const syntheticVerifyRows = (): Array<VerifyRow> => [
  { id: "A3.alpha", paper: "A", description: "Dense-sweep exponent α", paperValue: "7.64 [7.47, 7.81]", measured: "7.58", ci: "[7.41, 7.77]", tolerance: "CI overlaps", status: "PASS", source: "cache/entries/dense-sweep/dd01.json" },
  { id: "A4.alpha_shared", paper: "A", description: "Shared α across moduli", paperValue: "7.49 [7.16, 7.69]", measured: "6.10", ci: "[5.80, 6.40]", tolerance: "CI overlaps", status: "FAIL" },
  { id: "A6.ln_flat", paper: "A", description: "LayerNorm flattens the law (fold ≤ 2×)", paperValue: "≤ 2×", measured: null, ci: null, tolerance: "≤ 2.5×", status: "NOT RUN" },
  { id: "B1.recovery_p59", paper: "B", description: "Recovery of the norm-up delay by matching L (p = 59)", paperValue: "0.83 [0.82, 0.85]", measured: "0.83", ci: "[0.82, 0.85]", tolerance: "±0.05", status: "PASS" },
  { id: "B9.attention", paper: "B", description: "Attention model's logit-scale mediation", paperValue: "0.7", measured: null, ci: null, tolerance: "", status: "NOT RUN", testedBy: ["faithful", "paper"] }
]

export const syntheticProvenance = (): Provenance => ({
  profile: "smoke",
  backend: "tensorflow",
  precision: "float32",
  versions: { node: "20.20.2", grokflow: "0.1.0", "@tensorflow/tfjs": "4.22.0", vega: "6.4.0", "vega-lite": "6.4.3" },
  entries: [
    { stage: "dense-sweep", key: "dd01", path: "cache/entries/dense-sweep/dd01.json", cached: true, seconds: 312.4 },
    { stage: "mediation-p59", key: "hh01", path: "cache/entries/mediation-p59/hh01.json", cached: false, seconds: 128.9 }
  ],
  run: { startedAt: "2026-11-22T20:52:10.000Z", endedAt: "2026-11-22T20:55:25.400Z", wallSeconds: 195.4, ran: 1, reused: 1, cellsTrained: 12, laterRuns: 0 },
  computeSeconds: 441.3,
  generatedAt: "2026-11-22T21:00:00Z",
  host: "ci-runner",
  gitCommit: "219fc81"
})

export const syntheticWeakSpots = (): Array<string> => [
  "The ρ = 1.00 clamp groks 20–27% faster than free training: it is not a neutral control.",
  "Paper A's “α ≈ 7.4 at each lr” holds only at lr 1e-3.",
  "High-ρ float32 cells are softmax-collapse-affected; the law is fit only where SC = 0."
]
