/**
 * Cache keys. A key is the sha256 of a canonical preimage object; the preimage is
 * stored in the entry so `status --explain` can name the field that changed.
 *
 * Stage:  { keyFormat, kind: "stage", stage, version, code, config, inputs, env }
 * Cell:   { keyFormat, kind: "cell", name, code, key, env }
 *
 * `code` maps each file (relative to the project root) to the sha256 of the file
 * as compiled (CompiledCode.ts: comments and layout do not count), so explain can
 * say which file changed. It is computed from the import graph: for a stage,
 * the closure of its module and of the code of every cell kind it declares; for a
 * cell, the closure of its kind's code only — never the stage module, so editing
 * a stage does not retrain its cells, while editing the training core retrains
 * them and makes their stages stale. `inputs` are upstream OUTPUT digests, not
 * keys: an upstream rerun that yields identical bytes leaves this key unchanged
 * (early cutoff).
 */
import fg from "fast-glob"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { Effect } from "effect"
import { hashValue, sha256, toJson } from "./Canonical.ts"
import type { Json } from "./Canonical.ts"
import { closureOf, graphCacheDir, loadImportGraph } from "./CodeGraph.ts"
import { CompiledDigests } from "./CompiledCode.ts"
import type { ImportGraph } from "./CodeGraph.ts"
import { StoreError } from "./Errors.ts"

/** Bump to invalidate every key at once (a change in what keys mean). */
export const KEY_FORMAT = "grokflow-key/3"

export type CodeDigest = Readonly<Record<string, string>>
export type Env = Readonly<Record<string, string>>

export interface StagePreimage {
  readonly keyFormat: string
  readonly kind: "stage"
  readonly stage: string
  readonly version: number
  readonly code: CodeDigest
  readonly config: Json
  /** Input name → upstream output digest; null for an absent optional input. */
  readonly inputs: Readonly<Record<string, string | null>>
  readonly env: Env
}

export interface CellPreimage {
  readonly keyFormat: string
  readonly kind: "cell"
  readonly name: string
  readonly code: CodeDigest
  readonly key: Json
  readonly env: Env
}

export type Preimage = StagePreimage | CellPreimage

export const keyOf = (preimage: Preimage): string => hashValue(preimage)

/**
 * A module whose source contains this marker builds presentation only (Vega-Lite
 * specs, the figures' theme): it runs in `grokflow report`, which keys each figure
 * by the spec it builds, never inside a stage's output. Closures stop at it, so a
 * restyled figure redraws without making any stage stale.
 */
export const PRESENTATION_MARK = "@grokflow-presentation"

/**
 * A module whose source contains this marker prices work for `run --dry-run` and
 * `plan` (src/planning/estimate.ts): a stage calls it only from its `estimate`,
 * never from its `run` (test/architecture/imports.test.ts), so it cannot reach an
 * output. Closures stop at it, so retuning the planner makes no stage stale.
 */
export const PLANNING_MARK = "@grokflow-planning"

/** The marks of code that never reaches a stage's output. */
const OUTSIDE_OUTPUT_MARKS = [PRESENTATION_MARK, PLANNING_MARK]

/**
 * Code digests, memoized for the life of the process: a run hashes each source
 * file once however many stages and cells reach it, and parses the import graph
 * once (CodeGraph.ts) for every entry the registry knows.
 */
export class CodeHasher {
  private readonly files = new Map<string, Promise<{ readonly sha: string; readonly bytes: Uint8Array } | undefined>>()
  private readonly compiled = new Map<string, Promise<string | undefined>>()
  private readonly digests: CompiledDigests
  private readonly globs = new Map<string, Promise<ReadonlyArray<string>>>()
  private graph: Promise<ImportGraph> | undefined
  /** Files that carry a mark of OUTSIDE_OUTPUT_MARKS (found while hashing them). */
  private readonly outsideOutput = new Set<string>()
  /**
   * @param entries every module whose closure may be asked for (stage modules and
   * cell kinds' code), so one parse serves them all.
   */
  private readonly entries: Set<string>
  /**
   * @param isBoundary files a closure stops at (other stage modules: they are
   * inputs, keyed by their output digests).
   */
  constructor(readonly root: string, entries: ReadonlyArray<string> = [], private readonly isBoundary: (file: string) => boolean = () => false) {
    this.entries = new Set(entries)
    this.digests = new CompiledDigests(path.join(graphCacheDir(root), "compiled-digests.json"))
  }

