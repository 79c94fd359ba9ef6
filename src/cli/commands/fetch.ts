/** `grokflow fetch`: a lock's entries from a remote into the local store, changing no ref. */
import { fetchEntries } from "../../remote/Transfer.ts"
import { transferCommand } from "./remoteFlags.ts"

export const fetch = transferCommand(
  "fetch",
  "download what the lock names into the local store, checking every digest; changes no ref",
  fetchEntries,
  true
)
