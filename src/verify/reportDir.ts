import * as path from "node:path"

/** Where a profile's verify table, figures and report go (git-ignored). */
export const reportDir = (profile: string): string =>
  path.resolve(process.env.GROKFLOW_REPORTS ?? "reports", profile)
