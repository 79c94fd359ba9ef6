/**
 * Typed figure inputs: what a stage hands to the figures layer.
 *
 * Each figure's data is a plain, JSON-serializable record in the papers' own
 * language (ρ, τ, L, Wc, T_grok, T_mem), so a stage author maps its summary output
 * into it field by field without knowing anything about Vega-Lite. Arrays are
 * arrays of records ("tidy" rows): that is what Vega-Lite consumes directly, and what
 * a reader of the cache entry can check by eye.
 *
 * Conventions used throughout:
 * - `medianTGrok` is the cell statistic of paper A §4: the median T_grok over the
 *   grokked seeds, in optimizer steps counted from step 0. `null` when no seed of the
 *   cell grokked within its budget (the cell is right-censored, not dropped).
 * - `ciLow`/`ciHigh` are a 95% bootstrap percentile interval of the same statistic
 *   (omit both when the stage has none).
 * - A fitted exponential delay law is ln T = intercept + α·x (OLS of ln median T_grok).
 *
 * Also here: `VerifyRow` and `Provenance`, the report's two non-figure inputs.
 */

/** Every figure input carries these, whatever its kind. */
export interface FigureMeta {
  /** File stem and report anchor; defaults to `kind`. Set it when one run draws two
   *  figures of the same kind (e.g. the mediation figure at p = 59 and p = 97). */
  readonly id?: string
  /** Overrides the builder's default title. */
  readonly title?: string
  /** One line stating the measured result, e.g. "α = 7.58 [7.41, 7.77], R² = 0.993
   *  over ρ ∈ [0.85, 1.25]". Shown under the figure in the report. */
  readonly caption: string
  /** The cache entry (key or entry path) the data came from, for traceability. */
  readonly source: string | ReadonlyArray<string>
}

/** A 95% interval as [low, high]. */
export type Interval = readonly [number, number]

/** The outcome of one training cell (one configuration × its seeds). */
export interface CellOutcome {
  /** Median T_grok over grokked seeds (steps); null when none grokked. */
  readonly medianTGrok: number | null
  readonly ciLow?: number
  readonly ciHigh?: number
  /** Seeds that crossed test accuracy ≥ 0.90 within the budget. */
  readonly grokked?: number
  readonly total?: number
}

/** ln T = intercept + α·x, fitted by OLS on the log-medians. */
export interface ExponentialFit {
  readonly alpha: number
  readonly alphaCi?: Interval
  readonly intercept: number
  readonly r2: number
  /** The x range the fit used; the line is drawn solid here and dashed beyond. */
  readonly fitRange?: Interval
}

// ---------------------------------------------------------------------------
// (a) Free-training trajectories (paper A §6.1)

export interface TrajectoryPoint {
  readonly step: number
  /** ‖W‖ = sqrt(‖E‖² + ‖W1‖² + ‖W2‖²), biases excluded. */
  readonly weightNorm: number
  readonly trainAcc: number
  readonly testAcc: number
}

export interface TrajectoryRun {
  /** Legend label, e.g. "seed 3" or "p = 59". */
  readonly label: string
  readonly points: ReadonlyArray<TrajectoryPoint>
  /** First evaluated step with train accuracy ≥ 0.99; null if never. */
  readonly tMem: number | null
  /** First evaluated step with test accuracy ≥ 0.90; null if never (censored). */
  readonly tGrok: number | null
}

export interface TrajectoriesFigure extends FigureMeta {
  readonly kind: "trajectories"
  readonly runs: ReadonlyArray<TrajectoryRun>
  /** The critical norm: median ‖W‖ at T_grok over the runs. */
  readonly wc: number
}

// ---------------------------------------------------------------------------
// (b) Wc vs train fraction and vs lr (paper A §6.1)

export interface WcByTrainFraction {
  readonly trainFraction: number
  readonly wc: number
  readonly wcLow?: number
  readonly wcHigh?: number
}

