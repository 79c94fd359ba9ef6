/**
 * The report's inputs besides the figures: the verify table's rows and the
 * provenance of the numbers (which cache entries, backend and tool versions).
 */
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
