/**
 * Default figure titles, one per kind. Shared by the spec builders (the title drawn
 * in the figure) and the report (the heading above it), so the two never disagree.
 */
import type { FigureInput, FigureKind } from "../data.ts"

export const DEFAULT_TITLES: Readonly<Record<FigureKind, string>> = {
  trajectories: "Free training: ‖W‖ and accuracy vs step",
  wcInvariance: "Critical norm Wc vs train fraction and learning rate",
  wcScaling: "Critical norm Wc vs modulus p",
  clampMatrix: "Clamp matrix: median T_grok vs ρ per learning rate",
  denseSweep: "Dense ρ sweep: the exponential delay law",
  multiPCollapse: "Across moduli: one shared α",
  oneShotVsSustained: "One-shot rescale vs sustained clamp",
  layerNorm: "LayerNorm control: with vs without normalization",
  mediation: "Logit-scale mediation: delay vs L across τ",
  collapseGrid: "Collapse grid: delay is a function of L",
  mseVsCe: "MSE vs cross-entropy under temperature",
  memorization: "Memorization control: T_mem vs T_grok across τ",
  softmaxAudit: "Softmax-collapse audit: float32 vs higher precision",
  forkingArms: "Forking arms: delay after the fork per seed"
}

/** The title a figure is shown with: the input's override, else the default, with
 *  the modulus appended for the per-p figures of paper B (drawn once per p). */
export const figureTitle = (figure: FigureInput): string => {
  if (figure.title !== undefined) return figure.title
  const text = DEFAULT_TITLES[figure.kind]
  return "p" in figure ? `${text} (p = ${figure.p})` : text
}
