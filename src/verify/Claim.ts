/**
 * A claim file (pipeline/claims/*.yaml): each claim carries the paper's value,
 * where grokflow measures it (a node of the profile and a path into its output),
 * and, per profile, the test that counts as reproduced there. A profile without a
 * test for a claim shows it as NOT RUN.
 */
import { Schema } from "effect"

/** `node:path`, e.g. `delay-law-fits:sweep.primary.alpha` or `mediation-fits:moduli[p=59].recovery.value`. */
export const MeasurePath = Schema.String.check(Schema.isPattern(/^[a-z0-9][a-z0-9-]*:[A-Za-z0-9_.[\]=-]+$/))

const Bound = Schema.Union([Schema.Finite, MeasurePath])

/** One test; a bound that is a `node:path` compares two measured values. */
export const ClaimTest = Schema.Struct({
  range: Schema.optional(Schema.Tuple([Schema.Finite, Schema.Finite])),
  atLeast: Schema.optional(Bound),
  atMost: Schema.optional(Bound),
  greaterThan: Schema.optional(Bound),
  lessThan: Schema.optional(Bound),
  /** Multiplies the bound of greaterThan/lessThan/atLeast/atMost before comparing. */
  factor: Schema.optional(Schema.Finite),
  /** |measured − paper value| within this absolute distance. */
  withinAbs: Schema.optional(Schema.Finite),
  /** |measured − paper value| / |paper value| within this fraction. */
  withinRel: Schema.optional(Schema.Finite),
  /**
   * The paper-scale rule (profiles `paper` and `faithful`, stated in the claim files'
   * header): reproduced when grokflow's 95% interval overlaps the paper's interval.
   * The paper's interval is `paperInterval`, else `paperCi`, else the point
   * `paperValue`; grokflow's is the measured interval (a null bound of a measured
   * interval is unbounded: censoring beyond the budget), else the point.
   */
  overlap: Schema.optional(Schema.Literal(true))
})
export type ClaimTest = typeof ClaimTest.Type

export const Claim = Schema.Struct({
  id: Schema.String,
  paper: Schema.Literals(["A", "B"]),
  description: Schema.String,
  /** The paper's number (null where the paper states only a direction or a range). */
  paperValue: Schema.NullOr(Schema.Finite),
  paperCi: Schema.optional(Schema.Tuple([Schema.Finite, Schema.Finite])),
  /** The interval the overlap rule compares with when it is not the paper's CI: a
   * range or bound the paper states ("CV 1–2%", "< 2%", "12/12 seeds"). */
  paperInterval: Schema.optional(Schema.Tuple([Schema.Finite, Schema.Finite])),
  /** "upper": the paper states an upper bound ("barely moves", "< 1%"), so its interval
   * under the overlap rule is (−∞, paperValue]: a fold of 1.00 or a CV of 0 supports it. */
  paperBound: Schema.optional(Schema.Literal("upper")),
  /** "implementation-check": the claim cannot fail by construction when grokflow is
   * correct (e.g. the norm at grok under a working clamp), so a PASS checks grokflow,
   * not the paper; verify and the report label it. Absent: a reproduction. */
  kind: Schema.optional(Schema.Literals(["reproduction", "implementation-check"])),
  /** How the paper states it, for the table (a value with its CI, or words such as "CV 1–2%"). */
  paperText: Schema.String,
  measure: MeasurePath,
  /** Per profile name, the test that counts as reproduced there. */
  tests: Schema.Record(Schema.String, ClaimTest)
})
export type Claim = typeof Claim.Type

export const ClaimFile = Schema.Struct({ claims: Schema.Array(Claim) })
