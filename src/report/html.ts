/**
 * The HTML report: one self-contained, offline file.
 *
 * Everything is inline — the figures as SVG markup, the stylesheet — and there is no
 * script at all, so the file makes no network request and needs no runtime. A
 * Content-Security-Policy of `default-src 'none'` makes the browser refuse any
 * request that might slip in later (and report it as a console error, which the
 * browser test catches).
 *
 * Sections: the header (the run's wall time from its record; compute time only
 * labelled as such) → the profile's own claims, with the claims only other
 * profiles test folded into one line → figures (each with its one-line caption
 * and source) → provenance → weak spots → notes.
 */
import { readFile } from "node:fs/promises"
import { writeAtomic } from "../engine/index.ts"
import type { Provenance, ReportFigure, ReportInput, VerifyRow } from "./ReportInput.ts"
import type { RenderedFigure } from "../figures/render.ts"
import { REPORT_CSS } from "./style.ts"

const escapeHtml = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;")

/** Anchor-safe slug for a figure id. */
const anchor = (id: string): string => `fig-${id.replace(/[^A-Za-z0-9_-]/g, "-")}`

/**
 * Make one figure's SVG safe to inline next to the others:
 * - drop the XML prolog/doctype (invalid inside HTML);
 * - drop namespace declarations: the HTML parser assigns SVG's namespace itself, and
 *   a report with no "http://" string at all is trivially checkable for network
 *   references;
 * - prefix every id (and each `url(#…)`/`href="#…"` reference to it) with the
 *   figure's anchor: ids are document-global once inlined, and vega numbers its
 *   clip paths from 1 in every figure, so two figures would otherwise clip with each
 *   other's rectangles;
 * - label it for screen readers;
 * - give every data mark a `<title>` with the values vega already wrote into its
 *   `aria-label`: browsers show it on hover, so points show their values with no
 *   script (the page keeps its `default-src 'none'` policy and works offline).
 */
export const inlineSvg = (svg: string, id: string, title: string): string => {
  const prefix = `${anchor(id)}-`
  return svg
    .replace(/<\?xml[^>]*\?>\s*/g, "")
    .replace(/<!DOCTYPE[^>]*>\s*/gi, "")
    .replace(/\s+xmlns(:\w+)?="[^"]*"/g, "")
    .replace(/\sid="([^"]+)"/g, (_, v: string) => ` id="${prefix}${v}"`)
    .replace(/url\(#([^)]+)\)/g, (_, v: string) => `url(#${prefix}${v})`)
    .replace(/(\s(?:xlink:)?href)="#([^"]+)"/g, (_, attr: string, v: string) => `${attr}="#${prefix}${v}"`)
    .replace(/<svg\b/, `<svg role="img" aria-label="${escapeHtml(title)}"`)
    .replace(/<(\w+)(\s[^>]*?\brole="graphics-symbol"[^>]*?)\/>/g, (whole, tag: string, attrs: string) => {
      const label = /\saria-label="([^"]*)"/.exec(attrs)?.[1]
      return label === undefined ? whole : `<${tag}${attrs}><title>${label}</title></${tag}>`
    })
}

const STATUS_CLASS: Readonly<Record<VerifyRow["status"], string>> = { PASS: "pass", FAIL: "fail", "NOT RUN": "notrun" }

const verifySection = (all: ReadonlyArray<VerifyRow>, profile: string): string => {
  // The profile's own claims first; the ones only other profiles test fold into one line.
  const rows = all.filter((r) => r.testedBy === undefined)
  const count = (s: VerifyRow["status"]) => rows.filter((r) => r.status === s).length
  const summary = (["PASS", "FAIL", "NOT RUN"] as const)
    .filter((s) => s !== "NOT RUN" || count(s) > 0)
    .map((s) => `<span class="pill ${STATUS_CLASS[s]}">${count(s)} ${s}</span>`)
    .join("")
  // Six columns that wrap inside a fixed layout (style.ts): the paper (A/B)
  // is the claim id's first letter, and the CI sits under the measured value, so
  // the table fits the page at any width instead of scrolling sideways.
  const body = rows
    .map(
      (r) => `<tr class="${STATUS_CLASS[r.status]}" data-claim="${escapeHtml(r.id)}">
<td class="mono claim" data-label="Claim">${escapeHtml(r.id)}</td><td class="desc" data-label="Description">${escapeHtml(r.description)}</td>
<td class="num" data-label="Paper">${escapeHtml(r.paperValue)}</td>
<td class="num" data-label="Measured">${r.measured === null ? "—" : escapeHtml(r.measured)}${r.ci === null ? "" : `<span class="ci">${escapeHtml(r.ci)}</span>`}</td>
<td class="num" data-label="Tolerance">${escapeHtml(r.tolerance)}</td>
<td class="status" data-label="Status"><span class="pill ${STATUS_CLASS[r.status]}">${r.status}</span></td></tr>`
    )
    .join("\n")
  return `<section id="verify"><h2>Verification: paper vs measured (${escapeHtml(profile)})</h2>
<div class="summary">${summary}</div>
<div class="table-wrap"><table class="verify">
<colgroup><col class="c-claim"><col class="c-desc"><col class="c-paper"><col class="c-measured"><col class="c-tol"><col class="c-status"></colgroup>
<thead><tr><th>Claim</th><th>Description</th><th>Paper</th><th>Measured [95% CI]</th><th>Tolerance</th><th>Status</th></tr></thead>
<tbody>
${body || `<tr><td colspan="6">This profile tests no claim.</td></tr>`}
</tbody></table></div>
${elsewhereLine(all.filter((r) => r.testedBy !== undefined), profile)}</section>`
}

