/**
 * The planner's model of when a seed finishes (docs/planning.md): ln T is linear in
 * a cell's features, with normal seed-to-seed scatter σ. "Finishes" is what the
 * stopping rule (src/train/cellRun.ts) waits for: the grok threshold and every extra
 * threshold crossed, so T is the step of the last of those crossings.
 *
 * Each coefficient has a physically-motivated default (the prior) that the store's
 * measured seeds move (`grokflow plan calibrate`): a ridge regression toward the
 * prior, so a feature the measurements never vary keeps its default instead of
 * taking an arbitrary value. Seeds that never finished within their budget are
 * right-censored and enter through EM on the normal model (a Tobit fit). No paper
 * number is in here: the priors come from the training dynamics, the calibration
 * from grokflow's own cells.
 */
import { ols } from "../analysis/ols.ts"

/** What the model reads of a cell (src/planning/estimate.ts builds it from a spec). */
export interface TGrokFeatures {
  readonly model: "mlp" | "attention"
  readonly layerNorm: boolean
  readonly p: number
  readonly trainFraction: number
  readonly lr: number
  readonly weightDecay: number
  readonly hold: "free" | "sustained" | "one-shot" | "group"
  /** Held at ρ times the reference norm; null when free. */
  readonly rho: number | null
  readonly tau: number
  readonly loss: "ce" | "mse"
  readonly tInt: number | null
}

/** One design column: its name, its value for a cell, and its prior (mean, sd). */
interface Column {
  readonly name: string
  readonly x: (f: TGrokFeatures) => number
  readonly prior: number
  readonly sd: number
}

const held = (f: TGrokFeatures, hold: TGrokFeatures["hold"]): number => (f.hold === hold ? 1 : 0)
const excess = (f: TGrokFeatures): number => (f.rho === null ? 0 : f.rho - 1)
/** The held logit scale relative to ρ = 1, τ = 1 (L ∝ ρ/τ to first order). */
const scale = (f: TGrokFeatures): number => (f.rho === null ? 0 : f.rho / f.tau - 1)

/**
 * The defaults, and why (ln units):
 * - AdamW's decoupled decay shrinks the weights by e every 1/(lr·λ) steps, and a
 *   free seed groks once its norm has decayed from the init to the critical norm,
 *   about two e-folds: T ≈ 2/(lr·λ). Hence ln T = ln 2 − ln(lr·λ) at the reference
 *   (lr 1e-3, λ 1: 2000 steps), slopes −1 in ln lr and in ln λ.
 * - Fewer training pairs leave a weaker generalizing signal: T ∝ 1/fraction; p enters
 *   only through the fraction (0).
 * - A sustained hold at ρ·Wc keeps the logit scale L ∝ ρ/τ (to first order; the
 *   output temperature τ divides the logits); the delay grows with the margin the
 *   memorizing solution keeps, T ∝ exp(c·L), so ln T grows linearly in ρ/τ − 1 near
 *   1: default slope 5 (h = 3 weight matrices on the MLP's logit path, c·L1 ≈ 5/3),
 *   wide (sd 3). With LayerNorm the logits do not scale with the held norm, so the
 *   LN interaction cancels that slope by default. Under MSE the loss does not
 *   saturate exponentially, so the margin argument does not carry over: its
 *   interaction starts at 0, wide; so does the slope's change with lr (the
 *   margin the hold keeps need not cost the same number of steps at every step
 *   size). τ of a free cell: 0.
 * - One-shot rescales and group holds move less than a sustained total hold (slopes
 *   1 and 2); the loss, the attention model and t_int start at 0 with sd 1.
 * - Seeds scatter by σ = 0.25 in ln T (the slowest of 16 then takes ~1.6× the median).
 */
