import { Schema } from "effect"

/** A stage's run failed; a value, reported per stage, never a crash of the engine. */
export class StageFailure extends Schema.TaggedError<StageFailure>()("StageFailure", {
  stage: Schema.String,
  message: Schema.String,
  cause: Schema.optional(Schema.Defect())
}) {}
