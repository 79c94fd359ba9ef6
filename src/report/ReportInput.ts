/**
 * What the HTML report shows: the verify table's rows, the drawn figures, and the
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
  /**
   * Set when this report's profile does not test the claim: the profiles that do
   * (empty when none does). Such rows fold into one line under the profile's own.
   */
  readonly testedBy?: ReadonlyArray<string>
}

/** The run whose results the report shows, from its run record (src/engine/RunRecord.ts). */
export interface ReportRun {
  readonly startedAt: string
  readonly endedAt: string
  /** From the run's start to its end. */
  readonly wallSeconds: number
  readonly ran: number
  readonly reused: number
  readonly cellsTrained: number
  /** Runs after it that computed none of the report's results (reruns that reused them). */
  readonly laterRuns: number
}

/** One cache entry the run used. */
export interface ProvenanceEntry {
  readonly stage: string
  readonly key: string
  /** Entry path in the store (cache/entries/<stage>/<key>.json). */
  readonly path?: string
  /** True when the entry was reused from the store rather than computed this run. */
  readonly cached?: boolean
  /** The entry's own compute time. */
  readonly seconds?: number
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
  /** The run that computed the results; absent when the store has no record of it. */
  readonly run?: ReportRun
  /** The entries' own times summed: compute time (stages overlap, so not a wall time). */
  readonly computeSeconds: number
  /** ISO timestamp of the report. */
  readonly generatedAt?: string
  readonly host?: string
  readonly gitCommit?: string
}

/** A figure as the report shows it. */
export interface ReportFigure {
  readonly id: string
  readonly title: string
  readonly caption: string
  readonly source?: string | ReadonlyArray<string>
  /** SVG markup as rendered by draw.ts. */
  readonly svg: string
}

export interface ReportInput {
  readonly title: string
  readonly verifyRows: ReadonlyArray<VerifyRow>
  readonly figures: ReadonlyArray<ReportFigure>
  readonly provenance: Provenance
  readonly weakSpots: ReadonlyArray<string>
  readonly notes?: string | ReadonlyArray<string>
}
