/**
 * Norm interventions (docs/protocol.md §5), applied on the host after an optimizer step.
 * The scale is computed in float64 from the float32 weights, so after rounding back
 * to float32 the held norm is within ~1e−7 relative of its target. Adam moments and
 * biases are never touched.
 */
import type { Intervention } from "./CellSpec.ts"
import { sumSquares, type ParamInfo, type ParamSet } from "./params.ts"

/** Per-seed form of an intervention (fork arms hold a different target per seed). */
export type NormHold =
  | { readonly kind: "none" }
  /** ‖W‖ = targets[seed] from step tInt on (once: only at tInt). */
  | { readonly kind: "total"; readonly tInt: number; readonly once: boolean; readonly targets: ReadonlyArray<number> }
  /** ‖W_name‖ = targets[name] for each named matrix, from step tInt on. */
  | { readonly kind: "perMatrix"; readonly tInt: number; readonly targets: Readonly<Record<string, number>> }

export const holdOf = (intervention: Intervention, seeds: number): NormHold => {
  switch (intervention.kind) {
    case "none":
      return { kind: "none" }
    case "clamp":
    case "rescale":
      return {
        kind: "total",
        tInt: intervention.tInt,
        once: intervention.kind === "rescale",
        targets: Array.from({ length: seeds }, () => intervention.targetNorm)
      }
    case "clamp-per-matrix":
      return { kind: "perMatrix", tInt: intervention.tInt, targets: intervention.targets }
  }
}

const scaleInPlace = (x: Float32Array, s: number): void => {
  for (let i = 0; i < x.length; i++) x[i] = x[i] * s
}

/** Whether the hold acts after optimizer step `step` (1-based count of updates). */
export const holdActive = (hold: NormHold, step: number): boolean =>
  hold.kind !== "none" && (hold.kind === "total" && hold.once ? step === hold.tInt : step >= hold.tInt)

/** Scales the seed's weight matrices as the hold requires. */
export const applyHold = (layout: ReadonlyArray<ParamInfo>, params: ParamSet, hold: NormHold, seedIndex: number): void => {
  if (hold.kind === "total") {
    let ss = 0
    for (const info of layout) if (info.matrix) ss += sumSquares(params[info.name])
    const norm = Math.sqrt(ss)
    if (!(norm > 0) || !Number.isFinite(norm)) return
    const s = hold.targets[seedIndex] / norm
    for (const info of layout) if (info.matrix) scaleInPlace(params[info.name], s)
  } else if (hold.kind === "perMatrix") {
    for (const [name, target] of Object.entries(hold.targets)) {
      const x = params[name]
      if (x === undefined) throw new Error(`clamp-per-matrix: no parameter named ${name}`)
      const norm = Math.sqrt(sumSquares(x))
      if (norm > 0 && Number.isFinite(norm)) scaleInPlace(x, target / norm)
    }
  }
}
