/**
 * Ordinary least squares with an arbitrary dense design matrix, solved by
 * Householder QR (stable for the near-collinear one-hot + ρ designs), plus the
 * simple-regression helper y ~ a + b·x that most fits in the papers use.
 */

/** A full OLS result. Coefficient order follows the design columns (intercept first when added). */
export interface OlsFit {
  readonly coefficients: ReadonlyArray<number>
  /** Classical standard errors sqrt(σ̂² · diag((XᵀX)⁻¹)), σ̂² = RSS/(n − k); NaN when n = k. */
  readonly standardErrors: ReadonlyArray<number>
  readonly fitted: ReadonlyArray<number>
  readonly residuals: ReadonlyArray<number>
  /** Centered R² = 1 − RSS/TSS (TSS about the mean of y); right whenever the columns span a constant. */
  readonly r2: number
  /** 1 − (1 − R²)(n − 1)/(n − k); NaN when n ≤ k. */
  readonly adjustedR2: number
  readonly rss: number
  readonly tss: number
  /** Observations. */
  readonly n: number
  /** Fitted parameters, intercept included. */
  readonly k: number
}

/** Options for ols. */
export interface OlsOptions {
  /** Prepend a column of ones (default true). */
  readonly intercept?: boolean
}

/** Relative pivot size under which the design is declared rank-deficient. */
const RANK_TOLERANCE = 1e-10

/** OLS of y on the rows of X (each row one observation); throws RangeError on bad shapes or a rank-deficient design. */
export const ols = (
  X: ReadonlyArray<ReadonlyArray<number>>,
  y: ReadonlyArray<number>,
  options: OlsOptions = {}
): OlsFit => {
  const intercept = options.intercept ?? true
  const n = y.length
  if (X.length !== n) throw new RangeError(`ols: X has ${X.length} rows but y has ${n} values`)
  const rows = X.map((r) => (intercept ? [1, ...r] : [...r]))
  const k = n > 0 ? (rows[0] as number[]).length : intercept ? 1 : 0
  if (k === 0) throw new RangeError("ols: the design has no columns")
  if (n < k) throw new RangeError(`ols: ${n} observations cannot identify ${k} parameters`)
  for (const r of rows) if (r.length !== k) throw new RangeError("ols: ragged design matrix")
  for (const v of [...y, ...rows.flat()]) if (!Number.isFinite(v)) throw new RangeError("ols: non-finite value in X or y")

  // Column-major working copies: A (n×k) becomes R on top; qty becomes Qᵀy.
  const A: number[][] = Array.from({ length: k }, (_, j) => rows.map((r) => r[j] as number))
  const qty = [...y]
  const colScale = A.map((col) => Math.sqrt(col.reduce((s, v) => s + v * v, 0)))
  for (let j = 0; j < k; j++) {
    const col = A[j] as number[]
    let norm = 0
    for (let i = j; i < n; i++) norm += (col[i] as number) ** 2
    norm = Math.sqrt(norm)
    if (norm <= RANK_TOLERANCE * Math.max(colScale[j] as number, 1e-300)) {
      throw new RangeError(`ols: design matrix is rank-deficient (column ${j} is a combination of earlier columns)`)
    }
    const alpha = (col[j] as number) > 0 ? -norm : norm
    // Householder vector v = x − alpha·e_j, stored in a scratch array.
    const v = new Array<number>(n).fill(0)
    for (let i = j; i < n; i++) v[i] = col[i] as number
    v[j] = (v[j] as number) - alpha
    let vv = 0
    for (let i = j; i < n; i++) vv += (v[i] as number) ** 2
    if (vv === 0) continue
    const reflect = (target: number[]): void => {
      let dot = 0
      for (let i = j; i < n; i++) dot += (v[i] as number) * (target[i] as number)
      const f = (2 * dot) / vv
      for (let i = j; i < n; i++) target[i] = (target[i] as number) - f * (v[i] as number)
    }
    for (let c = j; c < k; c++) reflect(A[c] as number[])
    reflect(qty)
  }
  const R = (i: number, j: number): number => (A[j] as number[])[i] as number

  // Back-substitution R β = (Qᵀy)[0:k].
  const beta = new Array<number>(k).fill(0)
  for (let i = k - 1; i >= 0; i--) {
    let s = qty[i] as number
    for (let j = i + 1; j < k; j++) s -= R(i, j) * (beta[j] as number)
    beta[i] = s / R(i, i)
  }
  // R⁻¹ (upper triangular); (XᵀX)⁻¹ = R⁻¹R⁻ᵀ so its diagonal is the row sums of squares of R⁻¹.
  const Rinv: number[][] = Array.from({ length: k }, () => new Array<number>(k).fill(0))
  for (let j = 0; j < k; j++) {
    ;(Rinv[j] as number[])[j] = 1 / R(j, j)
    for (let i = j - 1; i >= 0; i--) {
      let s = 0
      for (let m = i + 1; m <= j; m++) s += R(i, m) * ((Rinv[m] as number[])[j] as number)
      ;(Rinv[i] as number[])[j] = -s / R(i, i)
    }
  }

  const fitted = rows.map((r) => r.reduce((s, x, j) => s + x * (beta[j] as number), 0))
  const residuals = y.map((v, i) => v - (fitted[i] as number))
  const rss = residuals.reduce((s, e) => s + e * e, 0)
  const yMean = y.reduce((s, v) => s + v, 0) / n
  const tss = y.reduce((s, v) => s + (v - yMean) ** 2, 0)
  const df = n - k
  const sigma2 = df > 0 ? rss / df : Number.NaN
  const standardErrors = Rinv.map((row) => Math.sqrt(sigma2 * row.reduce((s, v) => s + v * v, 0)))
  const r2 = tss > 0 ? 1 - rss / tss : Number.NaN
  const adjustedR2 = df > 0 && n > 1 ? 1 - ((1 - r2) * (n - 1)) / df : Number.NaN
  return { coefficients: beta, standardErrors, fitted, residuals, r2, adjustedR2, rss, tss, n, k }
}

/** A straight-line fit y = intercept + slope·x. */
export interface LineFit {
  readonly intercept: number
  readonly slope: number
  readonly interceptSe: number
  readonly slopeSe: number
  readonly r2: number
  readonly adjustedR2: number
  readonly n: number
  readonly fitted: ReadonlyArray<number>
  readonly residuals: ReadonlyArray<number>
}

/** Simple regression y ~ a + b·x by OLS; needs two distinct x values. */
export const fitLine = (x: ReadonlyArray<number>, y: ReadonlyArray<number>): LineFit => {
  const f = ols(
    x.map((v) => [v]),
    y
  )
  return {
    intercept: f.coefficients[0] as number,
    slope: f.coefficients[1] as number,
    interceptSe: f.standardErrors[0] as number,
    slopeSe: f.standardErrors[1] as number,
    r2: f.r2,
    adjustedR2: f.adjustedR2,
    n: f.n,
    fitted: f.fitted,
    residuals: f.residuals
  }
}

/** The value of a line fit at x. */
export const predictLine = (fit: Pick<LineFit, "intercept" | "slope">, x: number): number =>
  fit.intercept + fit.slope * x
