/**
 * An extension the papers invite (docs/protocol.md §1): is Wc a property of the task's
 * operation? Free training for (a op b) mod p with op ∈ {add, sub, mul, div}; each
 * operation gets its own matched seeds (the op is part of the seed key).
 */
import { Effect, Schema } from "effect"
import { defineStage } from "../src/engine/Stage.ts"
import { mlpTrain } from "../src/cells/cellKinds.ts"
import { trainingFields, withDefault } from "../src/cells/configFields.ts"
import { estimateOfUnits } from "../src/planning/estimate.ts"
import { freeCell, freeUnit } from "../src/cells/heldCell.ts"
import { feed } from "../src/figures/Figure.ts"
import wcByOperation, { operationsFigure } from "../src/figures/kinds/wcByOperation.ts"
import { Operation } from "../src/train/CellSpec.ts"

export default defineStage({
  name: "wc-vs-op",
  version: 1,
  description: "Wc under free training for add, sub, mul and div",
  config: Schema.Struct({
    ...trainingFields,
    p: withDefault(Schema.Int, 59),
    lr: withDefault(Schema.Finite, 0.008),
    ops: withDefault(Schema.Array(Operation), ["add", "sub", "mul", "div"])
  }),
  needs: {},
  output: Schema.Array(
    Schema.Struct({ op: Operation, wc: Schema.NullOr(Schema.Finite), medianTGrok: Schema.NullOr(Schema.Finite), grokked: Schema.Int })
  ),
  cells: [mlpTrain],
  figures: [feed(wcByOperation, operationsFigure)],
  estimate: (config) => estimateOfUnits(config.ops.map((op) => freeUnit({ ...config, op }, { p: config.p, lr: config.lr, tag: op }))),
  run: (config, _inputs, ctx) =>
    Effect.forEach(
      config.ops,
      (op) =>
        Effect.map(freeCell(ctx, { ...config, op }, { p: config.p, lr: config.lr, tag: op }), ({ summary }) => ({
          op,
          wc: summary.medianNormAtGrok,
          medianTGrok: summary.medianTGrok,
          grokked: summary.grokked
        })),
      { concurrency: "unbounded" }
    )
})
