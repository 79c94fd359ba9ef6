/**
 * Norm lever vs lr lever (paper A, docs/protocol.md §6.2): how far T_grok moves when the held norm is
 * swept at a fixed lr, against how far it moves when lr is swept at a fixed ρ.
 * A lever is the max/min ratio of median T_grok over the swept range.
 */

/** One cell of the ρ × lr matrix with its median T_grok (cells with an undefined median are left out by the caller). */
export interface LeverCell {
  readonly rho: number
  readonly lr: number
  readonly median: number
}

/** A max/min ratio over one sweep, with the cells at each end. */
export interface Lever {
  readonly ratio: number
  readonly min: LeverCell
  readonly max: LeverCell
  readonly cells: number
}

/** Max/min of median T_grok over a set of cells; throws RangeError on fewer than two cells or a non-positive median. */
const leverOf = (cells: ReadonlyArray<LeverCell>): Lever => {
  if (cells.length < 2) throw new RangeError(`lever: need at least two cells, got ${cells.length}`)
  for (const c of cells) {
    if (!(c.median > 0 && Number.isFinite(c.median))) throw new RangeError(`lever: invalid median ${c.median}`)
  }
  const min = cells.reduce((a, b) => (b.median < a.median ? b : a))
  const max = cells.reduce((a, b) => (b.median > a.median ? b : a))
  return { ratio: max.median / min.median, min, max, cells: cells.length }
}

/** The norm lever at one lr: max/min median T_grok over ρ. */
export const normLever = (cells: ReadonlyArray<LeverCell>, lr: number): Lever & { readonly lr: number } => ({
  lr,
  ...leverOf(cells.filter((c) => c.lr === lr))
})

/** The lr lever of each ρ row: max/min median T_grok over lr, rows in ascending ρ. */
export const lrLevers = (cells: ReadonlyArray<LeverCell>): Array<Lever & { readonly rho: number }> =>
  [...new Set(cells.map((c) => c.rho))]
    .sort((a, b) => a - b)
    .map((rho) => ({ rho, ...leverOf(cells.filter((c) => c.rho === rho)) }))

/** Both levers side by side: the norm lever at atLr against the range of per-row lr levers. */
export interface LeverComparison {
  readonly normLever: Lever & { readonly lr: number }
  /** The norm lever at every lr, ascending lr. */
  readonly normLevers: ReadonlyArray<Lever & { readonly lr: number }>
  readonly lrLevers: ReadonlyArray<Lever & { readonly rho: number }>
  readonly lrLeverMin: number
  readonly lrLeverMax: number
  /** Norm lever over the largest lr lever: > 1 means the norm is the stronger lever in every row. */
  readonly normOverLr: number
}

/** Compares the norm lever (at atLr, paper A uses its base lr) with the lr levers of every ρ row. */
export const compareLevers = (cells: ReadonlyArray<LeverCell>, atLr: number): LeverComparison => {
  const rows = lrLevers(cells)
  const lrs = [...new Set(cells.map((c) => c.lr))].sort((a, b) => a - b)
  const nl = normLever(cells, atLr)
  const ratios = rows.map((r) => r.ratio)
  const lrLeverMax = Math.max(...ratios)
  return {
    normLever: nl,
    normLevers: lrs.map((lr) => normLever(cells, lr)),
    lrLevers: rows,
    lrLeverMin: Math.min(...ratios),
    lrLeverMax,
    normOverLr: nl.ratio / lrLeverMax
  }
}
