import { describe, expect, it } from "vitest"
import { applyOp, buildDataset, modInverse, seedSplit, trainSize } from "../../src/train/data.ts"
import { evalSteps } from "../../src/train/evalSchedule.ts"
import { initParams } from "../../src/train/initParams.ts"
import { layoutOf, weightNorm } from "../../src/train/params.ts"
import { baseSeedOf, Rng } from "../../src/train/seeding.ts"
import { smallSpec } from "./specs.ts"

describe("data", () => {
  it("builds every pair with the right labels", () => {
    const d = buildDataset(7, "add")
    expect(d.size).toBe(49)
    for (let i = 0; i < d.size; i++) expect(d.y[i]).toBe((d.a[i] + d.b[i]) % 7)
    expect(applyOp("sub", 2, 5, 7)).toBe(4)
    expect(applyOp("mul", 3, 5, 7)).toBe(1)
  })
  it("division skips b = 0 and uses the modular inverse", () => {
    const d = buildDataset(11, "div")
    expect(d.size).toBe(110)
    for (let i = 0; i < d.size; i++) {
      expect(d.b[i]).not.toBe(0)
      expect((d.y[i] * d.b[i]) % 11).toBe(d.a[i])
    }
    for (let b = 1; b < 11; b++) expect((b * modInverse(b, 11)) % 11).toBe(1)
  })
  it("splits per seed: round(fraction·N) train, disjoint, covering, seed-specific", () => {
    const spec = smallSpec({ task: { p: 59, op: "add", trainFraction: 0.4 } })
    const d = buildDataset(59, "add")
    expect(trainSize(d.size, 0.4)).toBe(1392)
    const s0 = seedSplit(spec, 0, d)
    const s1 = seedSplit(spec, 1, d)
    expect(s0.train.length).toBe(1392)
    expect(s0.test.length).toBe(2089)
    expect(new Set([...s0.train, ...s0.test]).size).toBe(d.size)
    expect(Array.from(s0.train)).not.toEqual(Array.from(s1.train))
    expect(Array.from(seedSplit(spec, 0, d).train)).toEqual(Array.from(s0.train))
  })
  it("paper B's floor split takes ⌊0.4·p²⌋ (p=97: 3763, where rounding gives 3764)", () => {
    expect(trainSize(97 * 97, 0.4)).toBe(3764)
    expect(trainSize(97 * 97, 0.4, "floor")).toBe(3763)
    const spec = smallSpec({ task: { p: 97, op: "add", trainFraction: 0.4, splitRounding: "floor" } })
    const d = buildDataset(97, "add")
    const floor = seedSplit(spec, 0, d)
    const round = seedSplit({ ...spec, task: { ...spec.task, splitRounding: "round" } }, 0, d)
    expect(floor.train.length).toBe(3763)
    // Same permutation, one pair fewer on the train side.
    expect(Array.from(floor.train)).toEqual(Array.from(round.train).slice(0, 3763))
  })
})

describe("seeding", () => {
  it("is reproducible and well spread", () => {
    const a = Rng.fromKey("x", 1)
    const b = Rng.fromKey("x", 1)
    const xs = Array.from({ length: 2000 }, () => a.nextNormal())
    expect(Array.from({ length: 2000 }, () => b.nextNormal())).toEqual(xs)
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length
    const varc = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length
    expect(Math.abs(mean)).toBeLessThan(0.08)
    expect(Math.abs(varc - 1)).toBeLessThan(0.1)
  })
  it("matched counterfactual: rho, tau, lr, loss, intervention and numerics do not change init or split", () => {
    const control = smallSpec()
    const arms = [
      smallSpec({ intervention: { kind: "clamp", tInt: 500, targetNorm: 40 } }),
      smallSpec({ intervention: { kind: "rescale", tInt: 500, targetNorm: 30 } }),
      smallSpec({ tau: 1.5 }),
      smallSpec({ loss: "mse" }),
      smallSpec({ numerics: "stable-audit" }),
      smallSpec({ optimizer: { ...control.optimizer, lr: 8e-3, decayOrder: "after" } }),
      smallSpec({ budget: 99, seeds: 5, stopWhenAllGrokked: false })
    ]
    const d = buildDataset(31, "add")
    for (const arm of arms) {
      expect(baseSeedOf(arm)).toBe(baseSeedOf(control))
      expect(Array.from(seedSplit(arm, 1, d).train)).toEqual(Array.from(seedSplit(control, 1, d).train))
      expect(Array.from(initParams(arm, 1).W1)).toEqual(Array.from(initParams(control, 1).W1))
    }
    const other = smallSpec({ optimizer: { ...control.optimizer, weightDecay: 3 } })
    expect(baseSeedOf(other)).not.toBe(baseSeedOf(control))
    expect(Array.from(initParams(other, 1).E)).not.toEqual(Array.from(initParams(control, 1).E))
  })
  it("initial norm matches the papers' ≈ 19.3 at p = 59", () => {
    const spec = smallSpec({ task: { p: 59, op: "add", trainFraction: 0.4 }, model: { kind: "mlp", d: 128, hidden: 256, layerNorm: false } })
    const norm = weightNorm(layoutOf(spec), initParams(spec, 0))
    expect(norm).toBeGreaterThan(18.8)
    expect(norm).toBeLessThan(19.8)
  })
})

describe("evaluation schedule", () => {
  it("geometric grid matches numpy's round(geomspace) plus 0", () => {
    const s = evalSteps({ kind: "geometric", points: 360 }, 30000)
    expect(s[0]).toBe(0)
    expect(s[1]).toBe(1)
    expect(s[s.length - 1]).toBe(30000)
    expect(new Set(s).size).toBe(s.length)
    expect(s.length).toBeLessThanOrEqual(361)
  })
  it("every k", () => {
    expect(evalSteps({ kind: "every", every: 25 }, 100)).toEqual([0, 25, 50, 75, 100])
    expect(evalSteps({ kind: "every", every: 30 }, 100)).toEqual([0, 30, 60, 90, 100])
  })
})
