/**
 * The report's stylesheet, inlined into the HTML (the report must open offline, so
 * no external stylesheet or web font). Fonts fall back through what Debian, macOS
 * and Windows ship.
 */
export const REPORT_CSS = `
:root {
  --ink: #1b1b1b; --muted: #5f6368; --rule: #d9d9d9; --bg: #ffffff; --band: #f6f7f9;
  --pass: #1a7f37; --pass-bg: #e6f4ea; --fail: #b3261e; --fail-bg: #fce8e6;
  --notrun: #5f6368; --notrun-bg: #eeeeee; --accent: #0072b2;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0; background: var(--bg); color: var(--ink);
  font: 15px/1.55 "DejaVu Sans", "Segoe UI", "Helvetica Neue", Arial, sans-serif;
}
main { max-width: 1000px; margin: 0 auto; padding: 32px 24px 64px; }
h1 { font-size: 1.75rem; line-height: 1.25; margin: 0 0 4px; }
h2 { font-size: 1.25rem; margin: 40px 0 12px; padding-bottom: 6px; border-bottom: 1px solid var(--rule); }
h3 { font-size: 1rem; margin: 0 0 6px; }
p { margin: 0 0 10px; }
.lede { color: var(--muted); margin-bottom: 6px; }
header .run { color: var(--muted); font-size: 0.88rem; margin: 0 0 20px; }
details.elsewhere { margin: 12px 0 0; color: var(--muted); font-size: 0.9rem; }
details.elsewhere summary { cursor: pointer; }
details.elsewhere ul { margin: 8px 0 0; padding-left: 20px; }
details.elsewhere .by { white-space: nowrap; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
code, .mono { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.85em; }
nav.toc { background: var(--band); border: 1px solid var(--rule); border-radius: 6px; padding: 10px 16px; }
nav.toc ol { margin: 0; padding-left: 20px; columns: 2; column-gap: 32px; }
nav.toc li { break-inside: avoid; }
.summary { display: flex; gap: 10px; flex-wrap: wrap; margin: 0 0 12px; }
.pill { display: inline-block; border-radius: 999px; padding: 2px 10px; font-size: 0.82rem; font-weight: 600; white-space: nowrap; }
.pill.pass { color: var(--pass); background: var(--pass-bg); }
.pill.fail { color: var(--fail); background: var(--fail-bg); }
.pill.notrun { color: var(--notrun); background: var(--notrun-bg); }
/* Tables fit the page: a fixed layout with wrapping cells, never a sideways
   scroll (the report is read on laptops and in narrow windows). */
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 0.88rem; table-layout: fixed; }
th, td { text-align: left; vertical-align: top; padding: 6px 8px; border-bottom: 1px solid var(--rule); overflow-wrap: anywhere; }
th { font-weight: 600; background: var(--band); }
tbody tr:nth-child(even) td { background: #fbfbfc; }
td.num { font-variant-numeric: tabular-nums; }
td.mono { overflow-wrap: anywhere; }
td .ci { display: block; color: var(--muted); font-size: 0.92em; }
td.status { white-space: nowrap; }
table.verify col.c-claim { width: 15%; }
table.verify col.c-desc { width: 31%; }
table.verify col.c-paper { width: 15%; }
table.verify col.c-measured { width: 15%; }
table.verify col.c-tol { width: 13%; }
table.verify col.c-status { width: 96px; }
table.versions td:first-child, table.versions th:first-child { width: 40%; }
table.entries th:nth-child(1) { width: 20%; }
table.entries th:nth-child(2) { width: 18%; }
table.entries th:nth-child(3) { width: 38%; }
table.entries th:nth-child(4) { width: 12%; }
table.entries th:nth-child(5) { width: 12%; }
/* Narrow windows: each claim becomes a block with its fields labelled. */
@media (max-width: 720px) {
  table.verify colgroup, table.verify thead { display: none; }
  table.verify, table.verify tbody, table.verify tr, table.verify td { display: block; width: 100%; }
  table.verify tr { border-bottom: 1px solid var(--rule); padding: 6px 0; }
  table.verify td { border: none; padding: 2px 8px; }
  table.verify td::before { content: attr(data-label) ": "; color: var(--muted); font-weight: 600; }
  table.verify td .ci { display: inline; margin-left: 6px; }
}
@media (max-width: 900px) {
  main { padding: 20px 12px 48px; }
  figure.figure { padding: 8px; }
}
tr.fail td { background: #fff7f6 !important; }
figure.figure { margin: 28px 0; padding: 16px; border: 1px solid var(--rule); border-radius: 6px; page-break-inside: avoid; }
figure.figure .plot { overflow-x: auto; }
figure.figure svg { display: block; max-width: 100%; height: auto; margin: 0 auto; }
figcaption { margin-top: 10px; font-size: 0.92rem; }
figcaption .source { display: block; color: var(--muted); font-size: 0.8rem; margin-top: 2px; overflow-wrap: anywhere; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 4px 18px; margin: 0 0 16px; }
dl.meta dt { color: var(--muted); }
dl.meta dd { margin: 0; }
ul.weak li { margin-bottom: 6px; }
footer { margin-top: 48px; color: var(--muted); font-size: 0.8rem; }
@media print {
  main { max-width: none; padding: 0; }
  nav.toc { display: none; }
  a { color: inherit; }
}
`
