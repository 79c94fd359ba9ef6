/**
 * The import graph's layering rules, read from the sources (static and dynamic
 * imports, `import type` included: a type import still couples the modules):
 * - src/figures uses the engine only through its public API (src/engine/index.ts);
 * - src/ does not import stages/ — stages are built on src/, not the reverse. What
 *   maps a stage's output to figure data is the stage's own `figures` feeds;
 * - src/figures has no import circle: kinds sit above the shared spec helpers,
 *   which sit above the data types, as in vega-lite's src/compile;
 * - the report (src/report/) is assembled above the figures and verify, never
 *   imported by them.
 */
import fg from "fast-glob"
import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { PLANNING_MARK } from "../../src/engine/Key.ts"
import { importsOf, ROOT } from "../engine/imports.ts"

const sources = (pattern: string): Array<string> => fg.sync(pattern, { cwd: ROOT }).sort()

/** The import circles among `files` (each as a path a → … → a), one per strongly connected component (Tarjan). */
const circles = (files: ReadonlyArray<string>): Array<string> => {
  const inSet = new Set(files)
  const edges = new Map(files.map((f) => [f, importsOf(f).filter((t) => inSet.has(t))]))
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: Array<string> = []
  const onStack = new Set<string>()
  const found: Array<string> = []
  const visit = (v: string): void => {
    index.set(v, index.size)
    low.set(v, index.get(v)!)
    stack.push(v)
    onStack.add(v)
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v)!, low.get(w)!))
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!))
    }
    if (low.get(v) !== index.get(v)) return
    const component: Array<string> = []
    for (let w = stack.pop()!; ; w = stack.pop()!) {
      onStack.delete(w)
      component.push(w)
      if (w === v) break
    }
    if (component.length > 1 || (edges.get(v) ?? []).includes(v)) found.push([...component.reverse(), component[0]].join(" → "))
  }
  for (const f of files) if (!index.has(f)) visit(f)
  return found
}

describe("import graph", () => {
  it("finds imports (the checks below are not vacuous)", () => {
    expect(importsOf("src/figures/render.ts")).toContain("src/engine/index.ts")
    expect(importsOf("src/cli/commands/report.ts")).toContain("src/figures/index.ts")
    expect(importsOf("src/report/figures.ts")).toContain("src/figures/Figure.ts")
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
    expect(importsOf("stages/mediation-fits.ts")).toContain("stages/temperature-grid.ts")
  })

  it("the planner (@grokflow-planning, outside stage keys) is reached from stages only through their `estimate`", () => {
    // What imports src/planning besides itself and the CLI: stage modules, estimate.ts only.
    const importers = sources("{src,stages}/**/*.ts")
      .filter((file) => !file.startsWith("src/planning/") && !file.startsWith("src/cli/"))
      .flatMap((file) => importsOf(file).filter((t) => t.startsWith("src/planning/")).map((t) => `${file} -> ${t}`))
    expect(importers.filter((i) => !/^stages\/[^/]+\.ts -> src\/planning\/estimate\.ts$/.test(i))).toEqual([])
    expect(importers.length).toBeGreaterThan(5)
    // In each, every call sits inside the stage's `estimate:` property (up to the next property of the stage).
    const outside = importers.flatMap((i) => {
      const file = i.split(" -> ")[0]!
      const lines = fs.readFileSync(path.join(ROOT, file), "utf8").split("\n")
      const start = lines.findIndex((l) => /^  estimate: /.test(l))
      const end = lines.findIndex((l, k) => k > start && /^  [a-zA-Z]+[:(]/.test(l))
      return lines.flatMap((l, k) => (/estimateOfUnits\(/.test(l) && (start < 0 || k < start || (end >= 0 && k >= end)) ? [`${file}:${k + 1}`] : []))
    })
    expect(outside).toEqual([])
    expect(fs.readFileSync(path.join(ROOT, "src/planning/estimate.ts"), "utf8")).toContain(PLANNING_MARK)
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
    expect(valueImports("stages/measure-wc.ts")).toContain("src/figures/Figure.ts")
  })

  it("src/figures and src/verify never import the report that is assembled from them", () => {
    const upward = sources("src/{figures,verify}/**/*.ts").flatMap((file) =>
      importsOf(file).filter((target) => target.startsWith("src/report/")).map((t) => `${file} -> ${t}`)
    )
    expect(upward).toEqual([])
  })

  it("src/figures and src/report have no import circle (type imports included)", () => {
    expect(circles(sources("src/figures/**/*.ts"))).toEqual([])
    expect(circles(sources("src/report/**/*.ts"))).toEqual([])
    // The finder does find one (so the check above can fail).
    expect(circles(sources("test/architecture/fixtures/circle/*.ts"))).toHaveLength(1)
  })
})
