/**
 * Parsing and printing for the cluster flags. Kept free of cluster imports: the
 * CLI's command list loads it for every command, and only `runner` and
 * `run --executor cluster` should pay for loading effect/cluster and the
 * PostgreSQL client.
 */

export interface HostPort {
  readonly host: string
  readonly port: number
}

/** `host:port` (or `[v6]:port`); undefined when malformed. */
export const parseAddress = (text: string): HostPort | undefined => {
  const match = /^(.+):(\d{1,5})$/.exec(text.trim())
  if (match === null) return undefined
  const port = Number(match[2])
  if (port < 1 || port > 65535) return undefined
  // The socket layer wants an IPv6 host without its brackets.
  return { host: match[1].replace(/^\[(.*)\]$/, "$1"), port }
}

/** The database URL without its password, for messages. */
export const describeDb = (url: string): string => {
  try {
    const parsed = new URL(url)
    if (parsed.password !== "") parsed.password = "***"
    return parsed.toString()
  } catch {
    return "(unparseable database URL)"
  }
}
