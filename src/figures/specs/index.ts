/**
 * The spec registry: figure input → Vega-Lite spec, by `kind`. The switch is
 * exhaustive over `FigureInput`, so adding a figure kind to data.ts without a builder
 * is a type error here rather than a missing figure at run time.
 */
import type { TopLevelSpec } from "vega-lite"
import type { FigureInput } from "../data.ts"
import { layerNormSpec, oneShotVsSustainedSpec } from "./controls.ts"
import { wcInvarianceSpec, wcScalingSpec } from "./criticalNorm.ts"
import { clampMatrixSpec, denseSweepSpec, multiPCollapseSpec } from "./delayLaw.ts"
import { forkingArmsSpec } from "./forking.ts"
import { collapseGridSpec, mediationSpec } from "./mediation.ts"
import { memorizationSpec, mseVsCeSpec, softmaxAuditSpec } from "./temperature.ts"
import { trajectoriesSpec } from "./trajectories.ts"

export { DEFAULT_TITLES, figureTitle } from "./titles.ts"

export const buildSpec = (figure: FigureInput): TopLevelSpec => {
  switch (figure.kind) {
    case "trajectories":
      return trajectoriesSpec(figure)
    case "wcInvariance":
      return wcInvarianceSpec(figure)
    case "wcScaling":
      return wcScalingSpec(figure)
    case "clampMatrix":
      return clampMatrixSpec(figure)
    case "denseSweep":
      return denseSweepSpec(figure)
    case "multiPCollapse":
      return multiPCollapseSpec(figure)
    case "oneShotVsSustained":
      return oneShotVsSustainedSpec(figure)
    case "layerNorm":
      return layerNormSpec(figure)
    case "mediation":
      return mediationSpec(figure)
    case "collapseGrid":
      return collapseGridSpec(figure)
    case "mseVsCe":
      return mseVsCeSpec(figure)
    case "memorization":
      return memorizationSpec(figure)
    case "softmaxAudit":
      return softmaxAuditSpec(figure)
    case "forkingArms":
      return forkingArmsSpec(figure)
  }
}

export {
  clampMatrixSpec,
  collapseGridSpec,
  denseSweepSpec,
  forkingArmsSpec,
  layerNormSpec,
  mediationSpec,
  memorizationSpec,
  mseVsCeSpec,
  multiPCollapseSpec,
  oneShotVsSustainedSpec,
  softmaxAuditSpec,
  trajectoriesSpec,
  wcInvarianceSpec,
  wcScalingSpec
}