/** "34 claims need other profiles: paper tests 30, faithful 12." — folded, listed on demand. */
const elsewhereLine = (rows: ReadonlyArray<VerifyRow>, profile: string): string => {
  if (rows.length === 0) return ""
  const byProfile = new Map<string, number>()
  for (const r of rows) for (const p of r.testedBy ?? []) byProfile.set(p, (byProfile.get(p) ?? 0) + 1)
  const ranked = [...byProfile].sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
  const untested = rows.filter((r) => (r.testedBy ?? []).length === 0).length
  const who = [
    ...ranked.map(([p, n], i) => `<code>${escapeHtml(p)}</code> ${i === 0 ? `tests ${n}` : n}`),
    ...(untested > 0 ? [`no profile tests ${untested}`] : [])
  ].join(", ")
  const items = rows
    .map((r) => `<li data-claim="${escapeHtml(r.id)}"><code>${escapeHtml(r.id)}</code> ${escapeHtml(r.description)} <span class="by">— ${(r.testedBy ?? []).length === 0 ? "no profile" : (r.testedBy ?? []).map(escapeHtml).join(", ")}</span></li>`)
    .join("\n")
  const first = ranked[0]?.[0]
  return `<details class="elsewhere"><summary>${rows.length} claim${rows.length === 1 ? "" : "s"} need${rows.length === 1 ? "s" : ""} other profiles than ${escapeHtml(profile)}: ${who}${first === undefined ? "" : ` (<code>grokflow report --profile ${escapeHtml(first)}</code> after a run of it)`}.</summary>
<ul>${items}</ul></details>`
}

const sourceText = (source: ReportFigure["source"]): string => {
  if (source === undefined) return ""
  const list = typeof source === "string" ? [source] : source
  return list.length === 0 ? "" : `<span class="source">source: ${list.map((s) => `<code>${escapeHtml(s)}</code>`).join(", ")}</span>`
}

const figuresSection = (figures: ReadonlyArray<ReportFigure>): string => {
  const toc = figures.map((f) => `<li><a href="#${anchor(f.id)}">${escapeHtml(f.title)}</a></li>`).join("")
  const body = figures
    .map(
      (f) => `<figure class="figure" id="${anchor(f.id)}" data-figure="${escapeHtml(f.id)}">
<div class="plot">${inlineSvg(f.svg, f.id, f.title)}</div>
<figcaption><strong>${escapeHtml(f.title)}.</strong> ${escapeHtml(f.caption)}${sourceText(f.source)}</figcaption>
</figure>`
    )
    .join("\n")
  return `<section id="figures"><h2>Figures</h2>
${figures.length === 0 ? "<p>No figures were drawn in this run.</p>" : `<nav class="toc"><ol>${toc}</ol></nav>\n${body}`}
</section>`
}

/** "7 min 21 s" / "1 h 02 min" / "4.2 s". */
export const formatDuration = (seconds: number): string => {
  if (!Number.isFinite(seconds) || seconds < 0) return "—"
  if (seconds < 60) return `${seconds.toFixed(1)} s`
  const m = Math.floor(seconds / 60)
  if (m < 60) return `${m} min ${String(Math.round(seconds - m * 60)).padStart(2, "0")} s`
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, "0")} min`
}

/** "2026-12-02 14:00:05 UTC" */
const when = (iso: string): string => iso.replace("T", " ").replace(/\.\d+Z$|Z$/, " UTC")

/** "wall time 7 min 54 s": the run's start to end; "not recorded" without a run record. */
const wallText = (p: Provenance): string => (p.run === undefined ? "wall time not recorded" : `wall time ${formatDuration(p.run.wallSeconds)}`)

/** The header's second line: which run, what it did, and compute time labelled as such. */
const runLine = (p: Provenance): string => {
  const compute = `compute time ${formatDuration(p.computeSeconds)} (the stages' own times summed; they overlap, so this is not the time the run took)`
  const r = p.run
  if (r === undefined) return `No record of the run that computed these results (stores written before run records). ${compute}.`
  const later = r.laterRuns === 0 ? "" : `; ${r.laterRuns} later run${r.laterRuns === 1 ? "" : "s"} reused them`
  return `Run ${when(r.startedAt)} → ${when(r.endedAt)}: ${r.ran} stage${r.ran === 1 ? "" : "s"} computed, ${r.reused} reused, ${r.cellsTrained} training cell${r.cellsTrained === 1 ? "" : "s"} trained${later}. ${compute[0]?.toUpperCase()}${compute.slice(1)}.`
}

