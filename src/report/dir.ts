import * as path from "node:path"
import { projectRoot } from "../engine/index.ts"

/** Where a profile's verify table, figures and report go (git-ignored): GROKFLOW_REPORTS, else <project>/reports. */
export const reportDir = (profile: string): string =>
  path.resolve(process.env.GROKFLOW_REPORTS ?? path.join(projectRoot(), "reports"), profile)
