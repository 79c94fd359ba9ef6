/**
 * The import graph's layering rules, read from the sources (static and dynamic
 * imports, `import type` included: a type import still couples the modules):
 * - src/figures uses the engine only through its public API (src/engine/index.ts);
 * - src/ does not import stages/ — stages are built on src/, not the reverse. What
 *   maps stage outputs to figures lives beside the stages (stages/_figures/).
 */
import fg from "fast-glob"
import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { importsOf, ROOT } from "../engine/imports.ts"

const sources = (pattern: string): Array<string> => fg.sync(pattern, { cwd: ROOT }).sort()

describe("import graph", () => {
  it("finds imports (the checks below are not vacuous)", () => {
    expect(importsOf("src/figures/render.ts")).toContain("src/engine/index.ts")
    expect(importsOf("src/cli/commands/report.ts")).toContain("src/figures/index.ts")
  })

  it("src/figures imports nothing of the engine but its public API", () => {
    const internal = sources("src/figures/**/*.ts").flatMap((file) =>
      importsOf(file).filter((target) => target.startsWith("src/engine/") && target !== "src/engine/index.ts").map((t) => `${file} -> ${t}`)
    )
    expect(internal).toEqual([])
  })

  it("src/ imports nothing from stages/, type imports included", () => {
    const upward = sources("src/**/*.ts").flatMap((file) =>
      importsOf(file).filter((target) => target.startsWith("stages/")).map((t) => `${file} -> ${t}`)
    )
    expect(upward).toEqual([])
    // The scan does see type imports of stage modules (so the check above can fail).
    expect(importsOf("stages/_figures/paperB.ts")).toContain("stages/forking-arms.ts")
  })

  it("no `as unknown as` in src/executor or src/train/worker: a payload crossing a process is decoded with its Schema", () => {
    const files = sources("src/{executor,train/worker}/**/*.ts")
    expect(files).toContain("src/executor/local.ts")
    const casts = files.flatMap((file) =>
      fs.readFileSync(path.join(ROOT, file), "utf8").split("\n").flatMap((line, i) => (/\bas unknown as\b/.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : []))
    )
    expect(casts).toEqual([])
  })

  it("stages never import the renderer (vega, resvg): every command would load it at start-up", () => {
    // The figures barrel re-exports render.ts; stages use Figure.ts and the kinds.
    const renderer = ["src/figures/index.ts", "src/figures/render.ts", "src/figures/draw.ts", "src/figures/textMetrics.ts"]
    // Type imports are erased, so only value imports count here.
    const valueImports = (file: string) =>
      [...fs.readFileSync(path.join(ROOT, file), "utf8").matchAll(/^import (?!type )[^;]*?from "([^"]+)"/gm)].map((m) =>
        path.relative(ROOT, path.resolve(path.dirname(path.join(ROOT, file)), m[1]!)).split(path.sep).join("/")
      )
    const offending = sources("stages/**/*.ts").flatMap((file) => valueImports(file).filter((t) => renderer.includes(t)).map((t) => `${file} -> ${t}`))
    expect(offending).toEqual([])
    expect(valueImports("stages/plots.ts")).toContain("src/figures/Figure.ts")
  })
})
