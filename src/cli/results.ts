/**
 * The README's tables of released results, generated from the release itself: for
 * every profile the release holds a lock of, the claims it tests as `verify`
 * computes them from the pulled entries, the stage entry each value was read from,
 * and the cold wall time its cells' own timings give. Nothing in the block is typed
 * by hand, so the README cannot drift from the release: `.ci/run` checks the copy
 * after `grokflow pull` (`node --import tsx src/cli/results.ts --check`), and
 * `--write` rewrites it.
 *
 * The wall time is read from the cells, not from a run record (those stay in the
 * store that ran): the locked cells' [start, finish] intervals are merged where they
 * overlap or lie within a minute of each other, and the group that ends last is the
 * profile's own run. A cell it shares with a profile measured earlier lies outside
 * that group, so the time is the cold time of the profile's own cells.
 */
import { execFileSync } from "node:child_process"
import { readdirSync, readFileSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { Effect } from "effect"
import { readLockFile } from "../engine/index.ts"
import type { ClaimRow } from "../verify/evaluate.ts"
import { formatMeasured } from "../verify/evaluate.ts"
import { replaceBlock } from "./reference.ts"

export const START = "<!-- release-results: generated from release/ by `node --import tsx src/cli/results.ts --write`; CI checks it -->"
export const END = "<!-- /release-results -->"

const ROOT = path.resolve(import.meta.dirname, "..", "..")
const BIN = path.join(ROOT, "bin", "grokflow.js")

interface Verified {
  readonly profile: string
  readonly passed: number
  readonly failed: number
  readonly missing: ReadonlyArray<string>
  readonly stale: string | null
  readonly rows: ReadonlyArray<ClaimRow>
}

interface Timings {
  readonly startedAt: string
  readonly finishedAt: string
  readonly seconds: number
}

/** Cells within a minute of each other belong to one run. */
const SAME_RUN_GAP_MS = 60_000

/** The span of the last run among the cells' intervals, and how many cells it trained. */
export const lastRunSpan = (timings: ReadonlyArray<Timings>): { readonly seconds: number; readonly cells: number; readonly startedAt: string; readonly finishedAt: string } | undefined => {
  const spans = timings.map((t) => [Date.parse(t.startedAt), Date.parse(t.finishedAt)] as const).sort((a, b) => a[0] - b[0])
  if (spans.length === 0) return undefined
  const groups: Array<{ start: number; end: number; cells: number }> = []
  for (const [start, end] of spans) {
    const last = groups.at(-1)
    if (last !== undefined && start <= last.end + SAME_RUN_GAP_MS) {
      last.end = Math.max(last.end, end)
      last.cells += 1
    } else groups.push({ start, end, cells: 1 })
  }
  const run = groups.reduce((a, b) => (b.end > a.end ? b : a))
  return { seconds: (run.end - run.start) / 1000, cells: run.cells, startedAt: new Date(run.start).toISOString(), finishedAt: new Date(run.end).toISOString() }
}

const minutes = (seconds: number) => `${(seconds / 60).toFixed(1)} min (${Math.round(seconds)} s)`

/** `<store>/entries/delay-law-fits/e2fe….json` → `delay-law-fits/e2fe0f4e2999`. */
const entryName = (source: string | null): string => {
  if (source === null) return "—"
  const m = /entries\/([^/]+)\/([0-9a-f]{12})[0-9a-f]*\.json$/.exec(source.replace(/\\/g, "/"))
  return m === null ? source : `\`${m[1]}/${m[2]}\``
}

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ")

/** The verify rows of one released profile, against the store at `cacheDir`. */
const verifyReleased = (profile: string, cacheDir: string): Verified => {
  let text: string
  try {
    text = execFileSync(process.execPath, [BIN, "verify", "--profile", profile, "--json", "--cache-dir", cacheDir], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] })
  } catch (e) {
    // verify exits 1 on a FAIL, which is a measured result here; its JSON is on stdout all the same.
    const stdout = (e as { stdout?: string }).stdout
    if (stdout === undefined || stdout.trim() === "") throw e
    text = stdout
  }
  return JSON.parse(text) as Verified
}

interface CellManifest {
  readonly timings: Timings
  readonly preimage: { readonly key: { readonly firstSeed?: unknown } }
}

const cellManifest = (cacheDir: string, e: { readonly name: string; readonly key: string }): CellManifest =>
  JSON.parse(readFileSync(path.join(cacheDir, "entries", `cell.${e.name}`, `${e.key}.json`), "utf8")) as CellManifest