export interface WcByLr {
  readonly lr: number
  readonly wc: number
  readonly wcLow?: number
  readonly wcHigh?: number
  /** Median T_grok at this lr: shown as a label, to make "Wc flat while T_grok moves
   *  ≈ 7×" visible in one panel. */
  readonly medianTGrok?: number
}

export interface WcInvarianceFigure extends FigureMeta {
  readonly kind: "wcInvariance"
  /** Rows at one p (paper: 59), λ = 1, lr 1e-3. */
  readonly byTrainFraction: ReadonlyArray<WcByTrainFraction>
  /** Rows at one p and λ (paper: λ = 3). */
  readonly byLr: ReadonlyArray<WcByLr>
  /** The weight decay of the lr panel, for its title. */
  readonly lrPanelWeightDecay?: number
}

// ---------------------------------------------------------------------------
// (c) Wc vs p, log–log, with the power law (paper A §6.1, §6.4)

export interface WcByP {
  readonly p: number
  readonly wc: number
  readonly wcLow?: number
  readonly wcHigh?: number
}

/** Wc = prefactor · p^β (OLS of ln Wc on ln p). */
export interface PowerLawFit {
  readonly beta: number
  readonly betaCi?: Interval
  readonly prefactor: number
  readonly r2?: number
}

export interface WcScalingFigure extends FigureMeta {
  readonly kind: "wcScaling"
  readonly points: ReadonlyArray<WcByP>
  readonly fit: PowerLawFit
}

// ---------------------------------------------------------------------------
// (d) The clamp matrix: median T_grok vs ρ per lr (paper A §6.2)

export interface ClampCell extends CellOutcome {
  /** ρ = ‖W‖ / Wc held by the clamp from t_int on. */
  readonly rho: number
  readonly lr: number
}

export interface ClampMatrixFigure extends FigureMeta {
  readonly kind: "clampMatrix"
  readonly cells: ReadonlyArray<ClampCell>
  readonly wc: number
  /** Training budget (steps): censored cells are drawn at this line. */
  readonly budget?: number
}

// ---------------------------------------------------------------------------
// (e) Dense ρ sweep with the exponential fit and its CI band (paper A §6.3)

export interface RhoCell extends CellOutcome {
  readonly rho: number
}

/** The fitted T(ρ) with a pointwise 95% band (bootstrap over seeds, refit). */
export interface FitBandPoint {
  readonly rho: number
  readonly lower: number
  readonly upper: number
}

export interface DenseSweepFigure extends FigureMeta {
  readonly kind: "denseSweep"
  readonly cells: ReadonlyArray<RhoCell>
  readonly fit: ExponentialFit
  /** Pointwise band of the fitted curve. When absent the band is derived from
   *  `fit.alphaCi` by pivoting the line about the centroid of the fitted cells (the
   *  OLS line always passes through it), which is approximate and labelled so. */
  readonly band?: ReadonlyArray<FitBandPoint>
  readonly wc: number
}

// ---------------------------------------------------------------------------
// (f) Multi-p collapse with one shared α (paper A §6.4)

export interface MultiPCell extends CellOutcome {
  readonly p: number
  readonly rho: number
}

export interface SharedSlopeFit {
  readonly alpha: number
  readonly alphaCi?: Interval
  readonly r2: number
  /** One intercept per p: ln T = intercept_p + α·ρ. */
  readonly intercepts: ReadonlyArray<{ readonly p: number; readonly intercept: number }>
}

export interface MultiPCollapseFigure extends FigureMeta {
  readonly kind: "multiPCollapse"
  readonly cells: ReadonlyArray<MultiPCell>
  readonly fit: SharedSlopeFit
  /** Moduli left out of the fit, with why (paper: p = 31, ρ = 0.85 never groks). */
  readonly excluded?: ReadonlyArray<{ readonly p: number; readonly reason: string }>
}

