/**
 * Which steps are evaluated. Step s means "after s optimizer updates"; step 0 (the
 * initialization) is always evaluated, as in both papers' code.
 */
import type { Evaluation } from "./CellSpec.ts"

/**
 * Paper A: round(geomspace(1, budget, points)) deduplicated, plus 0. Paper B: every
 * k steps. The budget itself is always included so a censored seed's last state is seen.
 */
export const evalSteps = (evaluation: Evaluation, budget: number): Array<number> => {
  const steps = new Set<number>([0, budget])
  if (evaluation.kind === "geometric") {
    const n = evaluation.points
    const logStop = Math.log10(budget)
    for (let i = 0; i < n; i++) {
      // numpy.geomspace: 10 ** linspace(0, log10(budget), n), endpoints exact.
      const v = i === n - 1 ? budget : i === 0 ? 1 : Math.pow(10, (logStop * i) / (n - 1))
      steps.add(Math.min(budget, Math.max(0, roundHalfEven(v))))
    }
  } else {
    const k = Math.max(1, evaluation.every)
    for (let s = k; s <= budget; s += k) steps.add(s)
  }
  return [...steps].sort((x, y) => x - y)
}

/** numpy's rounding (half to even), so grid points match paper A's exactly. */
const roundHalfEven = (v: number): number => {
  const f = Math.floor(v)
  const diff = v - f
  if (diff > 0.5) return f + 1
  if (diff < 0.5) return f
  return f % 2 === 0 ? f : f + 1
}
