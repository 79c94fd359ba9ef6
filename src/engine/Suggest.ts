/**
 * "Did you mean": the closest known name to a mistyped one, by edit distance
 * (insertions, deletions, substitutions and swaps of neighbours each cost 1).
 * One module for every name a user types: nodes, stages, profiles, config fields
 * (`--set` paths) and claims. A suggestion is offered only when it is close
 * enough to be the likely intent: within a third of the name's length (at least
 * one edit), or the typed name is a prefix of exactly one candidate.
 */

/** Optimal string alignment distance between a and b (case-insensitive). */
export const editDistance = (a: string, b: string): number => {
  const s = a.toLowerCase()
  const t = b.toLowerCase()
  const rows = s.length + 1
  const cols = t.length + 1
  const d: Array<Array<number>> = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)))
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost)
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1)
      d[i]![j] = best
    }
  }
  return d[s.length]![t.length]!
}

/** The candidate the user most likely meant, or undefined when none is close. */
export const closest = (typed: string, candidates: Iterable<string>): string | undefined => {
  const names = [...new Set(candidates)].filter((c) => c !== typed)
  const limit = Math.max(1, Math.floor(typed.length / 3))
  let best: string | undefined
  let bestDistance = Infinity
  for (const name of names) {
    const distance = editDistance(typed, name)
    if (distance <= limit && distance < bestDistance) {
      best = name
      bestDistance = distance
    }
  }
  if (best !== undefined) return best
  const prefixed = names.filter((n) => typed.length >= 2 && n.toLowerCase().startsWith(typed.toLowerCase()))
  return prefixed.length === 1 ? prefixed[0] : undefined
}

/** ` (did you mean "clamp-sweep"?)`, or "" when nothing is close; for the end of a message. */
export const didYouMean = (typed: string, candidates: Iterable<string>): string => {
  const best = closest(typed, candidates)
  return best === undefined ? "" : ` (did you mean "${best}"?)`
}