// ---------------------------------------------------------------------------
// (g) One-shot rescale vs sustained clamp (paper A §6.5)

export interface ProjectionCell extends CellOutcome {
  readonly rho: number
  readonly arm: "one-shot" | "sustained"
}

export interface OneShotVsSustainedFigure extends FigureMeta {
  readonly kind: "oneShotVsSustained"
  readonly cells: ReadonlyArray<ProjectionCell>
  /** Max/min median T_grok over each arm's ρ range, for the subtitle. */
  readonly foldChange?: { readonly oneShot: number; readonly sustained: number }
}

// ---------------------------------------------------------------------------
// (h) LayerNorm control (paper A §6.6)

export interface VariantCell extends CellOutcome {
  readonly rho: number
  /** e.g. "attention, pre-LN", "attention, no LN", "MLP + final LN". */
  readonly variant: string
}

export interface LayerNormFigure extends FigureMeta {
  readonly kind: "layerNorm"
  readonly cells: ReadonlyArray<VariantCell>
  /** Per-variant exponential fits (omit a variant with no law). */
  readonly fits?: ReadonlyArray<ExponentialFit & { readonly variant: string }>
}

// ---------------------------------------------------------------------------
// (i) Paper B mediation: delay vs effective logit scale L across τ (paper B §6.1)

/** One cell of the temperature sweep at the raised norm. */
export interface TemperatureCell extends CellOutcome {
  readonly rho: number
  /** Output temperature: logits are divided by τ before loss, accuracy and L. */
  readonly tau: number
  /** Effective logit scale: mean ‖z/τ‖₂ over all p² pairs and seeds, at the logged
   *  step nearest the cell's median T_grok. */
  readonly L: number
}

export interface MediationFigure extends FigureMeta {
  readonly kind: "mediation"
  readonly p: number
  /** The τ sweep at ρ = 1.15. */
  readonly sweep: ReadonlyArray<TemperatureCell>
  /** (ρ = 1, τ = 1): its L is L0. */
  readonly baseline: TemperatureCell
  /** (ρ = 1.15, τ = 1): T1. */
  readonly normUp: TemperatureCell
  /** T2: the sweep's delay interpolated at L = L0 (the "L0 rule"). */
  readonly t2?: number
  /** Recovery (T1 − T2)/(T1 − T0), with its paired-bootstrap CI. */
  readonly recovery?: { readonly value: number; readonly ci?: Interval }
}

// ---------------------------------------------------------------------------
// (j) Collapse grid: ln T vs L coloured by ρ, shape by τ (paper B §6.2)

export interface CollapseGridFigure extends FigureMeta {
  readonly kind: "collapseGrid"
  readonly p: number
  readonly cells: ReadonlyArray<TemperatureCell>
  /** ln T = intercept + slope·L (α is the slope in L), with R² on L alone. */
  readonly fit: ExponentialFit
  /** R² of ln T on ρ alone, and the gain from adding ρ to L. */
  readonly r2RhoOnly?: number
  readonly deltaR2AddingRho?: number
}

// ---------------------------------------------------------------------------
// (k) MSE vs CE (paper B §6.3)

export interface LossCell extends TemperatureCell {
  readonly loss: "CE" | "MSE"
}

export interface MseVsCeFigure extends FigureMeta {
  readonly kind: "mseVsCe"
  readonly p: number
  readonly cells: ReadonlyArray<LossCell>
  /** T1/T0 (norm-up effect) per loss, for the subtitle. */
  readonly normUpEffect?: { readonly CE?: number; readonly MSE?: number }
}

// ---------------------------------------------------------------------------
// (l) Memorization control (paper B §6.4)

export interface MemorizationRow {
  readonly tau: number
  /** Median T_mem (train accuracy ≥ 0.99) over seeds, steps. */
  readonly tMem: number
  readonly tMemLow?: number
  readonly tMemHigh?: number
  /** Median T_grok over grokked seeds, steps. */
  readonly tGrok: number | null
  readonly tGrokLow?: number
  readonly tGrokHigh?: number
}

