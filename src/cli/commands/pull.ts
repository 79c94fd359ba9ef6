/** `grokflow pull`: fetch, then the profile's refs point at the locked runs. */
import { pull as pullFrom } from "../../remote/Transfer.ts"
import { transferCommand } from "./remoteFlags.ts"

export const pull = transferCommand(
  "pull",
  "fetch the lock's entries from a remote (digests checked) and make them this profile's current runs",
  pullFrom,
  true
)
