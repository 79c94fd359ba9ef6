/**
 * The services a stage's `run` may require. None today: a stage reaches training
 * only through `ctx.cell`, which hands work to the Executor, so the engine names
 * no other folder's concern. Kept as the one place to widen if a stage ever needs
 * a service of its own.
 */
export type StageServices = never
