/**
 * A remote store: one interface, one module per backend (Directory.ts, S3.ts,
 * Http.ts). A remote mirrors the local store's layout, so a directory remote is
 * itself readable as a store:
 *
 *   objects/<2 hex>/<sha256>        blobs (the CAS)
 *   entries/<name>/<key>.json       manifests (the action cache)
 *   locks/<profile>.lock            the lock each push was made from
 *
 * Paths are posix and relative to the remote's root. `put` is atomic where the
 * backend allows (a directory writes a temp file and renames it; an S3 PUT is
 * atomic per object), so a killed transfer leaves whole files or none.
 */
import { Schema } from "effect"

export interface Remote {
  readonly name: string
  /** As configured, for messages. */
  readonly url: string
  readonly writable: boolean
  /** Fails with RemoteError naming the URL when the remote cannot be reached (for a push, a directory is created). */
  readonly probe: (forWrite: boolean) => Promise<void>
  readonly has: (file: string) => Promise<boolean>
  /** The file's bytes, undefined when it is absent. */
  readonly get: (file: string) => Promise<Uint8Array | undefined>
  readonly put: (file: string, bytes: Uint8Array) => Promise<void>
  /** Every file under `prefix` (a folder, ending in "/"); undefined when the backend cannot list (HTTP). */
  readonly list: (prefix: string) => Promise<ReadonlyArray<string> | undefined>
}

/** A remote could not be reached, refused a write, or served something corrupt: exit 1, one line. */
export class RemoteError extends Schema.TaggedError<RemoteError>()("RemoteError", {
  remote: Schema.String,
  url: Schema.String,
  message: Schema.String
}) {
  get exitCode(): number {
    return 1
  }
  get rendered(): string {
    return `remote ${this.remote} (${this.url}): ${this.message}`
  }
}

export const blobFile = (digest: string): string => `objects/${digest.slice(0, 2)}/${digest}`
export const entryFile = (dir: string, key: string): string => `entries/${dir}/${key}.json`
export const lockFile = (profile: string): string => `locks/${profile}.lock`

export const errorText = (e: unknown): string => {
  if (e instanceof Error) {
    const code = (e as NodeJS.ErrnoException).code
    const cause = (e as { cause?: unknown }).cause
    const inner = cause instanceof Error ? ` (${cause.message})` : ""
    return `${code !== undefined && !e.message.includes(code) ? `${code}: ` : ""}${e.message || e.name}${inner}`
  }
  return String(e)
}
