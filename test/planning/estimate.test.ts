/** The planner: the stopping rule's steps, the T_grok fit, and the units stages plan. */
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { loadProfile } from "../../src/engine/index.ts"
import { DEFAULT_PLAN_MODEL, stepsUnderRule, unitCost } from "../../src/planning/estimate.ts"
import { planProfile, nodeEstimate } from "../../src/planning/profilePlan.ts"
import { COLUMNS, DEFAULT_TGROK, fitTGrok, medianTGrok, normalQuantile, normalTail } from "../../src/planning/tGrokModel.ts"
import type { SeedObservation, TGrokFeatures } from "../../src/planning/tGrokModel.ts"
import type { CellSpec, SeedResult } from "../../src/train/CellSpec.ts"
import { freezeCount, freezeStep, needsExtension } from "../../src/train/shards.ts"

const seed = (finish: number | null, budget: number): SeedResult => ({
  seed: 0,
  tMem: 10,
  tGrok: finish,
  normAtGrok: finish === null ? null : 1,
  extraCrossings: { "0.95": { step: finish, norm: null } },
  stepsTrained: finish ?? budget,
  trajectory: { steps: [], trainAcc: [], testAcc: [], trainLoss: [], testLoss: [], norm: [], matrixNorms: {}, logitScale: [], scRate: [] }
})

describe("the stopping rule, as the planner prices it", () => {
  it("agrees with src/train/shards.ts on the freeze step and on which seeds rerun", () => {
    const budget = 1000
    for (const [finishes, stopRule] of [[300, 500, 700, null], [300, null, null, null, 900], [100, 200], [400, 400, 400], [300, 500, 700, 900]].flatMap(
      (f) => [[f, undefined], [f, "all-seeds"]] as const
    )) {
      const spec = { seeds: finishes.length, budget, stopWhenAllGrokked: true, ...(stopRule === undefined ? {} : { stopRule }) } as CellSpec
      const rule = stepsUnderRule(finishes.map((f) => f ?? Infinity), budget, freezeCount(spec))
      const alone = finishes.map((f) => seed(f, budget))
      const freeze = freezeStep(spec, alone)
      expect(rule.freeze).toBe(freeze)
      expect(rule.extension.map((e) => e > 0)).toEqual(alone.map((s) => needsExtension(spec, s, freeze)))
      expect(rule.alone).toEqual(alone.map((s) => s.stepsTrained))
    }
  })

  it("a whole cell trains its finished seeds to the majority's step, the rest to their finish or the budget", () => {
    expect(stepsUnderRule([300, 500, 700, Infinity], 1000, 3).whole).toEqual([700, 700, 700, 1000])
    // No majority within the budget: nothing freezes, every seed trains to it.
    expect(stepsUnderRule([300, Infinity, Infinity], 1000, 2).whole).toEqual([1000, 1000, 1000])
    expect(stepsUnderRule([300, 500], 1000, null).whole).toEqual([1000, 1000])
    // "all-seeds": no seed stops before the last finishes.
    expect(stepsUnderRule([300, 500, 700, 900], 1000, 4).whole).toEqual([900, 900, 900, 900])
  })
})

describe("the normal helpers", () => {
  it("quantile and tail invert each other", () => {
    for (const q of [0.01, 0.1, 0.5, 0.8, 0.99]) expect(normalTail(normalQuantile(q))).toBeCloseTo(1 - q, 6)
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5)
  })
})

