/**
 * Deterministic initialization per (spec, seed), independent of the tfjs backend.
 *
 * Draw order on the seed's "init" stream: each parameter of `paramLayout` in order,
 * row-major, N(0,1)·initStd (docs/protocol.md §2: weights N(0,1)/√fan_in, biases 0;
 * attention pos 0.1/√d, Wout 1/√M). Layout and names are documented in params.ts.
 * `exportCellInit` gives the same numbers as JSON for the PyTorch cross-check.
 */
import type { CellSpec } from "./CellSpec.ts"
import { buildDataset, seedSplit } from "./data.ts"
import { layoutOf, sizeOf, type ParamSet } from "./params.ts"
import { baseSeedOf, seedRng } from "./seeding.ts"

export const initParams = (spec: CellSpec, seed: number): ParamSet => {
  const rng = seedRng(spec, seed, "init")
  const out: ParamSet = {}
  for (const info of layoutOf(spec)) {
    const x = new Float32Array(sizeOf(info.shape))
    if (info.initStd > 0) for (let i = 0; i < x.length; i++) x[i] = rng.nextNormal() * info.initStd
    out[info.name] = x
  }
  return out
}

/** JSON-ready init and split of every seed of a cell (for bench/reference). */
export interface ExportedCellInit {
  readonly baseSeed: string
  readonly layout: ReadonlyArray<{ name: string; shape: ReadonlyArray<number>; matrix: boolean }>
  /** Dataset rows in (a, b) row-major order; train/test are indices into them. */
  readonly data: { a: Array<number>; b: Array<number>; y: Array<number> }
  readonly seeds: ReadonlyArray<{
    seed: number
    train: Array<number>
    test: Array<number>
    params: Record<string, Array<number>>
  }>
}

export const exportCellInit = (spec: CellSpec): ExportedCellInit => {
  const data = buildDataset(spec.task.p, spec.task.op)
  return {
    baseSeed: baseSeedOf(spec),
    layout: layoutOf(spec).map(({ name, shape, matrix }) => ({ name, shape, matrix })),
    data: { a: Array.from(data.a), b: Array.from(data.b), y: Array.from(data.y) },
    seeds: Array.from({ length: spec.seeds }, (_, seed) => {
      const split = seedSplit(spec, seed, data)
      const params = initParams(spec, seed)
      return {
        seed,
        train: Array.from(split.train),
        test: Array.from(split.test),
        params: Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Array.from(v)]))
      }
    })
  }
}
