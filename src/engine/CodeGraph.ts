/**
 * The project's import graph, for code digests that are computed, not declared.
 *
 * esbuild parses every module reachable from the entries (stage modules and the
 * cell kinds' worker-side modules) and its metafile gives each file's imports:
 * type-only imports are gone (they cannot change a number), dynamic imports with
 * literal or pattern paths are kept, bare package imports stay external (their
 * versions reach keys through `env` or not at all — see docs/design.md).
 *
 * Parsing costs a few hundred milliseconds, so the graph is cached on disk next
 * to the CLI bundle. The cache is valid while every file in it has the bytes it
 * had when the graph was built; those bytes are hashed for the keys anyway, so the
 * check costs nothing extra, and any edit — even one adding an import — rebuilds.
 */
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { writeAtomic } from "./Atomic.ts"

const GRAPH_FORMAT = "grokflow-code-graph/1"

/** file (project-relative, posix) → the project files it imports. */
export type ImportGraph = ReadonlyMap<string, ReadonlyArray<string>>

interface CachedGraph {
  readonly format: string
  readonly entries: ReadonlyArray<string>
  /** file → [sha256 when parsed, imports]. */
  readonly files: Readonly<Record<string, readonly [string, ReadonlyArray<string>]>>
}

const posix = (p: string) => p.split(path.sep).join("/")

/** Where the code caches live: derived data, safe to delete, never committed. */
export const graphCacheDir = (root: string): string => path.join(root, "node_modules", ".cache", "grokflow")

/** Builds the graph of everything reachable from `entries` (project-relative paths). */
export const parseImportGraph = async (root: string, entries: ReadonlyArray<string>): Promise<ImportGraph> => {
  const esbuild = await import("esbuild")
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: entries.map((e) => path.resolve(root, e)),
    bundle: true,
    write: false,
    metafile: true,
    platform: "node",
    format: "esm",
    packages: "external",
    outdir: path.join(os.tmpdir(), "grokflow-code-graph"),
    logLevel: "silent",
    // A file the closure reaches is a file; loaders only need to let esbuild parse.
    loader: { ".mjs": "js", ".wasm": "file", ".json": "json" }
  })
  const graph = new Map<string, Array<string>>()
  const inProject = (p: string) => !p.startsWith("..") && !p.includes("node_modules/") && !p.includes(":")
  for (const [file, input] of Object.entries(result.metafile.inputs)) {
    const rel = posix(file)
    if (!inProject(rel)) continue
    graph.set(rel, input.imports.filter((i) => i.external !== true && inProject(posix(i.path))).map((i) => posix(i.path)))
  }
  return graph
}

/**
 * Every file reachable from `entries`, entries included, sorted. Files for which
 * `isBoundary` holds are neither included nor entered unless they are entries: a
 * stage module reached from another stage (through `needs`) is that stage's
 * input, already keyed by its output digest, so editing it must not defeat early
 * cutoff downstream.
 */
export const closureOf = (
  graph: ImportGraph,
  entries: ReadonlyArray<string>,
  isBoundary: (file: string) => boolean = () => false
): ReadonlyArray<string> => {
  const seen = new Set<string>()
  const stack = [...entries]
  const entrySet = new Set(entries)
  while (stack.length > 0) {
    const file = stack.pop()!
    if (seen.has(file) || (isBoundary(file) && !entrySet.has(file))) continue
    seen.add(file)
    for (const next of graph.get(file) ?? []) stack.push(next)
  }
  return [...seen].sort()
}

/**
 * The graph for `entries`, from the on-disk cache when every cached file still
 * has the digest it was parsed with, else parsed anew and cached. `digest` is the
 * caller's memoized sha256 of a project file (undefined when it is gone).
 */
export const loadImportGraph = async (
  root: string,
  entries: ReadonlyArray<string>,
  digest: (rel: string) => Promise<string | undefined>,
  cacheFile: string = path.join(graphCacheDir(root), "code-graph.json")
): Promise<ImportGraph> => {
  const wanted = [...new Set(entries)].sort()
  const cached = await readCache(cacheFile)
  if (cached !== undefined && wanted.every((e) => cached.files[e] !== undefined)) {
    const files = Object.entries(cached.files)
    const current = await Promise.all(files.map(([rel]) => digest(rel)))
    if (files.every(([, [sha]], i) => current[i] === sha)) {
      return new Map(files.map(([rel, [, imports]]) => [rel, imports]))
    }
  }
  // Parse the union with what the cache knew, so alternating entry sets (two
  // profiles, a test) do not evict each other.
  const all = [...new Set([...wanted, ...(cached?.entries ?? [])])].sort()
  const existing = (await Promise.all(all.map(async (e) => ((await digest(e)) === undefined ? undefined : e)))).filter(
    (e): e is string => e !== undefined
  )
  const graph = await parseImportGraph(root, existing)
  const files: Record<string, readonly [string, ReadonlyArray<string>]> = {}
  for (const [rel, imports] of graph) {
    const sha = await digest(rel)
    if (sha !== undefined) files[rel] = [sha, imports]
  }
  const record: CachedGraph = { format: GRAPH_FORMAT, entries: existing, files }
  // A cache that cannot be written costs speed, not correctness.
  await writeAtomic(cacheFile, JSON.stringify(record)).catch(() => undefined)
  return graph
}

const readCache = async (file: string): Promise<CachedGraph | undefined> => {
  try {
    const parsed = JSON.parse(await fs.readFile(file, "utf8")) as CachedGraph
    return parsed.format === GRAPH_FORMAT && typeof parsed.files === "object" ? parsed : undefined
  } catch {
    return undefined
  }
}
