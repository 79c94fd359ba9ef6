/**
 * Paper B's forking arms (docs/protocol.md §5): free training of the base cell to the first
 * evaluation at or after forkAtLeast at which every seed has memorized; the whole
 * state (parameters and Adam moments) is copied there, and each arm continues from
 * an identical copy. A clamp arm engages at the fork state itself (the "same" arm is
 * then an exact no-op rescale) and holds ‖W‖ = factor·N0 per seed after every step,
 * as the papers' samestate runner does. Each arm's trajectories include the shared
 * pre-fork part, so tGrok counts from step 0.
 */
import type { CellResult, ForkResult, ForkSpec } from "./CellSpec.ts"
import { CellProgram, cloneRunState, freshRunState, seedResults, type RunState } from "./cellRun.ts"
import { Checkpointer, initFingerprint } from "./checkpoint.ts"
import type { NormHold } from "./interventions.ts"
import { loadModelKernel } from "./models/loadModel.ts"
import { layoutOf, weightNorm } from "./params.ts"
import type { Tf } from "./tfTypes.ts"
import type { TrainCellOptions } from "./trainCell.ts"

interface ForkPoint {
  readonly forkStep: number
  readonly normAtFork: Array<number>
}

export async function trainFork(tf: Tf, spec: ForkSpec, options: TrainCellOptions = {}): Promise<ForkResult> {
  const base = spec.base
  const program = new CellProgram(tf, base, await loadModelKernel(base.model.kind))
  const every = options.checkpointEverySeconds ?? 180
  const dir = options.checkpointDir
  const init = initFingerprint(options.initOverride)
  const ckpt = (tag: string, identity: object): Checkpointer | undefined =>
    dir !== undefined ? new Checkpointer(dir, base, tag, every, { ...identity, init }) : undefined
  const A = spec.arms.length
  try {
    // Phase 1: free training to the fork point (or its checkpoint, if complete).
    const baseCk = ckpt("fork-base", { base, forkAtLeast: spec.forkAtLeast })
    const forkReady = (s: RunState): boolean => s.step >= spec.forkAtLeast && s.seeds.every((x) => x.tMem !== null)
    const loaded = baseCk?.load()
    const saved = baseCk?.loadResult<ForkPoint>("point")
    let forkState: RunState
    let point: ForkPoint
    if (saved !== undefined && loaded !== undefined && loaded.step === saved.forkStep) {
      forkState = loaded
      point = saved
    } else {
      forkState = loaded ?? freshRunState(base, options.initOverride)
      const reached =
        (forkState.step > 0 && forkReady(forkState)) ||
        program.run(forkState, { kind: "none" }, {
          noEarlyStop: true,
          stopAfterEval: forkReady,
          ...(options.progress !== undefined ? { progress: options.progress } : {}),
          progressSpan: { offset: 0, total: base.budget * (1 + A) },
          ...(baseCk !== undefined ? { afterStep: (s: RunState) => baseCk.maybeSave(s) } : {})
        })
      if (!reached) {
        baseCk?.clear()
        return { forkStep: null, normAtFork: [], arms: {}, backend: tf.getBackend() }
      }
      const layout = layoutOf(base)
      point = { forkStep: forkState.step, normAtFork: forkState.seeds.map((s) => weightNorm(layout, s.params)) }
      baseCk?.save(forkState)
      baseCk?.saveResult("point", point)
    }

    // Phase 2: every arm from an identical copy of the fork state.
    const arms: Record<string, CellResult> = {}
    const armSpan = base.budget - point.forkStep
    const total = point.forkStep + A * armSpan
    spec.arms.forEach((arm, i) => {
      const armCk = ckpt(`fork-arm${i}`, { base, forkAtLeast: spec.forkAtLeast, arm, forkStep: point.forkStep })
      const done = armCk?.loadResult<CellResult>("result")
      if (done !== undefined) {
        arms[arm.name] = done
        return
      }
      const hold: NormHold =
        arm.kind === "free"
          ? { kind: "none" }
          : { kind: "total", tInt: point.forkStep, once: false, targets: point.normAtFork.map((n) => arm.factor * n) }
      let state = armCk?.load()
      if (state === undefined) {
        state = cloneRunState(forkState)
        program.engage(state, hold)
      }
      program.run(state, hold, {
        ...(options.progress !== undefined ? { progress: options.progress } : {}),
        progressSpan: { offset: i * armSpan, total },
        ...(armCk !== undefined ? { afterStep: (s: RunState) => armCk.maybeSave(s) } : {})
      })
      const result: CellResult = { seeds: seedResults(state), backend: tf.getBackend() }
      armCk?.saveResult("result", result)
      arms[arm.name] = result
    })
    baseCk?.clear()
    spec.arms.forEach((arm, i) => ckpt(`fork-arm${i}`, { base, forkAtLeast: spec.forkAtLeast, arm, forkStep: point.forkStep })?.clear())
    return { forkStep: point.forkStep, normAtFork: point.normAtFork, arms, backend: tf.getBackend() }
  } finally {
    program.dispose()
  }
}
