/** Indices keeping at most `points` of `length` entries, log-spaced so early steps
 * (where memorization happens) keep their resolution; the last index always stays. */
export const subsample = (length: number, points: number): ReadonlyArray<number> => {
  if (length <= points) return Array.from({ length }, (_, i) => i)
  const kept = new Set<number>([0, length - 1])
  for (let k = 0; k < points; k++) {
    kept.add(Math.min(length - 1, Math.round(Math.expm1((k / (points - 1)) * Math.log(length)))))
  }
  return [...kept].sort((a, b) => a - b)
}
