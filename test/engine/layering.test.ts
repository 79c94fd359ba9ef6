/**
 * The engine is the bottom layer: it never reaches into the training core (the
 * trainer and its limits arrive as the Executor service and an env resolver), and
 * each of its modules stays one concept (under 300 lines).
 */
import fg from "fast-glob"
import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { importsOf, ROOT } from "./imports.ts"

describe("engine layering", () => {
  const engine = fg.sync("src/engine/**/*.ts", { cwd: ROOT })

  it("src/engine imports nothing from src/train (nor src/executor), type imports included", () => {
    expect(engine.length).toBeGreaterThan(10)
    const offending = engine.flatMap((f) => importsOf(f).filter((i) => /^src\/(train|executor)\//.test(i)).map((i) => `${f} -> ${i}`))
    expect(offending).toEqual([])
  })

  it("the import scan sees type-only and dynamic imports (so the check above can fail)", () => {
    const local = importsOf("src/executor/local.ts")
    expect(local).toContain("src/train/worker/protocol.ts") // `import type`
    expect(local).toContain("src/train/backend/resolve.ts") // `import(...)`
  })

  it("no module in src/engine is over 300 lines", () => {
    const long = engine
      .map((f) => [f, fs.readFileSync(path.join(ROOT, f), "utf8").split("\n").length] as const)
      .filter(([, n]) => n > 300)
    expect(long).toEqual([])
  })
})
