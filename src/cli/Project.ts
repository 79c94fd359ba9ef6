/**
 * `--project DIR` on every command, and the project root a command works in:
 * DIR when given, else the nearest folder above the current one that holds a
 * pipeline/ beside a package.json or .git (as git finds its repository), else the
 * current folder. Set before the command line is parsed, because the profile,
 * the stages, the store and the code digests all resolve against it.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { Flag, GlobalFlag } from "effect/cli"
import { findProjectRoot, useProjectRoot } from "../engine/index.ts"

/** Declared so that the parser accepts it and `--help` lists it; `enterProject` reads it. */
export const projectFlag = GlobalFlag.Setting("project")({
  flag: Flag.String("project").pipe(
    Flag.withDescription("project root (pipeline/, stages/, cache/, reports/); default: found by walking up from the current folder"),
    Flag.optional
  )
})

/** The value of `--project` in argv (last one wins), up to a bare `--`. */
export const projectArg = (argv: ReadonlyArray<string>): string | undefined => {
  let value: string | undefined
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!
    if (token === "--") break
    if (token === "--project" && i + 1 < argv.length) value = argv[++i]
    else if (token.startsWith("--project=")) value = token.slice("--project=".length)
  }
  return value
}

/** Sets this invocation's project root; a message when `--project` names no folder. */
export const enterProject = (argv: ReadonlyArray<string>, cwd: string = process.cwd()): string | undefined => {
  const given = projectArg(argv)
  if (given === undefined) {
    useProjectRoot(findProjectRoot(cwd) ?? cwd)
    return undefined
  }
  const dir = path.resolve(cwd, given)
  let isDir = false
  try {
    isDir = fs.statSync(dir).isDirectory()
  } catch {
    isDir = false
  }
  if (!isDir) return `--project ${given}: no such folder`
  useProjectRoot(dir)
  return undefined
}
