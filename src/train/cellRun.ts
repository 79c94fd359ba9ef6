/**
 * The batched-seed training loop shared by trainCell and trainFork.
 *
 * All seeds of a cell advance in lock-step, one optimizer step at a time; each seed's
 * step is its own sequence of 2-D device products (docs/training-speed.md: 3-D batched
 * matMuls are slow on wasm). Parameters, Adam moments and the interventions live on
 * the host, so a cell's whole state is a set of Float32Arrays (cheap to checkpoint
 * and to fork, exact to clamp).
 *
 * Stopping (stopWhenAllGrokked): a seed is *finished* once it has crossed the grok
 * threshold and every extra threshold. Finished seeds keep training until more than
 * half of the seeds have finished — so every seed's trajectory covers the cell's
 * median T_grok, where L is read — and are then frozen (their stepsTrained is the
 * step they stopped at). With stopRule "all-seeds" nothing freezes before the last seed
 * finishes. The cell stops when every seed has finished, or at budget.
 * Seeds never share state, so a seed trained alone (a shard) follows the same
 * trajectory; shards.ts reproduces the freeze step.
 */
import type { CellSpec, SeedResult } from "./CellSpec.ts"
import { adamKernel, adamwStep, type AdamKernel, type AdamMoments } from "./adamw.ts"
import { buildDataset, seedSplit, type Dataset } from "./data.ts"
import { evalSteps } from "./evalSchedule.ts"
import { initParams } from "./initParams.ts"
import { applyHold, holdActive, holdOf, type NormHold } from "./interventions.ts"
import type { ModelKernel, SeedBatch } from "./modelKernel.ts"
import { evaluateLogits } from "./metrics.ts"
import type { ModelKernelFactory } from "./models/modelModules.ts"
import { cloneParams, layoutOf, sizeOf, sumSquares, zerosLike, type ParamInfo, type ParamSet } from "./params.ts"
import type { ReadoutConfig } from "./readout.ts"
import { freezeCount } from "./shards.ts"
import type { Tf } from "./tfTypes.ts"

/** Explicit initial parameters per seed (cross-check); layout as in params.ts. */
export type InitOverride = ReadonlyArray<Readonly<Record<string, ArrayLike<number>>>>

export interface TrajectoryBuffers {
  steps: Array<number>
  trainAcc: Array<number>
  testAcc: Array<number>
  trainLoss: Array<number>
  testLoss: Array<number>
  norm: Array<number>
  matrixNorms: Record<string, Array<number>>
  logitScale: Array<number>
  scRate: Array<number>
}

export interface SeedState {
  /** The seed number (init, split and the result's `seed`): firstSeed + index. */
  readonly seed: number
  /** Position in this cell (its device batch, train mask and hold target). */
  readonly index: number
  params: ParamSet
  moments: AdamMoments
  active: boolean
  stepsTrained: number
  tMem: number | null
  tGrok: number | null
  normAtGrok: number | null
  extra: Record<string, { step: number | null; norm: number | null }>
  traj: TrajectoryBuffers
}

/** Serializable state of a run (what checkpoints and forks copy). */
export interface RunState {
  step: number
  seeds: Array<SeedState>
}

const emptyTrajectory = (layout: ReadonlyArray<ParamInfo>): TrajectoryBuffers => ({
  steps: [],
  trainAcc: [],
  testAcc: [],
  trainLoss: [],
  testLoss: [],
  norm: [],
  matrixNorms: Object.fromEntries(layout.filter((i) => i.matrix).map((i) => [i.name, []])),
  logitScale: [],
  scRate: []
})

/** Diverged values (NaN/±∞) are stored as ±1e30 so results stay schema-valid JSON. */
const finite = (x: number): number => (Number.isFinite(x) ? x : x < 0 ? -1e30 : 1e30)

export const cloneRunState = (s: RunState): RunState => ({ step: s.step, seeds: s.seeds.map(cloneSeedState) })

export const cloneSeedState = (s: SeedState): SeedState => ({
  seed: s.seed,
  index: s.index,
  params: cloneParams(s.params),
  moments: { m: cloneParams(s.moments.m), v: cloneParams(s.moments.v) },
  active: s.active,
  stepsTrained: s.stepsTrained,
  tMem: s.tMem,
  tGrok: s.tGrok,
  normAtGrok: s.normAtGrok,
  extra: Object.fromEntries(Object.entries(s.extra).map(([k, v]) => [k, { ...v }])),
  traj: JSON.parse(JSON.stringify(s.traj)) as TrajectoryBuffers
})

