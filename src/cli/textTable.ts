/**
 * Plain-text tables for the terminal: `show` prints a node's rows with them and
 * `diff` its before/after columns. Numbers keep 4 significant digits (enough to
 * compare, short enough to scan); nested values are summarized, not dumped.
 */

export const formatCell = (value: unknown): string => {
  if (value === null || value === undefined) return "—"
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return String(value)
    return Number.isInteger(value) ? String(value) : Number(value.toPrecision(4)).toString()
  }
  if (typeof value === "string") return value
  if (typeof value === "boolean") return value ? "yes" : "no"
  if (Array.isArray(value)) return value.every((v) => typeof v !== "object" || v === null) && value.length <= 6 ? `[${value.map(formatCell).join(", ")}]` : `[${value.length} items]`
  if (typeof value === "object") {
    const o = value as Record<string, unknown>
    // An interval object reads as "estimate [lower, upper]".
    if (typeof o.estimate === "number") return `${formatCell(o.estimate)}${typeof o.lower === "number" && typeof o.upper === "number" ? ` [${formatCell(o.lower)}, ${formatCell(o.upper)}]` : ""}`
    return `{${Object.keys(o).length} fields}`
  }
  return String(value)
}

/** Left-aligned columns separated by two spaces, with a rule under the header. */
export const textTable = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)))
  const line = (cells: ReadonlyArray<string>) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join("  ").trimEnd()
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n")
}

/** Whether a value is a list of records: what `show` prints as a table. */
export const isRows = (value: unknown): value is ReadonlyArray<Readonly<Record<string, unknown>>> =>
  Array.isArray(value) && value.length > 0 && value.every((r) => typeof r === "object" && r !== null && !Array.isArray(r))

/** The rows as a table, one column per field (in first-seen order). */
export const rowsTable = (rows: ReadonlyArray<Readonly<Record<string, unknown>>>): string => {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))]
  return textTable(columns, rows.map((r) => columns.map((c) => formatCell(r[c]))))
}

/** The same table as GitHub Markdown. */
export const markdownTable = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string =>
  [header, header.map(() => "---"), ...rows].map((r) => `| ${r.map((c) => c.replaceAll("|", "\\|")).join(" | ")} |`).join("\n")
