/**
 * An unknown subcommand is a user mistake (exit 2), including when `--help` is
 * also given: effect's cli module answers `grokflow nosuch --help` with the root
 * help and exit 0, which hides a typo behind a success. This walks the command
 * tree along argv before the cli module parses it.
 */

import { didYouMean } from "../engine/Suggest.ts"

/** The part of effect/cli's Command this check reads (name, alias, subcommands). */
export interface CommandNode {
  readonly name: string
  readonly alias?: string | undefined
  readonly subcommands: ReadonlyArray<{ readonly commands: ReadonlyArray<CommandNode> }>
}

/** Global flags that take a value (`--log-level debug`): their value is not a subcommand. */
const VALUE_FLAGS = new Set(["--log-level", "--completions"])
/** Global flags that take none: what follows them is a subcommand again. */
const BOOLEAN_FLAGS = new Set(["--help", "-h", "--version", "-v", "--wizard"])

const childrenOf = (command: CommandNode): ReadonlyArray<CommandNode> => command.subcommands.flatMap((g) => g.commands)

/**
 * The message for the first token that names no subcommand where one is expected,
 * or undefined. A token right after a `--flag` (without `=`) that names no
 * subcommand is taken as that flag's value, so `cache --cache-dir d ls` passes.
 */
export const unknownSubcommand = (root: CommandNode, argv: ReadonlyArray<string>): string | undefined => {
  let command = root
  let path = root.name
  let afterFlag = false
  for (const token of argv) {
    const children = childrenOf(command)
    if (children.length === 0) return undefined
    if (token === "--") return undefined
    if (token.startsWith("-")) {
      afterFlag = VALUE_FLAGS.has(token) || (token.startsWith("--") && !token.includes("=") && !BOOLEAN_FLAGS.has(token))
      continue
    }
    const child = children.find((c) => c.name === token || c.alias === token)
    if (child === undefined) {
      if (afterFlag) {
        afterFlag = false
        continue
      }
      return `unknown subcommand "${token}" for "${path}"${didYouMean(token, children.map((c) => c.name))} (known: ${children.map((c) => c.name).join(", ")})`
    }
    command = child
    path = `${path} ${child.name}`
    afterFlag = false
  }
  return undefined
}
