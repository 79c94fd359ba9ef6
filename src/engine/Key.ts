/**
 * Cache keys. A key is the sha256 of a canonical preimage object; the preimage is
 * stored in the entry so `status --explain` can name the field that changed.
 *
 * Stage:  { keyFormat, kind: "stage", stage, version, code, config, inputs, env }
 * Cell:   { keyFormat, kind: "cell", name, code, key, env }
 *
 * `code` maps each file (relative to the project root) to its sha256, so explain
 * can say which file changed. `inputs` are upstream OUTPUT digests, not keys:
 * an upstream rerun that yields identical bytes leaves this key unchanged (early
 * cutoff). A cell's code is only its declared globs, never the stage module, so
 * editing a stage does not retrain its cells.
 */
import fg from "fast-glob"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { Effect } from "effect"
import { hashValue, sha256, toJson } from "./Canonical.ts"
import type { Json } from "./Canonical.ts"
import { StoreError } from "./Errors.ts"

/** Bump to invalidate every key at once (a change in what keys mean). */
export const KEY_FORMAT = "grokflow-key/1"

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
 * Digests of files, memoized for the life of the process: a run hashes each
 * source file once however many stages and cells name it.
 */
export class CodeHasher {
  private readonly files = new Map<string, Promise<string>>()
  private readonly globs = new Map<string, Promise<ReadonlyArray<string>>>()
  constructor(readonly root: string) {}

  private fileDigest(abs: string): Promise<string> {
    let p = this.files.get(abs)
    if (p === undefined) {
      p = fs.readFile(abs).then((bytes) => sha256(bytes))
      this.files.set(abs, p)
    }
    return p
  }

  private expand(pattern: string): Promise<ReadonlyArray<string>> {
    let p = this.globs.get(pattern)
    if (p === undefined) {
      p = fg(pattern, { cwd: this.root, absolute: true, onlyFiles: true, dot: false })
      this.globs.set(pattern, p)
    }
    return p
  }

  /** `{ relative path: sha256 }` over the explicit files plus every glob match. */
  digest(files: ReadonlyArray<string>, patterns: ReadonlyArray<string>): Effect.Effect<CodeDigest, StoreError> {
    return Effect.tryPromise({
      try: async () => {
        const abs = new Set(files.map((f) => path.resolve(this.root, f)))
        for (const pattern of patterns) {
          const matches = await this.expand(pattern)
          if (matches.length === 0) throw new Error(`code glob "${pattern}" matches no file under ${this.root}`)
          for (const m of matches) abs.add(path.resolve(m))
        }
        const entries = await Promise.all(
          [...abs].map(async (f) => [path.relative(this.root, f).split(path.sep).join("/"), await this.fileDigest(f)] as const)
        )
        entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        return Object.fromEntries(entries)
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