const provenanceSection = (p: Provenance): string => {
  const meta: Array<[string, string | undefined]> = [
    ["profile", p.profile],
    ["backend", p.backend],
    ["precision", p.precision],
    ["run", p.run === undefined ? "not recorded" : `${when(p.run.startedAt)} → ${when(p.run.endedAt)}`],
    ["wall time", p.run === undefined ? "not recorded" : formatDuration(p.run.wallSeconds)],
    ["compute time", `${formatDuration(p.computeSeconds)} (stage times summed)`],
    ["generated", p.generatedAt],
    ["host", p.host],
    ["git commit", p.gitCommit]
  ]
  const dl = meta
    .filter((m): m is [string, string] => m[1] !== undefined)
    .map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`)
    .join("")
  const versions = Object.entries(p.versions)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `<tr><td class="mono">${escapeHtml(k)}</td><td class="mono">${escapeHtml(v)}</td></tr>`)
    .join("")
  const entries = p.entries
    .map(
      (e) => `<tr><td>${escapeHtml(e.stage)}</td><td class="mono" title="${escapeHtml(e.key)}">${escapeHtml(e.key.slice(0, 16))}</td>
<td class="mono">${e.path === undefined ? "—" : escapeHtml(e.path)}</td><td>${e.cached === undefined ? "—" : e.cached ? "reused" : "computed"}</td>
<td class="num">${e.seconds === undefined ? "—" : formatDuration(e.seconds)}</td></tr>`
    )
    .join("\n")
  return `<section id="provenance"><h2>Provenance</h2>
<dl class="meta">${dl}</dl>
<h3>Versions</h3>
<div class="table-wrap"><table class="versions"><thead><tr><th>Component</th><th>Version</th></tr></thead><tbody>${versions}</tbody></table></div>
<h3 style="margin-top:18px">Cache entries</h3>
<div class="table-wrap"><table class="entries"><thead><tr><th>Stage</th><th>Key</th><th>Entry</th><th>This run</th><th>Compute time</th></tr></thead>
<tbody>${entries || `<tr><td colspan="5">none recorded</td></tr>`}</tbody></table></div></section>`
}

const weakSpotsSection = (spots: ReadonlyArray<string>): string =>
  `<section id="weak-spots"><h2>Weak spots</h2>
${spots.length === 0 ? "<p>None reported.</p>" : `<ul class="weak">${spots.map((s) => `<li>${escapeHtml(s)}</li>`).join("")}</ul>`}
</section>`

const notesSection = (notes: ReportInput["notes"]): string => {
  const list = notes === undefined ? [] : typeof notes === "string" ? [notes] : notes
  return list.length === 0 ? "" : `<section id="notes"><h2>Notes</h2>${list.map((n) => `<p>${escapeHtml(n)}</p>`).join("")}</section>`
}

/** The complete report as one HTML string. */
export const buildReport = (input: ReportInput): string => {
  const p = input.provenance
  const own = input.verifyRows.filter((r) => r.testedBy === undefined).length
  const lede = `Profile <strong>${escapeHtml(p.profile)}</strong> · backend ${escapeHtml(p.backend)} · <span class="wall">${wallText(p)}</span> · ${input.figures.length} figure${input.figures.length === 1 ? "" : "s"} · ${own} claim${own === 1 ? "" : "s"} tested here`
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(input.title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<main>
<header><h1>${escapeHtml(input.title)}</h1><p class="lede">${lede}</p><p class="run">${escapeHtml(runLine(p))}</p></header>
${verifySection(input.verifyRows, p.profile)}
${figuresSection(input.figures)}
${provenanceSection(p)}
${weakSpotsSection(input.weakSpots)}
${notesSection(input.notes)}
<footer>Generated by grokflow${p.generatedAt === undefined ? "" : ` at ${escapeHtml(p.generatedAt)}`}. Self-contained: this file loads nothing from the network.</footer>
</main>
</body>
</html>
`
}

/** Build the report and write it atomically; returns the path written. */
export const writeReport = async (path: string, input: ReportInput): Promise<string> => {
  await writeAtomic(path, buildReport(input))
  return path
}

/** The report's view of rendered figures: their SVGs read back from disk. */
export const loadReportFigures = async (figures: ReadonlyArray<RenderedFigure>): Promise<Array<ReportFigure>> =>
  Promise.all(
    figures.map(async (f) => ({ id: f.id, title: f.title, caption: f.caption, source: f.source, svg: await readFile(f.svgPath, "utf8") }))
  )