describe("the T_grok fit", () => {
  const base: TGrokFeatures = {
    model: "mlp", layerNorm: false, p: 59, trainFraction: 0.4, lr: 1e-3, weightDecay: 1,
    hold: "free", rho: null, tau: 1, loss: "ce", tInt: null
  }
  const truth = { intercept: Math.log(4000), lr: -0.6, frac: -2, sustained: -0.25, slope: 7, sigma: 0.2 }
  const lnT = (f: TGrokFeatures) =>
    truth.intercept + truth.lr * Math.log(f.lr / 1e-3) + truth.frac * Math.log(f.trainFraction / 0.4) +
    (f.hold === "sustained" ? truth.sustained + truth.slope * ((f.rho ?? 1) - 1) : 0)

  it("recovers the law its seeds were drawn from, censoring included; unvaried features keep their defaults", () => {
    const budget = 12000
    const obs: Array<SeedObservation> = []
    for (const lr of [1e-3, 2e-3, 4e-3]) {
      for (const trainFraction of [0.3, 0.5]) {
        for (const rho of [null, 0.9, 1, 1.1, 1.2]) {
          const f: TGrokFeatures = { ...base, lr, trainFraction, hold: rho === null ? "free" : "sustained", rho, tInt: rho === null ? null : 500 }
          for (let i = 0; i < 16; i++) {
            const t = Math.exp(lnT(f) + truth.sigma * normalQuantile((i + 0.5) / 16))
            obs.push(t > budget ? { features: f, steps: budget, censored: true } : { features: f, steps: t, censored: false })
          }
        }
      }
    }
    expect(obs.filter((o) => o.censored).length).toBeGreaterThan(10)
    const fit = fitTGrok(obs)
    expect(fit.coefficients["ln lr/1e-3"]).toBeCloseTo(truth.lr, 1)
    expect(fit.coefficients["ln fraction/0.4"]).toBeCloseTo(truth.frac, 1)
    expect(fit.coefficients["sustained·(ρ/τ−1)"]).toBeCloseTo(truth.slope, 0)
    expect(fit.sigma).toBeGreaterThan(0.15)
    expect(fit.sigma).toBeLessThan(0.25)
    const ref = { ...base, hold: "sustained" as const, rho: 1.2, tInt: 500 }
    expect(medianTGrok(fit, ref) / Math.exp(lnT(ref))).toBeGreaterThan(0.9)
    expect(medianTGrok(fit, ref) / Math.exp(lnT(ref))).toBeLessThan(1.1)
    // Never varied: the attention model, τ, the loss.
    for (const name of ["attention", "ln τ", "mse"]) {
      expect(fit.coefficients[name]).toBeCloseTo(COLUMNS.find((c) => c.name === name)!.prior, 6)
      expect(fit.informed).not.toContain(name)
    }
  })

  it("fits cells, not seeds: σ from within cells, ω from the cells' misfit, and a cell's weight does not grow with its seeds", () => {
    const cellsOf = (seedsOfFirst: number): Array<SeedObservation> => {
      const obs: Array<SeedObservation> = []
      let c = 0
      for (const lr of [1e-3, 2e-3, 4e-3, 8e-3]) {
        for (const rho of [null, 0.9, 1.1, 1.2]) {
          const f: TGrokFeatures = { ...base, lr, hold: rho === null ? "free" : "sustained", rho, tInt: rho === null ? null : 500 }
          // Each cell off the law by ±0.2 (the model's misfit), its seeds scattered by 0.1 about that.
          const misfit = c++ % 2 === 0 ? 0.2 : -0.2
          const n = c === 1 ? seedsOfFirst : 8
          for (let i = 0; i < n; i++) obs.push({ features: f, steps: Math.exp(lnT(f) + misfit + 0.1 * normalQuantile((i + 0.5) / n)), censored: false })
        }
      }
      return obs
    }
    const fit = fitTGrok(cellsOf(8))
    expect(fit.cells).toBe(16)
    expect(fit.sigma).toBeGreaterThan(0.08)
    expect(fit.sigma).toBeLessThan(0.12)
    expect(fit.omega).toBeGreaterThan(0.12)
    expect(fit.omega).toBeLessThan(0.26)
    // Five times the seeds in one cell: its misfit is still one cell's, so the slopes barely move.
    const heavy = fitTGrok(cellsOf(40))
    expect(Math.abs(heavy.coefficients["ln lr/1e-3"]! - fit.coefficients["ln lr/1e-3"]!)).toBeLessThan(0.05)
    expect(Math.abs(heavy.coefficients["sustained·(ρ/τ−1)"]! - fit.coefficients["sustained·(ρ/τ−1)"]!)).toBeLessThan(0.3)
  })

  it("the defaults: free T ≈ 2/(lr·λ) over the fraction; τ and LN move a held cell the way the logit scale says", () => {
    expect(medianTGrok(DEFAULT_TGROK, base)).toBeCloseTo(2000, 6)
    expect(medianTGrok(DEFAULT_TGROK, { ...base, lr: 2e-3, weightDecay: 2 })).toBeCloseTo(500, 6)
    const held = { ...base, hold: "sustained" as const, rho: 1.2, tInt: 500 }
    expect(medianTGrok(DEFAULT_TGROK, { ...held, tau: 1.2 })).toBeCloseTo(medianTGrok(DEFAULT_TGROK, { ...held, rho: 1 }), 6)
    expect(medianTGrok(DEFAULT_TGROK, { ...held, layerNorm: true })).toBeCloseTo(medianTGrok(DEFAULT_TGROK, { ...held, rho: 1, layerNorm: true }), 6)
  })
})