export const freshRunState = (spec: CellSpec, initOverride?: InitOverride): RunState => {
  const layout = layoutOf(spec)
  const seeds = Array.from({ length: spec.seeds }, (_, index): SeedState => {
    const seed = (spec.firstSeed ?? 0) + index
    let params: ParamSet
    const given = initOverride?.[index]
    if (given !== undefined) {
      params = {}
      for (const info of layout) {
        const src = given[info.name]
        if (src === undefined || src.length !== sizeOf(info.shape))
          throw new Error(`initOverride[${index}].${info.name}: expected ${sizeOf(info.shape)} values`)
        params[info.name] = Float32Array.from(src)
      }
    } else params = initParams(spec, seed)
    return {
      seed,
      index,
      params,
      moments: { m: zerosLike(layout), v: zerosLike(layout) },
      active: true,
      stepsTrained: 0,
      tMem: null,
      tGrok: null,
      normAtGrok: null,
      extra: Object.fromEntries(spec.thresholds.extra.map((t) => [String(t), { step: null, norm: null }])),
      traj: emptyTrajectory(layout)
    }
  })
  return { step: 0, seeds }
}

/** How many of a cell's seeds have crossed the grok threshold so far (progress lines). */
export interface SeedTally {
  readonly grokked: number
  readonly seeds: number
}

/** Steps done of the step budget, with the seeds grokked; an upper bound on the work left. */
export type ProgressHook = (done: number, total: number, tally?: SeedTally) => void

export interface RunHooks {
  readonly progress?: ProgressHook
  /** Called after each completed step; used for periodic checkpoints. */
  readonly afterStep?: (state: RunState) => void
  /** Extra stop condition checked after each evaluation (fork point). */
  readonly stopAfterEval?: (state: RunState) => boolean
  /** Ignore spec.stopWhenAllGrokked (no freezing, no early stop): the fork's base phase. */
  readonly noEarlyStop?: boolean
  /** Offset and total for progress reports spanning several runs (forks). */
  readonly progressSpan?: { readonly offset: number; readonly total: number }
}

/** A cell's model, data and device batches; owns device memory until disposed. */
export class CellProgram {
  readonly layout: ReadonlyArray<ParamInfo>
  readonly data: Dataset
  readonly evalSet: ReadonlySet<number>
  private readonly kernel: ModelKernel<SeedBatch>
  private readonly batches: Array<SeedBatch>
  private readonly isTrain: Array<Uint8Array>
  private readonly grads: ParamSet
  private readonly adamFast: AdamKernel | null

  /** `makeKernel` is the spec's model's (models/loadModel.ts). */
  constructor(
    private readonly tf: Tf,
    readonly spec: CellSpec,
    makeKernel: ModelKernelFactory
  ) {
    this.layout = layoutOf(spec)
    this.data = buildDataset(spec.task.p, spec.task.op)
    this.evalSet = new Set(evalSteps(spec.evaluation, spec.budget))
    const readout: ReadoutConfig = { loss: spec.loss, tau: spec.tau, audit: spec.numerics === "stable-audit" }
    this.kernel = makeKernel(tf, spec, this.data, readout)
    this.batches = []
    this.isTrain = []
    for (let index = 0; index < spec.seeds; index++) {
      const split = seedSplit(spec, (spec.firstSeed ?? 0) + index, this.data)
      this.batches.push(this.kernel.makeTrainBatch(split.train))
      const mask = new Uint8Array(this.data.size)
      for (const r of split.train) mask[r] = 1
      this.isTrain.push(mask)
    }
    this.grads = zerosLike(this.layout)
    this.adamFast = adamKernel(this.layout)
  }

  dispose(): void {
    for (const b of this.batches) b.dispose()
    this.kernel.dispose()
  }

  /** Evaluates one seed at `step` and records crossings. */
  evaluate(s: SeedState, step: number): void {
    const { spec, layout } = this
    const z = this.kernel.logitsAll(s.params)
    const e = evaluateLogits(z, this.data.size, this.kernel.outDim, this.data.y, this.isTrain[s.index], spec.loss, spec.tau)
    let ss = 0
    const t = s.traj
    for (const info of layout) {
      if (!info.matrix) continue
      const sq = sumSquares(s.params[info.name])
      ss += sq
      t.matrixNorms[info.name].push(finite(Math.sqrt(sq)))
    }
    const norm = Math.sqrt(ss)
    t.steps.push(step)
    t.trainAcc.push(e.trainAcc)
    t.testAcc.push(e.testAcc)
    t.trainLoss.push(finite(e.trainLoss))
    t.testLoss.push(finite(e.testLoss))
    t.norm.push(finite(norm))
    t.logitScale.push(finite(e.logitScale))
    t.scRate.push(e.scRate)
    if (s.tMem === null && e.trainAcc >= spec.thresholds.mem) s.tMem = step
    if (s.tGrok === null && e.testAcc >= spec.thresholds.grok) {
      s.tGrok = step
      s.normAtGrok = finite(norm)
    }
    for (const thr of spec.thresholds.extra) {
      const x = s.extra[String(thr)]
      if (x.step === null && e.testAcc >= thr) {
        x.step = step
        x.norm = finite(norm)
      }
    }
  }