export interface MemorizationFigure extends FigureMeta {
  readonly kind: "memorization"
  readonly p: number
  readonly rho: number
  readonly rows: ReadonlyArray<MemorizationRow>
}

// ---------------------------------------------------------------------------
// (m) Softmax-collapse audit (paper B §6.5)

export interface AuditCell extends CellOutcome {
  readonly rho: number
  /** The arm's working precision, e.g. "float32" or "float64". */
  readonly arm: string
  /** Fraction of training points whose correct-class probability is exactly 1.0. */
  readonly scRate: number
}

export interface SoftmaxAuditFigure extends FigureMeta {
  readonly kind: "softmaxAudit"
  readonly p: number
  readonly cells: ReadonlyArray<AuditCell>
  /** Budget (steps) at which censored cells are drawn. */
  readonly budget: number
}

// ---------------------------------------------------------------------------
// (n) Forking arms (paper B §6.6)

export type ForkArm = "lowered" | "same" | "raised" | "free"

export interface ForkDelay {
  readonly seed: number
  readonly arm: ForkArm
  /** Steps from the fork to T_grok; null when the arm did not grok in budget. */
  readonly delay: number | null
}

export interface ForkingArmsFigure extends FigureMeta {
  readonly kind: "forkingArms"
  readonly p: number
  readonly rho: number
  readonly delays: ReadonlyArray<ForkDelay>
  /** Median raised/same delay ratio with its bootstrap CI. */
  readonly ratio: { readonly value: number; readonly ci?: Interval }
  /** Seeds with lowered < same < raised, out of all seeds. */
  readonly orderedSeeds?: { readonly ordered: number; readonly total: number }
}

// ---------------------------------------------------------------------------

/** Any figure input; `kind` picks the spec builder. */
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

export type FigureKind = FigureInput["kind"]

/** The figure's id: its file stem in the output folder and its anchor in the report. */
export const figureId = (figure: FigureInput): string => figure.id ?? figure.kind

// ---------------------------------------------------------------------------
// The report's other inputs

/** One claim of the verify table (the verify stage maps its results to this). */
export interface VerifyRow {
  /** Claim id as in pipeline/claims, e.g. "A3.alpha". */
  readonly id: string
  readonly paper: "A" | "B"
  readonly description: string
  /** The paper's number, with its CI when it has one, e.g. "a [lo, hi]". */
  readonly paperValue: string
  /** Our number; null when the claim's stage did not run. */
  readonly measured: string | null
  /** Our CI; null when none. */
  readonly ci: string | null
  /** The tolerance the claim is checked against, in words: "±0.5" or "CI overlaps". */
  readonly tolerance: string
  readonly status: "PASS" | "FAIL" | "NOT RUN"
  /** Cache entry the measured value came from. */
  readonly source?: string
}

/** One cache entry the run used. */
export interface ProvenanceEntry {
  readonly stage: string
  readonly key: string
  /** Entry path in the store (cache/entries/<stage>/<key>.json). */
  readonly path?: string
  /** True when the entry was reused from the store rather than computed this run. */
  readonly cached?: boolean
  readonly wallSeconds?: number
}

/** What produced the numbers in the report. */
export interface Provenance {
  readonly profile: string
  /** tfjs backend, e.g. "tensorflow" (tfjs-node), "wasm", "cpu". */
  readonly backend: string
  readonly precision?: string
  /** Tool and library versions: node, tfjs, grokflow, vega, vega-lite, resvg, … */
  readonly versions: Readonly<Record<string, string>>
  readonly entries: ReadonlyArray<ProvenanceEntry>
  /** Wall time of the whole run, seconds. */
  readonly wallSeconds: number
  /** ISO timestamp of the report. */
  readonly generatedAt?: string
  readonly host?: string
  readonly gitCommit?: string
}
