/** `grokflow push`: the lock's entries and outputs from the local store to a remote. */
import { push as pushTo } from "../../remote/Transfer.ts"
import { transferCommand } from "./remoteFlags.ts"

export const push = transferCommand(
  "push",
  "send what the profile's lock names (blobs, then manifests, then the lock) to a remote; skips what it holds",
  pushTo,
  false
)