export const COLUMNS: ReadonlyArray<Column> = [
  { name: "intercept", x: () => 1, prior: Math.log(2000), sd: 1.5 },
  { name: "attention", x: (f) => (f.model === "attention" ? 1 : 0), prior: 0, sd: 1.5 },
  { name: "layerNorm", x: (f) => (f.layerNorm ? 1 : 0), prior: 0, sd: 1 },
  { name: "ln p/59", x: (f) => Math.log(f.p / 59), prior: 0, sd: 1 },
  { name: "ln fraction/0.4", x: (f) => Math.log(f.trainFraction / 0.4), prior: -1, sd: 1.5 },
  { name: "ln lr/1e-3", x: (f) => Math.log(f.lr / 1e-3), prior: -1, sd: 0.7 },
  { name: "ln weightDecay", x: (f) => Math.log(f.weightDecay), prior: -1, sd: 0.7 },
  { name: "sustained", x: (f) => held(f, "sustained"), prior: 0, sd: 1 },
  { name: "sustained·(ρ/τ−1)", x: (f) => held(f, "sustained") * scale(f), prior: 5, sd: 3 },
  { name: "layerNorm·sustained·(ρ/τ−1)", x: (f) => (f.layerNorm ? 1 : 0) * held(f, "sustained") * scale(f), prior: -5, sd: 3 },
  { name: "ln lr·sustained·(ρ/τ−1)", x: (f) => Math.log(f.lr / 1e-3) * held(f, "sustained") * scale(f), prior: 0, sd: 3 },
  { name: "mse·sustained·(ρ/τ−1)", x: (f) => (f.loss === "mse" ? 1 : 0) * held(f, "sustained") * scale(f), prior: 0, sd: 3 },
  { name: "ln t_int/500", x: (f) => (f.tInt === null || f.hold === "free" ? 0 : Math.log(f.tInt / 500)), prior: 0, sd: 0.7 },
  { name: "one-shot", x: (f) => held(f, "one-shot"), prior: 0, sd: 1 },
  { name: "one-shot·(ρ−1)", x: (f) => held(f, "one-shot") * excess(f), prior: 1, sd: 3 },
  { name: "group", x: (f) => held(f, "group"), prior: 0, sd: 1 },
  { name: "group·(ρ−1)", x: (f) => held(f, "group") * excess(f), prior: 2, sd: 3 },
  { name: "ln τ", x: (f) => Math.log(f.tau), prior: 0, sd: 1 },
  { name: "mse", x: (f) => (f.loss === "mse" ? 1 : 0), prior: 0, sd: 1 }
]

export const DEFAULT_SIGMA = 0.25

export interface TGrokModel {
  /** By column name (COLUMNS). */
  readonly coefficients: Readonly<Record<string, number>>
  /** Seed scatter in ln T. */
  readonly sigma: number
}

export const DEFAULT_TGROK: TGrokModel = {
  coefficients: Object.fromEntries(COLUMNS.map((c) => [c.name, c.prior])),
  sigma: DEFAULT_SIGMA
}

const row = (f: TGrokFeatures): Array<number> => COLUMNS.map((c) => c.x(f))

/** Median finish step of a cell's seeds. */
export const medianTGrok = (model: TGrokModel, f: TGrokFeatures): number =>
  Math.exp(COLUMNS.reduce((s, c) => s + (model.coefficients[c.name] ?? c.prior) * c.x(f), 0))

/** One measured seed: its cell's features and its finish step, or the budget it did not finish within. */
export interface SeedObservation {
  readonly features: TGrokFeatures
  readonly steps: number
  readonly censored: boolean
}

// Standard normal density, tail and quantile (Acklam's rational approximation,
// relative error < 1.2e-9), for the censored fit and the seed order statistics.
const phi = (z: number): number => Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI)

/** P(Z > z), from the complementary error function (Numerical Recipes' erfc, |ε| < 1.2e-7). */
export const normalTail = (z: number): number => {
  const x = Math.abs(z) / Math.SQRT2
  const t = 1 / (1 + 0.5 * x)
  const erfc = t * Math.exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
    t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))))
  return z >= 0 ? erfc / 2 : 1 - erfc / 2
}