  private read(rel: string) {
    let p = this.files.get(rel)
    if (p === undefined) {
      p = fs.readFile(path.resolve(this.root, rel)).then(
        (bytes) => {
          if (OUTSIDE_OUTPUT_MARKS.some((mark) => bytes.includes(mark))) this.outsideOutput.add(rel)
          return { sha: sha256(bytes), bytes }
        },
        (e: NodeJS.ErrnoException) => (e.code === "ENOENT" ? undefined : Promise.reject(e))
      )
      this.files.set(rel, p)
    }
    return p
  }

  /** sha256 of a project file's bytes, undefined when it does not exist. */
  readonly fileDigest = (rel: string): Promise<string | undefined> => this.read(rel).then((f) => f?.sha)

  /** sha256 of a project file as compiled (bytes for what esbuild does not compile), undefined when it does not exist. */
  readonly codeDigest = (rel: string): Promise<string | undefined> => {
    let p = this.compiled.get(rel)
    if (p === undefined) {
      p = this.read(rel).then((f) => (f === undefined ? undefined : this.digests.digest(rel, f.bytes, f.sha)))
      this.compiled.set(rel, p)
    }
    return p
  }

  private expand(pattern: string): Promise<ReadonlyArray<string>> {
    let p = this.globs.get(pattern)
    if (p === undefined) {
      p = fg(pattern, { cwd: this.root, onlyFiles: true, dot: false })
      this.globs.set(pattern, p)
    }
    return p
  }

  private importGraph(extra: ReadonlyArray<string>): Promise<ImportGraph> {
    const unknown = extra.filter((e) => !this.entries.has(e))
    if (this.graph === undefined || unknown.length > 0) {
      for (const e of unknown) this.entries.add(e)
      this.graph = loadImportGraph(this.root, [...this.entries], this.fileDigest)
    }
    return this.graph
  }

  /** The files `modules` import, transitively (themselves included). */
  closure(modules: ReadonlyArray<string>): Promise<ReadonlyArray<string>> {
    // Every file of the graph was hashed while loading it, so `outsideOutput` is complete here.
    return this.importGraph(modules).then((graph) =>
      closureOf(graph, modules, (file) => this.isBoundary(file) || this.outsideOutput.has(file))
    )
  }

  /**
   * `{ relative path: sha256 }` over the import closure of `modules` plus every
   * match of `patterns` (what imports cannot reveal: data files, kernels).
   */
  digest(modules: ReadonlyArray<string>, patterns: ReadonlyArray<string> = []): Effect.Effect<CodeDigest, StoreError> {
    return Effect.tryPromise({
      try: async () => {
        for (const m of modules) {
          if ((await this.fileDigest(m)) === undefined) throw new Error(`code module "${m}" does not exist under ${this.root}`)
        }
        const files = new Set(modules.length === 0 ? [] : await this.closure(modules))
        for (const pattern of patterns) {
          const matches = await this.expand(pattern)
          if (matches.length === 0) throw new Error(`code glob "${pattern}" matches no file under ${this.root}`)
          for (const m of matches) files.add(m)
        }
        const entries = await Promise.all([...files].sort().map(async (f) => [f, await this.codeDigest(f)] as const))
        await this.digests.flush()
        return Object.fromEntries(entries.filter((e): e is readonly [string, string] => e[1] !== undefined))
      },
      catch: (cause) =>
        new StoreError({ path: this.root, message: `cannot digest code: ${cause instanceof Error ? cause.message : String(cause)}` })
    })
  }
}

export const cellPreimage = (name: string, code: CodeDigest, key: unknown, env: Env): CellPreimage => ({
  keyFormat: KEY_FORMAT,
  kind: "cell",
  name,
  code,
  key: toJson(key),
  env
})
