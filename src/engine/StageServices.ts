/**
 * The services a stage's `run` may use. The CLI provides them as Layers; engine
 * tests provide stand-ins. This is the only place the engine names a concern of
 * another folder, and only as a type.
 */
import type { Trainer } from "../train/Trainer.ts"

export type StageServices = Trainer
