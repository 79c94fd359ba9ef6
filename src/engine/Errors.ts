/**
 * The engine's user-facing errors. Each renders to one message naming what was
 * wrong and where; the CLI prints that message (no stack trace) and exits with
 * `exitCode`. Failures of a stage's own `run` are not here: they are values
 * (StageFailure) reported per stage.
 */
import { Schema } from "effect"

/** A profile (or a `--set` override) does not fit the stages: exit 2. */
export class ProfileError extends Schema.TaggedError<ProfileError>()("ProfileError", {
  /** The profile file as the user named it, or `--set a.b` for an override. */
  file: Schema.String,
  /** Field path inside the file, e.g. `stages.clamp-sweep.config.rhos[2]`. */
  path: Schema.String,
  message: Schema.String,
  line: Schema.optional(Schema.Number),
  column: Schema.optional(Schema.Number)
}) {
  get exitCode(): number {
    return 2
  }
  get rendered(): string {
    const where = this.path === "" ? this.file : `${this.file}: ${this.path}`
    const at = this.line === undefined ? "" : ` (line ${this.line}${this.column === undefined ? "" : `, column ${this.column}`})`
    return `${where}: ${this.message}${at}`
  }
}

/** A stage module under stages/ is malformed (no stage export, duplicate name): exit 2. */
export class DiscoveryError extends Schema.TaggedError<DiscoveryError>()("DiscoveryError", {
  file: Schema.String,
  message: Schema.String
}) {
  get exitCode(): number {
    return 2
  }
  get rendered(): string {
    return `${this.file}: ${this.message}`
  }
}

/** A command-line mistake the parser cannot see (unknown `--only` node, ...): exit 2. */
export class UsageError extends Schema.TaggedError<UsageError>()("UsageError", {
  message: Schema.String
}) {
  get exitCode(): number {
    return 2
  }
  get rendered(): string {
    return this.message
  }
}

/** The store could not be read or written (disk full, permissions): exit 1. */
export class StoreError extends Schema.TaggedError<StoreError>()("StoreError", {
  path: Schema.String,
  message: Schema.String,
  cause: Schema.optional(Schema.Defect())
}) {
  get exitCode(): number {
    return 1
  }
  get rendered(): string {
    return `cache: ${this.path}: ${this.message}`
  }
}

/** A node's stored output was asked for but is not in the store (or is corrupt). */
export class NotInStore extends Schema.TaggedError<NotInStore>()("NotInStore", {
  node: Schema.String,
  message: Schema.String
}) {
  get exitCode(): number {
    return 1
  }
  get rendered(): string {
    return `${this.node}: ${this.message}`
  }
}

export type EngineError = ProfileError | DiscoveryError | UsageError | StoreError | NotInStore
