/**
 * The project root: the folder holding pipeline/, stages/, cache/ and reports/.
 * Like git, a command finds it by walking up from the current folder, so
 * `grokflow status` works from test/ or stages/ as from the root; `--project DIR`
 * names it outright. Every project path resolves against it, and paths are
 * printed relative to it (or absolute when outside it), never as `../../tmp/…`.
 *
 * It is process-wide on purpose, like the current folder it stands in for: one
 * command invocation has one project, set once by the CLI before anything reads a
 * path. Paths the user typed (`--cache-dir ../c`, `--profile ./my.yaml`) still
 * resolve against the folder they were typed in.
 */
import * as fs from "node:fs"
import * as path from "node:path"

/** A project root has a pipeline/ folder beside a package.json or a .git. */
export const isProjectRoot = (dir: string): boolean =>
  isDirectory(path.join(dir, "pipeline")) && (fs.existsSync(path.join(dir, "package.json")) || fs.existsSync(path.join(dir, ".git")))

const isDirectory = (p: string): boolean => {
  try {
    return fs.statSync(p).isDirectory()
  } catch {
    return false
  }
}

/** The nearest folder at or above `from` that is a project root, or undefined. */
export const findProjectRoot = (from: string): string | undefined => {
  let dir = path.resolve(from)
  for (;;) {
    if (isProjectRoot(dir)) return dir
    const parent = path.dirname(dir)
    if (parent === dir) return undefined
    dir = parent
  }
}

let root: string | undefined

/** Sets the root for this invocation (undefined: back to the current folder). */
export const useProjectRoot = (dir: string | undefined): void => {
  root = dir === undefined ? undefined : path.resolve(dir)
}

/** The project root; the current folder when none was set (library use, tests). */
export const projectRoot = (): string => root ?? process.cwd()

/** `pipeline/quick.yaml` inside the project; the absolute path outside it. */
export const displayPath = (file: string): string => {
  const abs = path.resolve(file)
  const rel = path.relative(projectRoot(), abs)
  return rel === "" ? "." : rel.startsWith("..") || path.isAbsolute(rel) ? abs : rel.split(path.sep).join("/")
}