  private finished(s: SeedState): boolean {
    return s.tGrok !== null && Object.values(s.extra).every((x) => x.step !== null)
  }

  /** One optimizer step (and hold) for every active seed. */
  private step(state: RunState, hold: NormHold): void {
    const t = state.step + 1
    for (const s of state.seeds) {
      if (!s.active) continue
      this.kernel.lossGrad(s.params, this.batches[s.index], this.grads)
      adamwStep(this.layout, s.params, this.grads, s.moments, t, this.spec.optimizer, this.adamFast)
      if (holdActive(hold, t)) applyHold(this.layout, s.params, hold, s.index)
      s.stepsTrained = t
    }
    state.step = t
  }

  /** Applies the hold immediately (fork arms engage their clamp at the fork state). */
  engage(state: RunState, hold: NormHold): void {
    for (const s of state.seeds) if (s.active) applyHold(this.layout, s.params, hold, s.index)
  }

  /**
   * Advances until the cell stops (budget, all seeds finished) or hooks.stopAfterEval.
   * Returns true if stopped by stopAfterEval.
   */
  run(state: RunState, hold: NormHold, hooks: RunHooks = {}): boolean {
    const { spec } = this
    if (state.step === 0 && state.seeds.every((s) => s.traj.steps.length === 0))
      for (const s of state.seeds) this.evaluate(s, 0)
    const freezeAfter = freezeCount(spec)
    // A shard keeps its finished seeds training up to the step its whole cell would
    // freeze them at (shards.ts), so its trajectories match the unsharded cell's.
    const minSteps = spec.minSteps ?? 0
    const progressEvery = Math.max(1, Math.floor(spec.budget / 200))
    const earlyStop = spec.stopWhenAllGrokked && hooks.noEarlyStop !== true
    const report = (t: number): void => {
      const progress = hooks.progress
      if (progress === undefined) return
      const tally: SeedTally = { grokked: state.seeds.filter((s) => s.tGrok !== null).length, seeds: state.seeds.length }
      const span = hooks.progressSpan
      if (span === undefined) progress(t, spec.budget, tally)
      else progress(span.offset + t, span.total, tally)
    }
    while (state.step < spec.budget) {
      if (earlyStop && state.step >= minSteps && state.seeds.every((s) => this.finished(s))) break
      this.step(state, hold)
      const t = state.step
      if (this.evalSet.has(t)) {
        for (const s of state.seeds) if (s.active) this.evaluate(s, t)
        if (earlyStop) {
          const done = state.seeds.filter((s) => this.finished(s)).length
          if (done >= freezeAfter && t >= minSteps) for (const s of state.seeds) if (this.finished(s)) s.active = false
        }
        if (hooks.stopAfterEval?.(state)) return true
      }
      hooks.afterStep?.(state)
      if (t % progressEvery === 0) report(t)
    }
    report(state.step)
    return false
  }
}

export const seedResults = (state: RunState): Array<SeedResult> =>
  state.seeds.map((s) => ({
    seed: s.seed,
    tMem: s.tMem,
    tGrok: s.tGrok,
    normAtGrok: s.normAtGrok,
    extraCrossings: Object.fromEntries(Object.entries(s.extra).map(([k, v]) => [k, { step: v.step, norm: v.norm }])),
    stepsTrained: s.stepsTrained,
    trajectory: {
      steps: [...s.traj.steps],
      trainAcc: [...s.traj.trainAcc],
      testAcc: [...s.traj.testAcc],
      trainLoss: [...s.traj.trainLoss],
      testLoss: [...s.traj.testLoss],
      norm: [...s.traj.norm],
      matrixNorms: Object.fromEntries(Object.entries(s.traj.matrixNorms).map(([k, v]) => [k, [...v]])),
      logitScale: [...s.traj.logitScale],
      scRate: [...s.traj.scRate]
    }
  }))

export { holdOf }
