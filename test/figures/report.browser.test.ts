/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The report in a real browser: Debian's headless Chromium, driven by playwright-core,
 * opens the synthetic report from a file:// URL. It must raise no console error, make
 * no request beyond the file itself, show every figure at a non-zero size and every
 * verify row. A full-page screenshot goes to test/.tmp/report.png (git-ignored) for
 * a person to look at.
 *
 * Without /usr/bin/chromium (or $CHROMIUM_PATH) the test is skipped locally and FAILS
 * in CI (CI=true):
 * .ci/run installs chromium (src/figures/ci-deps.sh), so a missing browser there is
 * a broken setup, not a reason to pass silently.
 */
import { existsSync } from "node:fs"
import { mkdir, mkdtemp, rm } from "node:fs/promises"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { chromium } from "playwright-core"
import { afterAll, describe, expect, it } from "vitest"
import { figureId } from "../../src/figures/Figure.ts"
import { syntheticFigures, syntheticVerifyRows } from "./fixtures.ts"
import { TMP_DIR, writeQuickReport, writeSyntheticReport } from "./reportFixture.ts"

/** Seconds from formatDuration's "wall time 4.2 s" / "7 min 21 s" / "1 h 02 min"; null when none. */
const parseDuration = (text: string): number | null => {
  const m = /(?:(\d+) h )?(?:(\d+) min)?\s*(?:(\d+(?:\.\d+)?) s)?$/.exec(text.trim())
  if (m === null || (m[1] ?? m[2] ?? m[3]) === undefined) return null
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0)
}

/** Debian's chromium; CHROMIUM_PATH overrides it (e.g. to check the CI failure path). */
const CHROMIUM = process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium"
const haveChromium = existsSync(CHROMIUM)

/** Headless, offline, with a fresh profile directory. */
const launch = (userDataDir: string, viewport?: { readonly width: number; readonly height: number }) =>
  chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    ...(viewport === undefined ? {} : { viewport })
  })
const inCi = process.env["CI"] === "true" || process.env["CI"] === "1"