/**
 * The lock's whole cells. A run with --split-seeds also locks each cell's seed
 * shards (a payload with firstSeed); they lie within their cell's interval and are
 * part of it, so they count neither as cells nor towards another profile's share.
 */
const lockedCells = async (lockFile: string, cacheDir: string) =>
  ((await Effect.runPromise(readLockFile(lockFile)))?.entries ?? []).filter((e) => e.type === "cell" && cellManifest(cacheDir, e).preimage.key.firstSeed === undefined)

const cellTimings = (cacheDir: string, cells: ReadonlyArray<{ readonly name: string; readonly key: string }>): Array<Timings> =>
  cells.map((e) => cellManifest(cacheDir, e).timings)

const profileDescription = (profile: string): string => {
  const text = readFileSync(path.join(ROOT, "pipeline", `${profile}.yaml`), "utf8")
  return /^description:\s*(.+)$/m.exec(text)?.[1]?.trim() ?? ""
}

/** The generated block: one table per released profile, faithful first. */
export const releaseResults = async (cacheDir: string, releaseDir: string = path.join(ROOT, "release")): Promise<string> => {
  const profiles = readdirSync(path.join(releaseDir, "locks")).filter((f) => f.endsWith(".lock")).map((f) => f.slice(0, -".lock".length))
    .sort((a, b) => (a === "faithful" ? -1 : b === "faithful" ? 1 : a.localeCompare(b)))
  const out: Array<string> = []
  const measured = new Set<string>()
  const cellsOf = new Map<string, ReadonlySet<string>>()
  for (const profile of profiles) cellsOf.set(profile, new Set((await lockedCells(path.join(releaseDir, "locks", `${profile}.lock`), cacheDir)).map((e) => e.key)))
  for (const profile of profiles) {
    const v = verifyReleased(profile, cacheDir)
    const rows = v.rows.filter((r) => r.status !== "NOT RUN")
    for (const r of rows) measured.add(r.id)
    // A profile whose cells are all among this one's (faithful-b in faithful-b2) ran them
    // earlier, back to back perhaps: they are its time, not this profile's.
    const mine = cellsOf.get(profile)!
    const others = new Set([...cellsOf].filter(([p, cells]) => p !== profile && cells.size < mine.size && [...cells].every((k) => mine.has(k))).flatMap(([, cells]) => [...cells]))
    const own = (await lockedCells(path.join(releaseDir, "locks", `${profile}.lock`), cacheDir)).filter((e) => !others.has(e.key))
    const span = lastRunSpan(cellTimings(cacheDir, own))
    const when = span === undefined ? "" : `; cold wall time ${minutes(span.seconds)}, ${span.cells} cells, ${span.startedAt.slice(0, 16).replace("T", " ")}–${span.finishedAt.slice(11, 16)} UTC`
    out.push(
      `**\`${profile}\`** — ${profileDescription(profile)}. ${v.passed} passed, ${v.failed} failed${v.missing.length > 0 ? `, ${v.missing.length} not run` : ""}${when}.`,
      "",
      "| claim | paper | grokflow [95% CI] | rule | status | read from |",
      "|---|---|---|---|---|---|",
      ...rows.map((r) => `| ${r.id} | ${cell(r.paperValue)} | ${cell(formatMeasured(r))} | ${cell(r.tolerance || "—")} | ${r.status === "FAIL" ? "**FAIL**" : r.status} | ${entryName(r.source)} |`),
      ""
    )
  }
  return [`${measured.size} distinct claims measured at the papers' settings across ${profiles.length} released profiles.`, "", ...out].join("\n").trimEnd()
}

/** README text with the released-results block replaced by `block`. */
export const withResults = (readme: string, block: string): string => replaceBlock(readme, START, END, block)

const isEntry = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, "/"))
if (isEntry) {
  const i = process.argv.indexOf("--cache-dir")
  const cacheDir = path.resolve(i > 0 ? process.argv[i + 1]! : process.env.GROKFLOW_CACHE ?? path.join(ROOT, "cache"))
  const block = await releaseResults(cacheDir)
  if (process.argv.includes("--write") || process.argv.includes("--check")) {
    const file = path.join(ROOT, "README.md")
    const readme = readFileSync(file, "utf8")
    const wanted = withResults(readme, block)
    if (process.argv.includes("--write")) writeFileSync(file, wanted)
    else if (wanted !== readme) {
      process.stderr.write("README.md's released results differ from what release/ verifies to; rewrite them with `node --import tsx src/cli/results.ts --write` after `grokflow pull -r release`\n")
      process.exit(1)
    } else process.stdout.write("README.md's released results match release/\n")
  } else process.stdout.write(`${block}\n`)
}
