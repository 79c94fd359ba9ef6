/**
 * The HTML report: one self-contained file with every figure (inline SVG), every verify
 * row, the provenance and the weak spots — and no network reference of any kind.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { figureId } from "../../src/figures/Figure.ts"
import { buildReport, formatDuration, inlineSvg } from "../../src/report/html.ts"
import { syntheticFigures, syntheticProvenance, syntheticVerifyRows, syntheticWeakSpots } from "./fixtures.ts"
import { writeSyntheticReport } from "./reportFixture.ts"

let dir: string
let html: string
let onDisk: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "grokflow-report-"))
  const written = await writeSyntheticReport(dir)
  html = written.html
  onDisk = await readFile(written.path, "utf8")
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe("buildReport", () => {
  it("writes exactly the HTML it builds", () => {
    expect(onDisk).toBe(html)
    expect(html.startsWith("<!DOCTYPE html>")).toBe(true)
  })

  it("contains every figure as inline SVG with its caption", () => {
    for (const figure of syntheticFigures()) {
      const id = figureId(figure)
      const block = html.match(new RegExp(`<figure class="figure" id="fig-${id}"[\\s\\S]*?</figure>`))?.[0]
      expect(block, `figure ${id}`).toBeDefined()
      expect(block).toContain("<svg")
      expect(block).toContain(figure.caption.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;"))
    }
    expect(html.match(/<figure class="figure"/g)).toHaveLength(syntheticFigures().length)
  })

  it("contains every verify row of the profile with its status, and folds the others into one line", () => {
    for (const row of syntheticVerifyRows().filter((r) => r.testedBy === undefined)) {
      const tr = html.match(new RegExp(`<tr class="\\w+" data-claim="${row.id.replace(/\./g, "\\.")}">[\\s\\S]*?</tr>`))?.[0]
      expect(tr, `row ${row.id}`).toBeDefined()
      expect(tr).toContain(`>${row.status}</span>`)
      expect(tr).toContain(row.paperValue)
    }
    expect(html).toContain("2 PASS")
    expect(html).toContain("1 FAIL")
    expect(html).toContain("1 NOT RUN")
    // The claim only other profiles test: no row in the table, one folded line naming them.
    expect(html).not.toMatch(/<tr class="\w+" data-claim="B9\.attention">/)
    expect(html).toMatch(/<details class="elsewhere"><summary>1 claim needs other profiles than smoke: <code>faithful<\/code> tests 1, <code>paper<\/code> 1/)
    expect(html).toMatch(/<li data-claim="B9\.attention">/)
  })

  it("gives the run's wall time in the header and labels the summed stage times as compute time", () => {
    const p = syntheticProvenance()
    const header = html.match(/<header>[\s\S]*?<\/header>/)?.[0] ?? ""
    expect(header).toContain(`<span class="wall">wall time ${formatDuration(p.run?.wallSeconds ?? -1)}</span>`)
    expect(header).toContain("Run 2026-11-22 20:52:10 UTC → 2026-11-22 20:55:25 UTC: 1 stage computed, 1 reused, 12 training cells trained.")
    expect(header).toContain(`Compute time ${formatDuration(p.computeSeconds)} (the stages&#39; own times summed; they overlap, so this is not the time the run took)`)
    expect(header).toContain("4 claims tested here")
    const { run: _run, ...unrecorded } = p
    const without = buildReport({ title: "t", verifyRows: [], figures: [], provenance: unrecorded, weakSpots: [] })
    expect(without).toContain('<span class="wall">wall time not recorded</span>')
    expect(without).not.toMatch(/wall time \d/)
  })

  it("shows provenance and weak spots", () => {
    const p = syntheticProvenance()
    expect(html).toContain(p.profile)
    expect(html).toContain(p.backend)
    expect(html).toContain(formatDuration(p.computeSeconds))
    for (const e of p.entries) expect(html).toContain(e.path ?? e.key)
    for (const [name, version] of Object.entries(p.versions)) {
      expect(html).toContain(name)
      expect(html).toContain(version)
    }
    for (const spot of syntheticWeakSpots()) expect(html).toContain(spot.replace(/'/g, "&#39;").replace(/"/g, "&quot;"))
  })

  it("references nothing on the network and runs no script", () => {
    expect(html).not.toMatch(/https?:\/\//)
    expect(html).not.toMatch(/<script\b/i)
    expect(html).not.toMatch(/<link\b/i)
    expect(html).not.toMatch(/<(img|iframe|embed|object|source|video|audio)\b/i)
    expect(html).not.toMatch(/\ssrc=/i)
    expect(html).not.toMatch(/@import|url\((?!#)/i)
    expect(html).toContain(`content="default-src 'none'`)
  })

  it("keeps element ids unique across inlined figures", () => {
    const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1])
    expect(new Set(ids).size).toBe(ids.length)
    // every local reference points at an id that exists
    const refs = [...html.matchAll(/url\(#([^)]+)\)|href="#([^"]+)"/g)].map((m) => m[1] ?? m[2])
    for (const ref of refs) expect(ids).toContain(ref)
  })

  it("escapes text, so a caption cannot inject markup", () => {
    const out = buildReport({
      title: "<b>t</b>",
      verifyRows: [{ ...syntheticVerifyRows()[0]!, description: "<script>alert(1)</script>" }],
      figures: [{ id: "x", title: "x", caption: "a < b & \"c\"", svg: "<svg></svg>" }],
      provenance: syntheticProvenance(),
      weakSpots: []
    })
    expect(out).not.toContain("<script>")
    expect(out).toContain("a &lt; b &amp; &quot;c&quot;")
    expect(out).toContain("None reported.")
  })
})

describe("inlineSvg", () => {
  it("prefixes ids and their references, and drops namespace URLs", () => {
    const svg = `<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><defs><clipPath id="clip1"><rect/></clipPath></defs><g clip-path="url(#clip1)"><use xlink:href="#clip1"/></g></svg>`
    const out = inlineSvg(svg, "dense", "Dense")
    expect(out).not.toContain("http://")
    expect(out).toContain(`id="fig-dense-clip1"`)
    expect(out).toContain(`url(#fig-dense-clip1)`)
    expect(out).toContain(`xlink:href="#fig-dense-clip1"`)
    expect(out).toContain(`role="img" aria-label="Dense"`)
  })
})

describe("formatDuration", () => {
  it("reads like a person would write it", () => {
    expect(formatDuration(4.24)).toBe("4.2 s")
    expect(formatDuration(441.3)).toBe("7 min 21 s")
    expect(formatDuration(3725)).toBe("1 h 02 min")
  })
})
