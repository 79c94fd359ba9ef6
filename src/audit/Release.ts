/**
 * The release: a directory remote inside the repository (`release/`) holding what
 * `verify` and `audit` need for the paper-scale profiles — the lock, the stage
 * outputs and the cell outputs they read. "Stale" means the tree no longer
 * reproduces it: a locked key moved (the training code or the numerics changed),
 * or a retrained unit's bytes differ. Refreshing is one command.
 */
export const RELEASE_REMOTE = "release"

/** The command that refreshes a release of `profile` from this tree (run it, push it, commit both). */
export const refreshCommand = (profile: string, remote: string = RELEASE_REMOTE): string =>
  `grokflow run --profile ${profile} --split-seeds && grokflow push -r ${remote} --profile ${profile} && git add pipeline/${profile}.lock ${remote === RELEASE_REMOTE ? "release/" : ""}`.trimEnd()

export const staleMessage = (profile: string, why: string, remote?: string): string =>
  `the release of ${profile} is stale: ${why}. Refresh it: ${refreshCommand(profile, remote)}`
