/**
 * The analysis functions throw RangeError when a statistic is not identified (too
 * few grokked cells, no seed grokked in both arms, ...). Inside a stage that is a
 * result to report, not a crash: `orNull` turns it into null, which the output
 * schema records and a claim that needs it reports as FAIL with the reason.
 */
export const orNull = <A>(compute: () => A): A | null => {
  try {
    return compute()
  } catch (e) {
    if (e instanceof RangeError) return null
    throw e
  }
}