export const normalQuantile = (q: number): number => {
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239]
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572]
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783]
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416]
  const lo = 0.02425
  if (q < lo) {
    const r = Math.sqrt(-2 * Math.log(q))
    return (((((c[0] * r + c[1]) * r + c[2]) * r + c[3]) * r + c[4]) * r + c[5]) / ((((d[0] * r + d[1]) * r + d[2]) * r + d[3]) * r + 1)
  }
  if (q > 1 - lo) return -normalQuantile(1 - q)
  const r = q - 0.5
  const s = r * r
  return ((((((a[0] * s + a[1]) * s + a[2]) * s + a[3]) * s + a[4]) * s + a[5]) * r) /
    (((((b[0] * s + b[1]) * s + b[2]) * s + b[3]) * s + b[4]) * s + 1)
}

export interface TGrokFit extends TGrokModel {
  readonly seeds: number
  readonly censored: number
  /** Columns the measurements varied (the others stayed at their default). */
  readonly informed: ReadonlyArray<string>
}

/**
 * Ridge regression of ln T toward the defaults, as OLS on the data plus one pseudo-
 * observation per column (β_j = prior_j with weight σ/sd_j); censored seeds are
 * replaced by their expected ln T beyond the budget under the current fit, until
 * the fit settles.
 */
export const fitTGrok = (observations: ReadonlyArray<SeedObservation>, iterations = 50): TGrokFit => {
  if (observations.length === 0) return { ...DEFAULT_TGROK, seeds: 0, censored: 0, informed: [] }
  const rows = observations.map((o) => row(o.features))
  // A column the measurements hold constant says nothing about its slope: it keeps
  // its default (its constant part goes to the intercept) rather than sharing the
  // intercept's signal by the ridge's weights.
  const varied = COLUMNS.map((c, j) => c.name === "intercept" || Math.max(...rows.map((r) => r[j]!)) - Math.min(...rows.map((r) => r[j]!)) > 1e-12)
  const free = COLUMNS.flatMap((c, j) => (varied[j] ? [{ c, j }] : []))
  const fixed = rows.map((r) => COLUMNS.reduce((s, c, j) => s + (varied[j] ? 0 : c.prior * r[j]!), 0))
  const X = rows.map((r) => free.map(({ j }) => r[j]!))
  const logs = observations.map((o) => Math.log(Math.max(1, o.steps)))
  let model: TGrokModel = DEFAULT_TGROK
  for (let it = 0; it < iterations; it++) {
    const sigma = model.sigma
    const mus = observations.map((o) => Math.log(medianTGrok(model, o.features)))
    const y = observations.map((o, i) => {
      if (!o.censored) return logs[i]! - fixed[i]!
      const a = (logs[i]! - mus[i]!) / sigma
      return mus[i]! + (sigma * phi(a)) / Math.max(1e-12, normalTail(a)) - fixed[i]!
    })
    const prior = free.map(({ c }, k) => {
      const w = sigma / c.sd
      return { x: free.map((_, l) => (l === k ? w : 0)), y: w * c.prior }
    })
    const fit = ols([...X, ...prior.map((p) => p.x)], [...y, ...prior.map((p) => p.y)], { intercept: false })
    const fitted = new Map(free.map(({ c }, k) => [c.name, fit.coefficients[k]!]))
    const coefficients = Object.fromEntries(COLUMNS.map((c) => [c.name, fitted.get(c.name) ?? c.prior]))
    // σ from the data rows' residuals (a censored row through its imputed value,
    // plus its conditional variance, so σ does not shrink toward the budget).
    let ss = 0
    observations.forEach((o, i) => {
      const r = fit.residuals[i]!
      if (!o.censored) ss += r * r
      else {
        const a = (logs[i]! - mus[i]!) / sigma
        const lambda = phi(a) / Math.max(1e-12, normalTail(a))
        ss += r * r + sigma * sigma * (1 + a * lambda - lambda * lambda)
      }
    })
    const next = { coefficients, sigma: Math.max(0.02, Math.sqrt(ss / observations.length)) }
    const moved = Math.abs(next.sigma - model.sigma) + COLUMNS.reduce((s, c) => s + Math.abs(next.coefficients[c.name]! - (model.coefficients[c.name] ?? 0)), 0)
    model = next
    if (moved < 1e-9) break
  }
  return {
    ...model,
    seeds: observations.length,
    censored: observations.filter((o) => o.censored).length,
    informed: free.map(({ c }) => c.name)
  }
}
