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
  /** Distinct cells (seeds with one design row). */
  readonly cells: number
  /** How far cells scatter about the model in ln T (its misfit), beyond their seeds' scatter σ. */
  readonly omega: number
  /** Columns the measurements varied (the others stayed at their default). */
  readonly informed: ReadonlyArray<string>
}

/** Seeds of one design row: a cell, or cells the model cannot tell apart. */
interface Cell {
  readonly x: ReadonlyArray<number>
  /** ln steps: the finish step, or the budget of a censored seed. */
  readonly logs: ReadonlyArray<number>
  readonly censored: ReadonlyArray<boolean>
}

/** Mills ratio φ(a)/P(Z > a): how far past the budget a censored seed lies, in σ. */
const mills = (a: number): number => phi(a) / Math.max(1e-12, normalTail(a))

const OMEGA_FLOOR = 0.03

/**
 * A cell-level fit: ln T of seed s in cell c is x_c·β + u_c + e_cs, where e is the
 * seeds' scatter (σ, from the spread within cells) and u the model's misfit to the
 * cell (ω, from the spread of the cells' means about the fit). Seeds of one cell
 * share its misfit, so a cell weighs 1/(ω² + σ²/n) however many seeds it has, and
 * the priors (pseudo-observations of weight 1/sd²) are weighed against cells, not
 * seeds. Censored seeds are imputed by their expected ln T beyond the budget under
 * their cell's current estimate (EM on the normal model, a Tobit fit), until the
 * fit settles.
 */
export const fitTGrok = (observations: ReadonlyArray<SeedObservation>, iterations = 200): TGrokFit => {
  if (observations.length === 0) return { ...DEFAULT_TGROK, seeds: 0, censored: 0, cells: 0, omega: 0, informed: [] }
  const byRow = new Map<string, { x: Array<number>; logs: Array<number>; censored: Array<boolean> }>()
  for (const o of observations) {
    const x = row(o.features)
    const key = x.join(",")
    const cell = byRow.get(key) ?? { x, logs: [], censored: [] }
    cell.logs.push(Math.log(Math.max(1, o.steps)))
    cell.censored.push(o.censored)
    byRow.set(key, cell)
  }
  const cells: ReadonlyArray<Cell> = [...byRow.values()]
  // A column the measurements hold constant says nothing about its slope: it keeps
  // its default (its constant part goes to the intercept) rather than sharing the
  // intercept's signal by the ridge's weights.
  const varied = COLUMNS.map((c, j) => c.name === "intercept" || Math.max(...cells.map((r) => r.x[j]!)) - Math.min(...cells.map((r) => r.x[j]!)) > 1e-12)
  const free = COLUMNS.flatMap((c, j) => (varied[j] ? [{ c, j }] : []))
  const fixed = cells.map((r) => COLUMNS.reduce((s, c, j) => s + (varied[j] ? 0 : c.prior * r.x[j]!), 0))
  const predict = (beta: ReadonlyArray<number>, c: number): number => fixed[c]! + free.reduce((s, { j }, k) => s + beta[k]! * cells[c]!.x[j]!, 0)
  let beta = free.map(({ c }) => c.prior)
  let sigma = DEFAULT_SIGMA
  let omega = DEFAULT_SIGMA
  let effects = cells.map(() => 0)
  for (let it = 0; it < iterations; it++) {
    // E step: each censored seed at its expected ln T beyond the budget, given its cell.
    let within = 0
    let df = 0
    const means = cells.map((cell, c) => {
      const mu = predict(beta, c) + effects[c]!
      const ys = cell.logs.map((y, s) => (cell.censored[s] ? mu + sigma * mills((y - mu) / sigma) : y))
      const mean = ys.reduce((a, b) => a + b, 0) / ys.length
      ys.forEach((y, s) => {
        within += (y - mean) ** 2
        if (cell.censored[s]) {
          const a = (cell.logs[s]! - mu) / sigma
          const l = mills(a)
          within += sigma * sigma * Math.max(0, 1 + a * l - l * l)
        }
      })
      df += ys.length - 1
      return mean
    })
    // M step: σ from within the cells (kept when no cell has two seeds), then β by
    // weighted ridge toward the priors, then ω from what the fit leaves of the means.
    const nextSigma = df > 0 ? Math.max(0.02, Math.sqrt(within / df)) : sigma
    const weight = cells.map((cell) => 1 / Math.sqrt(omega * omega + (nextSigma * nextSigma) / cell.logs.length))
    const X = [
      ...cells.map((cell, c) => free.map(({ j }) => weight[c]! * cell.x[j]!)),
      ...free.map((_, k) => free.map(({ c }, l) => (l === k ? 1 / c.sd : 0)))
    ]
    const y = [...means.map((m, c) => weight[c]! * (m - fixed[c]!)), ...free.map(({ c }) => c.prior / c.sd)]
    const nextBeta = [...ols(X, y, { intercept: false }).coefficients]
    const residuals = means.map((m, c) => m - predict(nextBeta, c))
    const excess = residuals.reduce((a, r, c) => a + r * r - (nextSigma * nextSigma) / cells[c]!.logs.length, 0) / cells.length
    const nextOmega = Math.max(OMEGA_FLOOR, Math.sqrt(Math.max(0, excess)))
    effects = residuals.map((r, c) => (r * nextOmega * nextOmega) / (nextOmega * nextOmega + (nextSigma * nextSigma) / cells[c]!.logs.length))
    const moved = Math.abs(nextSigma - sigma) + Math.abs(nextOmega - omega) + nextBeta.reduce((a, b, k) => a + Math.abs(b - beta[k]!), 0)
    beta = nextBeta
    sigma = nextSigma
    omega = nextOmega
    if (moved < 1e-10) break
  }
  const fitted = new Map(free.map(({ c }, k) => [c.name, beta[k]!]))
  return {
    coefficients: Object.fromEntries(COLUMNS.map((c) => [c.name, fitted.get(c.name) ?? c.prior])),
    sigma,
    seeds: observations.length,
    censored: observations.filter((o) => o.censored).length,
    cells: cells.length,
    omega,
    informed: free.map(({ c }) => c.name)
  }
}
