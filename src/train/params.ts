/**
 * Parameter naming and layout shared by init, the models, the optimizer, the clamp,
 * checkpoints and the PyTorch cross-check. Every tensor is a row-major Float32Array.
 *
 * MLP:       E [p,d], W1 [2d,H] (rows 0..d−1 act on E[a], rows d..2d−1 on E[b]),
 *            b1 [H], W2 [H,p], b2 [p]; logits = GELU([E[a];E[b]]·W1 + b1)·W2 + b2.
 * Attention: E [V,d] (V = p+1, token p is "="), pos [3,d], Wq Wk Wv Wo [d,d],
 *            Win [d,M], Wout [M,d], U [d,V]; all are weight matrices (no biases).
 */
import type { CellSpec, Model } from "./CellSpec.ts"

export interface ParamInfo {
  readonly name: string
  readonly shape: ReadonlyArray<number>
  /** Weight matrix: decayed, counted in ‖W‖, scaled by the clamp. Biases are not. */
  readonly matrix: boolean
  /** Init standard deviation (0 → zeros). */
  readonly initStd: number
}

export type ParamSet = Record<string, Float32Array>

export const paramLayout = (p: number, model: Model): ReadonlyArray<ParamInfo> => {
  if (model.kind === "mlp") {
    const { d, hidden: H } = model
    return [
      { name: "E", shape: [p, d], matrix: true, initStd: 1 / Math.sqrt(d) },
      { name: "W1", shape: [2 * d, H], matrix: true, initStd: 1 / Math.sqrt(2 * d) },
      { name: "b1", shape: [H], matrix: false, initStd: 0 },
      { name: "W2", shape: [H, p], matrix: true, initStd: 1 / Math.sqrt(H) },
      { name: "b2", shape: [p], matrix: false, initStd: 0 }
    ]
  }
  const { d, mlpWidth: M } = model
  const V = p + 1
  const s = 1 / Math.sqrt(d)
  return [
    { name: "E", shape: [V, d], matrix: true, initStd: s },
    { name: "pos", shape: [3, d], matrix: true, initStd: 0.1 / Math.sqrt(d) },
    { name: "Wq", shape: [d, d], matrix: true, initStd: s },
    { name: "Wk", shape: [d, d], matrix: true, initStd: s },
    { name: "Wv", shape: [d, d], matrix: true, initStd: s },
    { name: "Wo", shape: [d, d], matrix: true, initStd: s },
    { name: "Win", shape: [d, M], matrix: true, initStd: s },
    { name: "Wout", shape: [M, d], matrix: true, initStd: 1 / Math.sqrt(M) },
    { name: "U", shape: [d, V], matrix: true, initStd: s }
  ]
}

export const layoutOf = (spec: CellSpec): ReadonlyArray<ParamInfo> => paramLayout(spec.task.p, spec.model)

export const sizeOf = (shape: ReadonlyArray<number>): number => shape.reduce((a, b) => a * b, 1)

export const cloneParams = (params: ParamSet): ParamSet => {
  const out: ParamSet = {}
  for (const [k, v] of Object.entries(params)) out[k] = v.slice()
  return out
}

export const zerosLike = (layout: ReadonlyArray<ParamInfo>): ParamSet => {
  const out: ParamSet = {}
  for (const info of layout) out[info.name] = new Float32Array(sizeOf(info.shape))
  return out
}

/** Squared Frobenius norm accumulated in float64. */
export const sumSquares = (x: Float32Array): number => {
  let s = 0
  for (let i = 0; i < x.length; i++) s += x[i] * x[i]
  return s
}

/** ‖W‖ over the weight matrices, float64 from the float32 values. */
export const weightNorm = (layout: ReadonlyArray<ParamInfo>, params: ParamSet): number => {
  let s = 0
  for (const info of layout) if (info.matrix) s += sumSquares(params[info.name])
  return Math.sqrt(s)
}