const paper = await Effect.runPromise(loadProfile("paper"))

describe("the units the paper profile's stages plan", () => {
  const units = (node: string) => {
    const e = nodeEstimate(paper.byId.get(node)!, DEFAULT_PLAN_MODEL).estimate
    return (e?.units ?? []).map((u) => ({ unit: u, spec: u.payload as CellSpec }))
  }

  it("layernorm-control honours each variant's budgetByRho: the no-LN transformer at ρ = 1.20 is 16 seeds × 180k", () => {
    const attn = units("layernorm-control").filter((u) => u.unit.label.startsWith("attn "))
    const top = attn.find((u) => u.unit.rho === 1.2)!
    expect(top.spec.budget).toBe(180000)
    expect(top.spec.seeds).toBe(16)
    expect(top.spec.model).toMatchObject({ kind: "attention", preLayerNorm: false })
    expect(attn.map((u) => u.spec.budget).sort((a, b) => a - b)).toEqual([30000, 40000, 40000, 120000, 180000])
    // Held cells wait for their variant's free cell (its Wc).
    expect(top.unit.after).toEqual([attn.find((u) => u.unit.hold === "free")!.unit.label])
  })

  it("layernorm-observational: every modulus × fraction at 12 × 40k, the group clamps at p = 71, 16 × 25k, after their control", () => {
    const all = units("layernorm-observational")
    const node = paper.byId.get("layernorm-observational")!.config as { moduli: ReadonlyArray<number>; trainFractions: ReadonlyArray<number> }
    const fractions = all.filter((u) => u.spec.seeds === 12)
    expect(fractions).toHaveLength(node.moduli.length * node.trainFractions.length)
    for (const u of fractions) expect([u.unit.hold, u.spec.budget]).toEqual(["free", 40000])
    expect(new Set(fractions.map((u) => u.spec.task.p))).toEqual(new Set(node.moduli))
    const groups = all.filter((u) => u.spec.seeds === 16)
    expect(groups).toHaveLength(1 + 4 + 2)
    for (const u of groups) expect([u.spec.task.p, u.spec.budget]).toEqual([71, 25000])
    expect(groups.filter((u) => u.unit.hold === "group").every((u) => u.unit.after?.length === 1)).toBe(true)
  })

  it("the T_grok model reads p, fraction, τ, λ and loss from the spec: cells differing only there cost differently", () => {
    const grid = units("temperature-grid").map((u) => unitCost(DEFAULT_PLAN_MODEL, u.unit))
    const byTau = new Set(grid.map((c) => c.medianTGrok.toFixed(3)))
    expect(byTau.size).toBeGreaterThan(4)
    const wc = units("measure-wc").map((u) => unitCost(DEFAULT_PLAN_MODEL, u.unit).hours)
    expect(new Set(wc.map((h) => h.toFixed(6))).size).toBeGreaterThan(5)
  })

  it("a cell two nodes request is planned once", () => {
    const plan = planProfile(paper, DEFAULT_PLAN_MODEL)
    const requested = paper.nodes.reduce((n, node) => n + (nodeEstimate(node, DEFAULT_PLAN_MODEL).estimate?.units?.length ?? 0), 0)
    expect(plan.cells.length + plan.shared).toBe(requested)
    expect(new Set(plan.cells.map((c) => c.id)).size).toBe(plan.cells.length)
  })
})
