/** The first field at which two JSON values differ, as a path the claims' syntax reads (`seeds[0].tGrok`). */
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v)

const show = (v: unknown): string => {
  const text = JSON.stringify(v) ?? "undefined"
  return text.length > 60 ? `${text.slice(0, 57)}...` : text
}

export interface Difference {
  readonly path: string
  readonly stored: string
  readonly retrained: string
}

export const firstDifference = (stored: unknown, retrained: unknown, at = ""): Difference | undefined => {
  if (Array.isArray(stored) && Array.isArray(retrained)) {
    for (let i = 0; i < Math.max(stored.length, retrained.length); i++) {
      const d = firstDifference(stored[i], retrained[i], `${at}[${i}]`)
      if (d !== undefined) return d
    }
    return undefined
  }
  if (isRecord(stored) && isRecord(retrained)) {
    for (const k of [...new Set([...Object.keys(stored), ...Object.keys(retrained)])].sort()) {
      const d = firstDifference(stored[k], retrained[k], at === "" ? k : `${at}.${k}`)
      if (d !== undefined) return d
    }
    return undefined
  }
  return Object.is(stored, retrained) || JSON.stringify(stored) === JSON.stringify(retrained)
    ? undefined
    : { path: at === "" ? "(the whole output)" : at, stored: show(stored), retrained: show(retrained) }
}
