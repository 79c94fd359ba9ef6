import { describe, expect, it } from "vitest"
import { evaluateLogits } from "../../src/train/metrics.ts"

describe("evaluation metrics", () => {
  it("accuracy, CE loss, logit scale and the float32 collapse rate", () => {
    // Three rows, three classes; rows 0 and 1 train, row 2 test.
    const z = Float32Array.from([
      20, 0, 0, // correct, Σ others = 2e^{−20} ≈ 4.1e−9 < 2^−24: collapsed
      10, 0, 0, // correct, 2e^{−10} ≈ 9e−5: not collapsed
      0, 1, 0 // wrong (label 0)
    ])
    const labels = Int32Array.from([0, 0, 0])
    const isTrain = Uint8Array.from([1, 1, 0])
    const e = evaluateLogits(z, 3, 3, labels, isTrain, "ce", 1)
    expect(e.trainAcc).toBe(1)
    expect(e.testAcc).toBe(0)
    expect(e.scRate).toBe(0.5)
    const ce = (row: Array<number>, y: number) => Math.log(row.reduce((s, v) => s + Math.exp(v), 0)) - row[y]
    expect(e.trainLoss).toBeCloseTo((ce([20, 0, 0], 0) + ce([10, 0, 0], 0)) / 2, 10)
    expect(e.testLoss).toBeCloseTo(ce([0, 1, 0], 0), 10)
    expect(e.logitScale).toBeCloseTo((20 + 10 + 1) / 3, 6)
  })
  it("tau divides the logits before everything", () => {
    const z = Float32Array.from([20, 0, 0])
    const e = evaluateLogits(z, 1, 3, Int32Array.from([0]), Uint8Array.from([1]), "ce", 2)
    expect(e.logitScale).toBeCloseTo(10, 6)
    expect(e.scRate).toBe(0) // 2e^{−10} is far above 2^−24
  })
  it("MSE: sum over outputs of (z/τ − onehot)², mean over rows; no collapse rate", () => {
    const z = Float32Array.from([1, 0.5, 0, 0, 2, 0])
    const e = evaluateLogits(z, 2, 3, Int32Array.from([0, 2]), Uint8Array.from([1, 1]), "mse", 1)
    expect(e.trainLoss).toBeCloseTo((0.25 + (4 + 1)) / 2, 10)
    expect(e.scRate).toBe(0)
  })
})
