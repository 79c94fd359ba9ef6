/** A plain-text import scan for layering tests: sees what esbuild's graph drops (type-only imports). */
import * as fs from "node:fs"
import * as path from "node:path"

export const ROOT = path.resolve(import.meta.dirname, "../..")

/** Every static, type-only and dynamic import specifier of a module, resolved to a project path. */
export const importsOf = (rel: string): ReadonlyArray<string> => {
  const text = fs.readFileSync(path.join(ROOT, rel), "utf8")
  const out: Array<string> = []
  for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)["']([^"']+)["']/g)) {
    const spec = m[1]!
    if (spec.startsWith(".")) out.push(path.relative(ROOT, path.resolve(path.dirname(path.join(ROOT, rel)), spec)).split(path.sep).join("/"))
  }
  return out
}
