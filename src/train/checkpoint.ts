/** Placeholder: checkpoints land after the core. */
import type { CellSpec } from "./CellSpec.ts"
import type { RunState } from "./cellRun.ts"

export class Checkpointer {
  constructor(
    readonly dir: string,
    readonly spec: CellSpec,
    readonly tag: string,
    readonly everySeconds: number
  ) {}
  load(): RunState | undefined {
    return undefined
  }
  maybeSave(_state: RunState): void {}
  clear(): void {}
}
