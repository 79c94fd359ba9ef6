/**
 * Code digests of what runs, not of what was typed. A module's key digest is the
 * sha256 of its esbuild transform with whitespace minified and comments dropped
 * (identifiers and string literals kept, so the C source held in a template
 * literal still counts): a comment-only or formatting-only edit moves no key,
 * any token that reaches the compiled module does. Files esbuild does not compile
 * (kernels, data, wasm) are digested as bytes.
 *
 * Transforming costs about a millisecond per file, so the digests are cached on
 * disk next to the import graph, keyed by the source bytes' sha256 and esbuild's
 * version (a new esbuild may print differently; it then recomputes, never reuses).
 */
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { writeAtomic } from "./Atomic.ts"
import { sha256 } from "./Canonical.ts"

const CACHE_FORMAT = "grokflow-compiled-digests/1"

type Loader = "ts" | "tsx" | "js" | "jsx"

const LOADERS: Readonly<Record<string, Loader>> = {
  ".ts": "ts",
  ".mts": "ts",
  ".cts": "ts",
  ".tsx": "tsx",
  ".js": "js",
  ".mjs": "js",
  ".cjs": "js",
  ".jsx": "jsx"
}

/** The loader esbuild compiles `rel` with, undefined for files digested as bytes. */
export const compiledLoader = (rel: string): Loader | undefined => LOADERS[path.extname(rel).toLowerCase()]

/** The module as compiled, whitespace and comments gone; identifiers and literals as written. */
export const compileForDigest = async (source: string, loader: Loader, file: string): Promise<string> => {
  const esbuild = await import("esbuild")
  const result = await esbuild.transform(source, {
    loader,
    sourcefile: file,
    minifyWhitespace: true,
    minifyIdentifiers: false,
    minifySyntax: false,
    legalComments: "none",
    target: "esnext",
    logLevel: "silent"
  })
  return result.code
}

interface CachedDigests {
  readonly format: string
  readonly esbuild: string
  /** file → [sha256 of the source bytes, sha256 of the compiled module]. */
  readonly files: Readonly<Record<string, readonly [string, string]>>
}

/**
 * Compiled digests for one process, backed by an on-disk cache. `digest` is
 * called with the file's bytes and their sha256 (already computed by the
 * caller's file hashing); `flush` writes the cache once the caller is done.
 */
export class CompiledDigests {
  private loaded: Promise<{ readonly version: string; readonly files: Map<string, readonly [string, string]> }> | undefined
  private dirty = false

  constructor(private readonly cacheFile: string) {}

  private load() {
    if (this.loaded === undefined) {
      this.loaded = (async () => {
        const { version } = await import("esbuild")
        const files = new Map<string, readonly [string, string]>()
        try {
          const parsed = JSON.parse(await fs.readFile(this.cacheFile, "utf8")) as CachedDigests
          if (parsed.format === CACHE_FORMAT && parsed.esbuild === version && typeof parsed.files === "object") {
            for (const [rel, pair] of Object.entries(parsed.files)) files.set(rel, pair)
          }
        } catch {
          // No cache, or an unreadable one: every digest is recomputed.
        }
        return { version, files }
      })()
    }
    return this.loaded
  }

  /** sha256 of `rel` as compiled, or of its bytes when esbuild does not compile it. */
  async digest(rel: string, bytes: Uint8Array, sourceSha: string): Promise<string> {
    const loader = compiledLoader(rel)
    if (loader === undefined) return sourceSha
    const { files } = await this.load()
    const hit = files.get(rel)
    if (hit !== undefined && hit[0] === sourceSha) return hit[1]
    let compiled: string
    try {
      compiled = await compileForDigest(Buffer.from(bytes).toString("utf8"), loader, rel)
    } catch {
      // A module esbuild cannot parse cannot run either; key it by its bytes so
      // the run reaches the real error instead of failing here.
      return sourceSha
    }
    const compiledSha = sha256(compiled)
    files.set(rel, [sourceSha, compiledSha])
    this.dirty = true
    return compiledSha
  }

  /** Writes the cache when anything new was compiled; a cache that cannot be written costs speed only. */
  async flush(): Promise<void> {
    if (!this.dirty || this.loaded === undefined) return
    this.dirty = false
    const { version, files } = await this.loaded
    const record: CachedDigests = {
      format: CACHE_FORMAT,
      esbuild: version,
      files: Object.fromEntries([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    }
    await writeAtomic(this.cacheFile, JSON.stringify(record)).catch(() => undefined)
  }
}
