/**
 * The import graph's layering rules, read from the sources (static and dynamic
 * imports, `import type` included: a type import still couples the modules):
 * - src/figures uses the engine only through its public API (src/engine/index.ts);
 * - src/ does not import stages/ — stages are built on src/, not the reverse. The
 *   type imports that remain are listed here, so the list can only shrink.
 */
import fg from "fast-glob"
import { describe, expect, it } from "vitest"
import { importsOf, ROOT } from "../engine/imports.ts"

const sources = (pattern: string): Array<string> => fg.sync(pattern, { cwd: ROOT }).sort()

/** src/ → stages/ imports left, each a type import of a stage's output (stage output
 *  schemas still live in their stage modules). Remove entries as they are fixed. */
const KNOWN_SRC_TO_STAGES = [
  "src/experiments/figures/paperB.ts -> stages/forking-arms.ts",
  "src/experiments/figures/paperB.ts -> stages/mediation-fits.ts",
  "src/experiments/figures/paperB.ts -> stages/mse-contrast.ts",
  "src/experiments/figures/paperB.ts -> stages/softmax-collapse-audit.ts",
  "src/experiments/figures/paperB.ts -> stages/temperature-grid.ts"
]

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

  it("src/ imports nothing from stages/ beyond the known, shrinking list", () => {
    const upward = sources("src/**/*.ts").flatMap((file) =>
      importsOf(file).filter((target) => target.startsWith("stages/")).map((t) => `${file} -> ${t}`)
    )
    const unexpected = upward.filter((edge) => !KNOWN_SRC_TO_STAGES.includes(edge))
    expect(unexpected).toEqual([])
    // A fixed edge must leave the list too, or it would quietly allow a new one.
    expect(KNOWN_SRC_TO_STAGES.filter((edge) => !upward.includes(edge))).toEqual([])
  })
})
