/**
 * Paper B (docs/protocol.md §6, B5): at high ρ, float32 softmax saturates (correct-class probability
 * exactly 1), gradients vanish and the delay is partly numerical. Each ρ trains in
 * plain float32 and in the audit arm that removes collapse; the delay law is fit
 * only on cells that are SC-free.
 */
import { Effect, Schema } from "effect"
import { mean, withinCellBootstrap } from "../src/analysis/index.ts"
import { defineStage } from "../src/engine/Stage.ts"
import { mlpTrain } from "../src/cells/cellKinds.ts"
import { BootstrapEstimate, estimateOf } from "../src/outputs/bootstrapEstimate.ts"
import { CellSummary } from "../src/outputs/cellSummary.ts"
import { PositiveInt, PositiveList, PositiveNumber, trainingFields, withDefault } from "../src/cells/configFields.ts"
import { estimateOfUnits } from "../src/planning/estimate.ts"
import { heldCell, heldUnit } from "../src/cells/heldCell.ts"
import { wcFor } from "../src/outputs/wcOutput.ts"
import measureWc from "./measure-wc.ts"
import { feed } from "../src/figures/Figure.ts"
import softmaxAudit from "../src/figures/kinds/softmaxAudit.ts"
import { fmt } from "./_figures/common.ts"

const Config = Schema.Struct({
  ...trainingFields,
  p: withDefault(PositiveInt, 59),
  lr: withDefault(PositiveNumber, 1e-3),
  rhos: withDefault(PositiveList, [1.15, 1.25]),
  tInt: withDefault(PositiveInt, 500),
  /** A cell counts as SC-free when its largest SC rate over the run is at most this. */
  scTolerance: withDefault(Schema.Finite, 0),
  /** Paper B's audit trains every seed until the last one groks: each seed's largest SC
   * rate is taken over the whole run, so no seed may freeze early (the default here). */
  stopRule: withDefault(Schema.Literals(["majority-freeze", "all-seeds"]), "all-seeds")
})

const AuditRow = Schema.Struct({
  rho: Schema.Finite,
  float32: CellSummary,
  audit: CellSummary,
  scFree: Schema.Boolean,
  /** Paper B's SC rate of the float32 cell (mean over seeds of each seed's largest rate)
   * with a seed-bootstrap interval. */
  scRate: BootstrapEstimate
})

const scRateInterval = (cell: CellSummary, seed: number) =>
  estimateOf(withinCellBootstrap([cell.scRateMaxBySeed], (xs) => (xs[0].length === 0 ? null : mean(xs[0])), { seed, resamples: 2000 }))

const Output = Schema.Struct({
  p: Schema.Int,
  rows: Schema.Array(AuditRow),
  scFreeRhos: Schema.Array(Schema.Finite)
})
type Audit = typeof Output.Type

// The figures this stage feeds (drawn by `grokflow report` from the stored output).
/** (m) T_grok and the softmax-collapse rate per ρ, float32 against the audit arm. */
const softmaxAuditFigure = (audit: Audit) => ({
  p: audit.p,
  budget: Math.max(...audit.rows.flatMap((r) => [r.float32.budget, r.audit.budget])),
  caption: audit.rows.map((r) =>
    `ρ=${r.rho}: float32 T_grok ${r.float32.medianTGrok ?? "censored"} (SC ${fmt(r.float32.scRateMax, 2)}), audit ${
      r.audit.medianTGrok ?? "censored"
    } (SC ${fmt(r.audit.scRateMax, 2)})`
  ).join("; "),
  cells: audit.rows.flatMap((r) => [
    { rho: r.rho, arm: "float32", scRate: r.float32.scRateMax, medianTGrok: r.float32.medianTGrok, grokked: r.float32.grokked, total: r.float32.total },
    { rho: r.rho, arm: "audit (stable)", scRate: r.audit.scRateMax, medianTGrok: r.audit.medianTGrok, grokked: r.audit.grokked, total: r.audit.total }
  ])
})

export default defineStage({
  name: "softmax-collapse-audit",
  version: 2,
  description: "High-ρ cells in float32 and in the collapse-free audit arm",
  config: Config,
  needs: { wc: measureWc },
  output: Output,
  figures: [feed(softmaxAudit, softmaxAuditFigure)],
  cells: [mlpTrain],
  estimate: (config) =>
    estimateOfUnits(
      config.rhos.flatMap((rho) =>
        (["float32", "stable-audit"] as const).map((numerics) => heldUnit(config, { p: config.p, lr: config.lr, rho, tInt: config.tInt, numerics }))
      )
    ),
  run: (config, inputs, ctx) =>
    Effect.gen(function*() {
      const wc = yield* wcFor(ctx.node, inputs.wc, config.p)
      const train = (rho: number, numerics: "float32" | "stable-audit") =>
        Effect.map(
          heldCell(ctx, config, { p: config.p, lr: config.lr, rho, wc, tInt: config.tInt, numerics }),
          (c) => c.summary
        )
      const rows = yield* Effect.forEach(
        config.rhos,
        (rho) =>
          Effect.map(Effect.all([train(rho, "float32"), train(rho, "stable-audit")], { concurrency: 2 }), ([float32, audit]) => ({
            rho,
            float32,
            audit,
            scFree: float32.scRateMax <= config.scTolerance,
            scRate: scRateInterval(float32, 20260618)
          })),
        { concurrency: "unbounded" }
      )
      return { p: config.p, rows, scFreeRhos: rows.filter((r) => r.scFree).map((r) => r.rho) }
    })
})
