import type { CellSpec } from "../../src/train/CellSpec.ts"

/** A small MLP cell; override any field. */
export const smallSpec = (over: Partial<CellSpec> = {}): CellSpec => ({
  task: { p: 31, op: "add", trainFraction: 0.6 },
  model: { kind: "mlp", d: 32, hidden: 64, layerNorm: false },
  optimizer: { lr: 6e-3, weightDecay: 1, beta1: 0.9, beta2: 0.999, eps: 1e-8, decayOrder: "before" },
  loss: "ce",
  tau: 1,
  seeds: 2,
  budget: 3000,
  evaluation: { kind: "every", every: 25 },
  thresholds: { mem: 0.99, grok: 0.9, extra: [] },
  intervention: { kind: "none" },
  stopWhenAllGrokked: true,
  numerics: "float32",
  ...over
})
