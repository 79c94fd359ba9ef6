/**
 * Incremental rendering: a figure is drawn only when its key (spec + data + renderer
 * versions) changed. Acceptance 1 of issue 6: changing one stage's output re-renders
 * only the figures fed by it — counted here by the render counter.
 */
import { mkdtemp, readFile, rm, stat, unlink } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { MANIFEST_FILE, renderCount, renderFigures, resetRenderCount } from "../../src/figures/render.ts"
import { type FigureInput, syntheticFigures } from "./fixtures.ts"

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "grokflow-figures-"))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** The dense-sweep figure with one cell's median nudged, as a re-run stage would. */
const withChangedSweep = (figures: ReadonlyArray<FigureInput>): Array<FigureInput> =>
  figures.map((f) =>
    f.kind === "denseSweep" ? { ...f, cells: f.cells.map((c, i) => (i === 2 ? { ...c, medianTGrok: (c.medianTGrok ?? 0) + 100 } : c)) } : f
  )

describe("renderFigures", () => {
  it("draws every figure on first use, writing SVG, PNG and spec JSON", async () => {
    resetRenderCount()
    const figures = syntheticFigures()
    const result = await renderFigures(figures, dir)
    expect(renderCount()).toBe(figures.length)
    expect(result.rendered).toHaveLength(figures.length)
    expect(result.reused).toEqual([])
    for (const f of result.figures) {
      expect((await stat(f.svgPath)).size).toBeGreaterThan(0)
      expect((await stat(f.pngPath)).size).toBeGreaterThan(0)
      const spec = JSON.parse(await readFile(f.specPath, "utf8")) as { $schema?: string }
      expect(spec.$schema).toContain("vega-lite")
    }
  })

  it("reuses everything when nothing changed", async () => {
    resetRenderCount()
    const result = await renderFigures(syntheticFigures(), dir)
    expect(renderCount()).toBe(0)
    expect(result.rendered).toEqual([])
    expect(result.reused).toHaveLength(syntheticFigures().length)
  })

  it("re-renders only the figure whose data changed", async () => {
    resetRenderCount()
    const result = await renderFigures(withChangedSweep(syntheticFigures()), dir)
    expect(renderCount()).toBe(1)
    expect(result.rendered).toEqual(["denseSweep"])
    // …and going back re-renders it once more (the key tracks content, not history).
    resetRenderCount()
    await renderFigures(syntheticFigures(), dir)
    expect(renderCount()).toBe(1)
  })

  it("re-renders every figure when the renderer's code changes, and only then", async () => {
    const code = { "src/figures/draw.ts": "a" }
    await renderFigures(syntheticFigures(), dir, undefined, code)
    resetRenderCount()
    await renderFigures(syntheticFigures(), dir, undefined, code)
    expect(renderCount()).toBe(0)
    await renderFigures(syntheticFigures(), dir, undefined, { "src/figures/draw.ts": "b" })
    expect(renderCount()).toBe(syntheticFigures().length)
    // Back to the key the other tests use.
    await renderFigures(syntheticFigures(), dir)
  })

  it("does not re-render for a caption change, but records the new caption", async () => {
    resetRenderCount()
    const figures = syntheticFigures().map((f) => (f.kind === "wcScaling" ? { ...f, caption: "a new caption" } : f))
    const result = await renderFigures(figures, dir)
    expect(renderCount()).toBe(0)
    expect(result.figures.find((f) => f.id === "wcScaling")?.caption).toBe("a new caption")
    const manifest = JSON.parse(await readFile(join(dir, MANIFEST_FILE), "utf8")) as { figures: Record<string, { caption: string }> }
    expect(manifest.figures["wcScaling"]?.caption).toBe("a new caption")
  })

  it("re-renders a figure whose file went missing, even with a matching key", async () => {
    await unlink(join(dir, "forkingArms.png"))
    resetRenderCount()
    const result = await renderFigures(syntheticFigures(), dir)
    expect(result.rendered).toEqual(["forkingArms"])
    expect(renderCount()).toBe(1)
  })

  it("re-renders everything when the manifest is corrupt, without failing", async () => {
    const { writeFile } = await import("node:fs/promises")
    await writeFile(join(dir, MANIFEST_FILE), "{ not json")
    resetRenderCount()
    const figures = syntheticFigures().slice(0, 2)
    const result = await renderFigures(figures, dir)
    expect(result.rendered).toHaveLength(2)
  })

  it("keeps figures of one kind apart by id, and rejects duplicate or unsafe ids", async () => {
    const mediation = syntheticFigures().find((f) => f.kind === "mediation")
    if (mediation?.kind !== "mediation") throw new Error("fixture missing")
    const both = [
      { ...mediation, id: "mediation-p59" },
      { ...mediation, id: "mediation-p97", p: 97 }
    ]
    const result = await renderFigures(both, dir)
    expect(result.figures.map((f) => f.id)).toEqual(["mediation-p59", "mediation-p97"])
    await expect(renderFigures([mediation, mediation], dir)).rejects.toThrow(/duplicate figure id/)
    await expect(renderFigures([{ ...mediation, id: "../escape" }], dir)).rejects.toThrow(/safe file name/)
  })
})
