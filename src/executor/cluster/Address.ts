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

const DB_FORM = "expected postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE"

/**
 * Why a `--db` value cannot be a PostgreSQL URL, naming its host where one can be
 * read, or undefined when it can. Checked before connecting, so a typo is one
 * line (exit 2) instead of a failed stage with a driver's stack trace.
 */
export const dbUrlProblem = (url: string): string | undefined => {
  const shown = describeDb(url) === "(unparseable database URL)" ? url.replace(/(:\/\/[^:@/]*:)[^@/]*@/, "$1***@") : describeDb(url)
  const host = /^[A-Za-z][\w+.-]*:\/\/(?:[^@/]*@)?(\[[^\]]*\]|[^:/?#]*)/.exec(url)?.[1]
  const where = host === undefined || host === "" ? "" : ` (host "${host}")`
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    const port = /^[A-Za-z][\w+.-]*:\/\/(?:[^@/]*@)?(?:\[[^\]]*\]|[^:/?#]*):([^/?#]*)/.exec(url)?.[1]
    const why = !/^[A-Za-z][\w+.-]*:\/\//.test(url) ? "not a URL" : port !== undefined && !/^\d{1,5}$/.test(port) ? `port "${port}" is not a number` : port !== undefined && Number(port) > 65535 ? `port ${port} is out of range` : "not a valid URL"
    return `--db ${shown}: ${why}${where}; ${DB_FORM}`
  }
  if (parsed.protocol !== "postgres:" && parsed.protocol !== "postgresql:") {
    return `--db ${shown}: scheme "${parsed.protocol.replace(/:$/, "")}"${where} is not postgres; ${DB_FORM}`
  }
  // A Unix socket is named in the query: postgres:///grokflow?host=/var/run/postgresql
  if (parsed.hostname === "" && !parsed.searchParams.has("host")) return `--db ${shown}: no host; ${DB_FORM}`
  return undefined
}
