/**
 * A stand-in Executor that answers instantly from a known synthetic law, so the real
 * stages, fits, claims and caching can be tested end to end without training:
 * - free training groks at T0(lr) with ‖W‖ ≈ Wc (per loss and model);
 * - under CE the delay depends on the effective logit scale only,
 *   T = T0·exp(β·(L − L1)) with L = L1·ρ/τ, which gives the delay law with
 *   α = β·L1 in ρ and a τ that shortens it;
 * - with LayerNorm the law is flat; under MSE, L barely moves and the law is weaker;
 * - a one-shot rescale barely moves T; forked arms scale the remaining delay.
 * Every call is counted, by cell label, so tests can assert what was trained.
 */
import { Effect, Layer } from "effect"
import { ExecutionFailure, Executor } from "../../src/engine/Executor.ts"
import type { CellResult, CellSpec, ForkResult, ForkSpec, SeedResult } from "../../src/train/CellSpec.ts"

export const SYNTHETIC = { wcCe: 50, wcMse: 36, wcLn: 22, alpha: 8, alphaLn: 0.4, alphaMse: 3, l1: 30 }

const noise = (seed: number, salt: number): number => {
  const x = Math.sin(seed * 12.9898 + salt * 78.233) * 43758.5453
  return 1 + 0.03 * (x - Math.floor(x) - 0.5)
}

const wcOf = (spec: CellSpec): number =>
  spec.model.kind === "mlp" && spec.model.layerNorm ? SYNTHETIC.wcLn : spec.loss === "mse" ? SYNTHETIC.wcMse : SYNTHETIC.wcCe

const t0Of = (spec: CellSpec): number => 1000 * Math.pow(0.004 / spec.optimizer.lr, 0.8)

const snap = (t: number, every: number): number => Math.max(every, Math.round(t / every) * every)

const seedResult = (spec: CellSpec, seed: number, tGrokRaw: number, norm: number, logitScale: number, sc: number): SeedResult => {
  const every = spec.evaluation.kind === "every" ? spec.evaluation.every : 25
  const t = snap(tGrokRaw * noise(seed, 1), every)
  const grokked = t <= spec.budget
  const tMem = snap(60 * noise(seed, 2), every)
  const normAtGrok = norm * noise(seed, 3)
  const steps = [tMem, grokked ? t : spec.budget]
  return {
    seed,
    tMem,
    tGrok: grokked ? t : null,
    normAtGrok: grokked ? normAtGrok : null,
    extraCrossings: Object.fromEntries(
      spec.thresholds.extra.map((th) => [String(th), grokked ? { step: t, norm: normAtGrok * (1 + (th - 0.9) / 20) } : { step: null, norm: null }])
    ),
    stepsTrained: steps[1],
    trajectory: {
      steps,
      trainAcc: [1, 1],
      testAcc: [0.1, grokked ? 0.95 : 0.2],
      trainLoss: [0.1, 0.01],
      testLoss: [3, 0.3],
      norm: [normAtGrok, normAtGrok],
      matrixNorms: {},
      logitScale: [logitScale, logitScale * noise(seed, 4)],
      scRate: [0, sc]
    }
  }
}

const trainCell = (spec: CellSpec): CellResult => {
  const wc = wcOf(spec)
  const t0 = t0Of(spec)
  const iv = spec.intervention
  const rho = iv.kind === "clamp" || iv.kind === "rescale" ? iv.targetNorm / wc : 1
  const layerNorm = spec.model.kind === "mlp" && spec.model.layerNorm
  const l = spec.loss === "mse" ? rho * (1 + 0.02 / spec.tau) : (SYNTHETIC.l1 * rho) / spec.tau
  const t = iv.kind === "none"
    ? t0
    : iv.kind === "rescale"
    ? t0 * Math.exp(0.5 * (rho - 1))
    : layerNorm
    ? 0.8 * t0 * Math.exp(SYNTHETIC.alphaLn * (rho - 1))
    : spec.loss === "mse"
    ? 0.8 * t0 * Math.exp(SYNTHETIC.alphaMse * (rho - 1))
    : 0.8 * t0 * Math.exp((SYNTHETIC.alpha / SYNTHETIC.l1) * (l - SYNTHETIC.l1))
  const sc = spec.numerics === "float32" && rho >= 1.2 ? 0.3 : 0
  const seeds = Array.from({ length: spec.seeds }, (_, seed) => seedResult(spec, seed, t, iv.kind === "none" ? wc : rho * wc, l, sc))
  return { seeds: spec.stopRule === "all-seeds" ? untilLastFinish(seeds, spec.budget) : seeds, backend: "synthetic" }
}

/** stopRule all-seeds: every seed's trajectory runs on to the last seed's finish (its
 * norm held), as the training core's does. */
const untilLastFinish = (seeds: ReadonlyArray<SeedResult>, budget: number): Array<SeedResult> => {
  const last = seeds.every((s) => s.tGrok !== null) ? Math.max(...seeds.map((s) => s.tGrok ?? 0)) : budget
  return seeds.map((s) => {
    const tr = s.trajectory
    if (tr.steps.includes(last)) return { ...s, stepsTrained: last }
    const hold = <A>(xs: ReadonlyArray<A>): Array<A> => [...xs, xs[xs.length - 1]!]
    return {
      ...s,
      stepsTrained: last,
      trajectory: {
        steps: [...tr.steps, last],
        trainAcc: hold(tr.trainAcc),
        testAcc: hold(tr.testAcc),
        trainLoss: hold(tr.trainLoss),
        testLoss: hold(tr.testLoss),
        norm: hold(tr.norm),
        matrixNorms: tr.matrixNorms,
        logitScale: hold(tr.logitScale),
        scRate: hold(tr.scRate)
      }
    }
  })
}

const trainFork = (spec: ForkSpec): ForkResult => {
  const forkStep = spec.forkAtLeast
  const wc = wcOf(spec.base)
  const remaining = 500
  return {
    forkStep,
    normAtFork: Array.from({ length: spec.base.seeds }, (_, s) => wc * noise(s, 5)),
    arms: Object.fromEntries(
      spec.arms.map((arm) => {
        const factor = arm.kind === "free" ? 1.05 : arm.factor
        const t = forkStep + remaining * Math.exp(SYNTHETIC.alpha * (factor - 1))
        return [arm.name, {
          seeds: Array.from({ length: spec.base.seeds }, (_, seed) => seedResult(spec.base, seed, t, factor * wc, SYNTHETIC.l1 * factor, 0)),
          backend: "synthetic"
        }]
      })
    ),
    backend: "synthetic"
  }
}

export interface SyntheticTrainer {
  readonly layer: Layer.Layer<Executor>
  /** Specs trained so far, in call order. */
  readonly trained: Array<CellSpec | ForkSpec>
}

export const syntheticTrainer = (): SyntheticTrainer => {
  const trained: Array<CellSpec | ForkSpec> = []
  return {
    trained,
    layer: Layer.succeed(
      Executor,
      Executor.of({
        name: "synthetic",
        capacity: 2,
        run: (unit) =>
          Effect.suspend((): Effect.Effect<unknown, ExecutionFailure> => {
            if (unit.kind === "train") {
              const spec = unit.payload as unknown as CellSpec
              trained.push(spec)
              return Effect.succeed(trainCell(spec))
            }
            if (unit.kind === "fork") {
              const spec = unit.payload as unknown as ForkSpec
              trained.push(spec)
              return Effect.succeed(trainFork(spec))
            }
            return Effect.fail(new ExecutionFailure({ message: `synthetic executor: unknown kind ${unit.kind}` }))
          })
      })
    )
  }
}
