import { Schema } from "effect"

/** A claim file does not parse or does not fit the claim schema: exit 2, no stack trace. */
export class ClaimFileError extends Schema.TaggedError<ClaimFileError>()("ClaimFileError", {
  file: Schema.String,
  path: Schema.String,
  message: Schema.String
}) {
  get exitCode(): number {
    return 2
  }
  get rendered(): string {
    return `${this.path === "" ? this.file : `${this.file}: ${this.path}`}: ${this.message}`
  }
}
