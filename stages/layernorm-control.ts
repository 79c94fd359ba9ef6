/**
 * Paper A (docs/protocol.md §6.6): the same total-norm clamp sweep on a model with
 * LayerNorm and on its un-normalized twin. The un-normalized attention model is the
 * paper's no-LN control (α₂); clamping the *total* norm of the pre-LN model (or of
 * the MLP with a final LN) is grokflow's own extension — the paper's LayerNorm
 * experiments are observational plus group clamps (layernorm-observational).
 * Each variant measures its own Wc under free training (same seeds), then holds
 * ρ·Wc; the MLP with a final LayerNorm is the cheap twin quick and smoke run.
 */
import { Effect, Schema } from "effect"
import { defineStage } from "../src/engine/Stage.ts"
import { trainKind } from "../src/cells/cellKinds.ts"
import { estimateOfUnits } from "../src/planning/estimate.ts"
import { CellSummary } from "../src/outputs/cellSummary.ts"
import { PositiveInt, PositiveList, PositiveNumber, trainingFields, withDefault } from "../src/cells/configFields.ts"
import { budgetFor, RhoBudget } from "../src/cells/budgets.ts"
import { freeCell, freeUnit, heldCell, heldUnit } from "../src/cells/heldCell.ts"
import { StageFailure } from "../src/engine/StageFailure.ts"
import type { Model } from "../src/train/CellSpec.ts"

const Variant = Schema.Struct({
  name: Schema.String,
  model: Schema.Literals(["mlp", "attention"]),
  layerNorm: Schema.Boolean,
  lr: PositiveNumber,
  tInt: PositiveInt,
  budget: Schema.optional(PositiveInt),
  /** This variant's ρ grid (the paper's no-LN transformer adds ρ = 1.20); absent: `rhos`. */
  rhos: Schema.optional(PositiveList),
  /** Per-ρ budgets of the held cells (the paper's no-LN transformer: 30k … 180k). */
  budgetByRho: Schema.optional(Schema.Array(RhoBudget))
})
type Variant = typeof Variant.Type

const Config = Schema.Struct({
  ...trainingFields,
  p: withDefault(PositiveInt, 59),
  rhos: withDefault(PositiveList, [0.85, 1, 1.15]),
  variants: withDefault(Schema.Array(Variant).check(Schema.isMinLength(1)), [
    { name: "mlp", model: "mlp", layerNorm: false, lr: 1e-3, tInt: 500 },
    { name: "mlp+LN", model: "mlp", layerNorm: true, lr: 1e-3, tInt: 500 }
  ]),
  attentionD: withDefault(PositiveInt, 128),
  attentionHeads: withDefault(PositiveInt, 4),
  attentionMlpWidth: withDefault(PositiveInt, 512)
})
type Config = typeof Config.Type

export const VariantResult = Schema.Struct({
  name: Schema.String,
  model: Schema.Literals(["mlp", "attention"]),
  layerNorm: Schema.Boolean,
  lr: Schema.Finite,
  tInt: Schema.Int,
  wc: Schema.Finite,
  free: CellSummary,
  cells: Schema.Array(CellSummary)
})

const modelOf = (config: Config, variant: Variant): Model =>
  variant.model === "mlp"
    ? { kind: "mlp", d: config.d, hidden: config.hidden, layerNorm: variant.layerNorm }
    : {
      kind: "attention",
      d: config.attentionD,
      heads: config.attentionHeads,
      mlpWidth: config.attentionMlpWidth,
      preLayerNorm: variant.layerNorm
    }

export default defineStage({
  name: "layernorm-control",
  version: 1,
  description: "Clamp sweep with and without LayerNorm: does normalization break the delay law?",
  config: Config,
  needs: {},
  output: Schema.Struct({ p: Schema.Int, variants: Schema.Array(VariantResult) }),
  cells: [trainKind],
  estimate: (config) =>
    estimateOfUnits(config.variants.flatMap((variant) => {
      const base = { p: config.p, lr: variant.lr, model: modelOf(config, variant), budget: variant.budget, tag: variant.name }
      const free = freeUnit(config, base)
      const budgets = { budget: variant.budget ?? config.budget, budgetByRho: variant.budgetByRho ?? [], budgetScalesWithP: false }
      return [
        free,
        ...(variant.rhos ?? config.rhos).map((rho) => heldUnit(config, { ...base, rho, tInt: variant.tInt, budget: budgetFor(budgets, config.p, rho) }, [free.label]))
      ]
    })),
  run: (config, _inputs, ctx) =>
    Effect.forEach(
      config.variants,
      (variant) =>
        Effect.gen(function*() {
          const model = modelOf(config, variant)
          const base = { p: config.p, lr: variant.lr, model, budget: variant.budget, tag: variant.name }
          const { summary: free } = yield* freeCell(ctx, config, base)
          if (free.medianNormAtGrok === null) {
            return yield* new StageFailure({
              stage: ctx.node,
              message: `${variant.name}: no free-training seed grokked within ${variant.budget ?? config.budget} steps, so Wc is undefined; raise the budget`
            })
          }
          const wc = free.medianNormAtGrok
          const cells = yield* Effect.forEach(
            variant.rhos ?? config.rhos,
            (rho) =>
              Effect.map(
                heldCell(ctx, config, {
                  ...base,
                  rho,
                  wc,
                  tInt: variant.tInt,
                  budget: budgetFor(
                    { budget: variant.budget ?? config.budget, budgetByRho: variant.budgetByRho ?? [], budgetScalesWithP: false },
                    config.p,
                    rho
                  )
                }),
                (c) => c.summary
              ),
            { concurrency: "unbounded" }
          )
          return { ...variant, tInt: variant.tInt, wc, free, cells }
        }),
      { concurrency: "unbounded" }
    ).pipe(Effect.map((variants) => ({ p: config.p, variants })))
})