describe("report in headless Chromium", () => {
  // One quick run on the synthetic trainer feeds both quick-report checks.
  let quick: ReturnType<typeof writeQuickReport> | undefined
  let quickDir = ""
  const quickReport = async () => {
    if (quick === undefined) {
      await mkdir(TMP_DIR, { recursive: true })
      quickDir = await mkdtemp(join(TMP_DIR, "quick-"))
      quick = writeQuickReport(quickDir)
    }
    return quick
  }
  afterAll(async () => {
    if (quickDir !== "") await rm(quickDir, { recursive: true, force: true })
  })

  it.skipIf(!haveChromium && !inCi)("loads offline with every figure and verify row, and no console errors", async () => {
    if (!haveChromium) {
      throw new Error(`${CHROMIUM} is missing: CI must install it (src/figures/ci-deps.sh, called by .ci/run: apt-get install -y chromium)`)
    }
    await mkdir(TMP_DIR, { recursive: true })
    const dir = await mkdtemp(join(TMP_DIR, "browser-"))
    const userDataDir = await mkdtemp(join(TMP_DIR, "chromium-profile-"))
    const { path } = await writeSyntheticReport(dir)
    const url = pathToFileURL(path).href

    // A fresh persistent profile per run: nothing cached or synced from elsewhere.
    const context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync"
      ],
      viewport: { width: 1100, height: 900 }
    })
    try {
      const page = await context.newPage()
      const consoleErrors: Array<string> = []
      const foreignRequests: Array<string> = []
      page.on("console", (msg) => {
        if (msg.type() === "error") consoleErrors.push(msg.text())
      })
      page.on("pageerror", (err) => consoleErrors.push(err.message))
      page.on("request", (req) => {
        if (req.url() !== url && !req.url().startsWith("data:")) foreignRequests.push(req.url())
      })

      await page.goto(url, { waitUntil: "load" })

      const figures = syntheticFigures()
      expect(await page.locator("figure.figure").count()).toBe(figures.length)
      for (const figure of figures) {
        const id = figureId(figure)
        const svg = page.locator(`figure[data-figure="${id}"] svg`)
        expect(await svg.count(), `figure ${id} has one svg`).toBe(1)
        const box = await svg.boundingBox()
        expect(box, `figure ${id} is laid out`).not.toBeNull()
        expect(box!.width, `figure ${id} width`).toBeGreaterThan(300)
        expect(box!.height, `figure ${id} height`).toBeGreaterThan(200)
        // The caption is visible under it.
        expect(await page.locator(`figure[data-figure="${id}"] figcaption`).innerText()).toContain(figure.caption.slice(0, 20))
      }

      const all = syntheticVerifyRows()
      const rows = all.filter((r) => r.testedBy === undefined)
      expect(await page.locator("table.verify tbody tr").count()).toBe(rows.length)
      // Claims only other profiles test: listed in the folded line, not in the table.
      for (const row of all.filter((r) => r.testedBy !== undefined)) expect(await page.locator(`details.elsewhere li[data-claim="${row.id}"]`).count()).toBe(1)
      for (const row of rows) {
        const tr = page.locator(`table.verify tr[data-claim="${row.id}"]`)
        expect(await tr.count(), `row ${row.id}`).toBe(1)
        expect(await tr.locator("td.status").innerText()).toBe(row.status)
      }

      await page.screenshot({ path: join(TMP_DIR, "report.png"), fullPage: true })

      expect(consoleErrors).toEqual([])
      expect(foreignRequests).toEqual([])
    } finally {
      await context.close()
      await rm(userDataDir, { recursive: true, force: true })
      await rm(dir, { recursive: true, force: true })
    }
  })

  it.skipIf(!haveChromium && !inCi)("a quick-profile report is readable at 1280 and 800 px: no horizontal scrolling, verify table fully visible, axis labels ≥ 10 px, points titled for hover", async () => {
    if (!haveChromium) throw new Error(`${CHROMIUM} is missing: CI must install it (src/figures/ci-deps.sh)`)
    await mkdir(TMP_DIR, { recursive: true })
    const userDataDir = await mkdtemp(join(TMP_DIR, "chromium-profile-"))
    const { path, rows } = await quickReport()
    const context = await launch(userDataDir)
    try {
      const page = await context.newPage()
      for (const width of [1280, 800]) {
        await page.setViewportSize({ width, height: 900 })
        await page.goto(pathToFileURL(path).href, { waitUntil: "load" })
        await page.screenshot({ path: join(TMP_DIR, `report-quick-${width}.png`), fullPage: true })
        await page.locator("#verify").screenshot({ path: join(TMP_DIR, `report-quick-${width}-verify.png`) })
        // The widest figure (two panels side by side) is the one that shrinks most.
        const widest = await page.evaluate(() =>
          [...document.querySelectorAll("figure.figure")].sort((a, b) => Number(b.querySelector("svg")?.getAttribute("width")) - Number(a.querySelector("svg")?.getAttribute("width")))[0]?.getAttribute("data-figure") ?? ""
        )
        await page.locator(`figure[data-figure="${widest}"]`).screenshot({ path: join(TMP_DIR, `report-quick-${width}-widest-figure.png`) })
        const layout = await page.evaluate(() => {
          const doc = document.documentElement
          const table = document.querySelector("table.verify")
          const box = table?.getBoundingClientRect()
          const scrollers = [...document.querySelectorAll(".table-wrap")].filter((w) => w.scrollWidth > w.clientWidth + 1).map((w) => w.className)
          // A cell whose text is cut (overflow hidden or wider than its box).
          const clipped = [...document.querySelectorAll("table.verify td")].filter((td) => td.scrollWidth > td.clientWidth + 1).map((td) => td.textContent ?? "")
          // Axis labels as drawn: font size × the factor the SVG is scaled by.
          const labelPx = [...document.querySelectorAll("figure.figure svg")].map((svg) => {
            const drawn = svg.getBoundingClientRect().width
            const natural = Number(svg.getAttribute("width"))
            const scale = natural > 0 ? drawn / natural : 1
            const sizes = [...svg.querySelectorAll(".role-axis-label text")].map((t) => Number.parseFloat(t.getAttribute("font-size") ?? "0")).filter((x) => x > 0)
            return { id: svg.closest("figure")?.getAttribute("data-figure") ?? "", px: Math.min(...sizes) * scale }
          })
          return {
            scrollWidth: doc.scrollWidth,
            clientWidth: doc.clientWidth,
            tableRight: box?.right ?? Number.POSITIVE_INFINITY,
            tableLeft: box?.left ?? Number.NEGATIVE_INFINITY,
            rows: document.querySelectorAll("table.verify tbody tr").length,
            // Hover: a point's <title> (its values, from vega's aria-label) is the browser's tooltip.
            pointTitles: [...document.querySelectorAll('figure.figure svg [aria-roledescription="point"] > title')].filter((t) => /\d/.test(t.textContent ?? "")).length,
            scrollers,
            clipped,
            labelPx
          }
        })
        expect(layout.scrollWidth, `page scrolls sideways at ${width} px`).toBeLessThanOrEqual(layout.clientWidth)
        expect(layout.scrollers, `a table scrolls sideways at ${width} px`).toEqual([])
        expect(layout.tableLeft).toBeGreaterThanOrEqual(0)
        expect(layout.tableRight, `verify table within the window at ${width} px`).toBeLessThanOrEqual(layout.clientWidth)
        expect(layout.clipped, `verify cells cut at ${width} px`).toEqual([])
        expect(layout.rows).toBe(rows)
        expect(layout.pointTitles, "data points carry hover titles").toBeGreaterThan(20)
        for (const f of layout.labelPx) expect(f.px, `${f.id} axis labels at ${width} px`).toBeGreaterThanOrEqual(10)
      }
    } finally {
      await context.close()
      await rm(userDataDir, { recursive: true, force: true })
    }
  }, 120_000)

  it.skipIf(!haveChromium && !inCi)("the header's wall time is the run's (within 10%), and the first screen at 1280 px shows the profile's own results, not NOT RUN rows", async () => {
    if (!haveChromium) throw new Error(`${CHROMIUM} is missing: CI must install it (src/figures/ci-deps.sh)`)
    await mkdir(TMP_DIR, { recursive: true })
    const userDataDir = await mkdtemp(join(TMP_DIR, "chromium-profile-"))
    const { path, runSeconds } = await quickReport()
    const context = await launch(userDataDir, { width: 1280, height: 800 })
    try {
      const page = await context.newPage()
      await page.goto(pathToFileURL(path).href, { waitUntil: "load" })
      await page.screenshot({ path: join(TMP_DIR, "report-quick-1280-first-screen.png") })
      const wall = parseDuration(await page.locator("header .wall").innerText())
      expect(wall, "the header states a wall time").not.toBeNull()
      expect(Math.abs((wall ?? 0) - runSeconds) / runSeconds, `header ${wall} s vs measured ${runSeconds.toFixed(2)} s`).toBeLessThanOrEqual(0.1)
      const screen = await page.evaluate(() => {
        const height = window.innerHeight
        const visible = (e: Element) => {
          const box = e.getBoundingClientRect()
          return box.height > 0 && box.top < height && box.bottom > 0
        }
        return {
          statuses: [...document.querySelectorAll("table.verify tbody tr")].filter(visible).map((tr) => tr.querySelector("td.status")?.textContent ?? ""),
          notRunText: [...document.querySelectorAll("main *")].filter((e) => e.children.length === 0 && /NOT RUN/.test(e.textContent ?? "") && visible(e)).length,
          folded: document.querySelector("details.elsewhere")?.hasAttribute("open") === false
        }
      })
      expect(screen.statuses.length, "own verify rows on the first screen").toBeGreaterThan(0)
      for (const status of screen.statuses) expect(["PASS", "FAIL"]).toContain(status)
      expect(screen.notRunText, "NOT RUN anywhere on the first screen").toBe(0)
      expect(screen.folded, "claims of other profiles folded").toBe(true)
    } finally {
      await context.close()
      await rm(userDataDir, { recursive: true, force: true })
    }
  }, 120_000)
})
