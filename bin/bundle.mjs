/**
 * The CLI prebuilt as one ESM file, so that a `grokflow` command starts fast.
 *
 * Why: loading effect's several hundred modules, and our TypeScript through tsx's
 * loader thread, costs ~1.4 s per process on the 2-core target; one esbuild bundle
 * of src/, the stage modules and effect loads in a fraction of that. A researcher
 * who runs `status` after every edit pays the difference every time.
 *
 * Why it is safe: a bundle is used only while every project file it was built from
 * has the same bytes (sha-256 of each, checked at every start), the stage directory
 * lists the same modules, and every dependency package it compiled in has the same
 * package.json. Otherwise it is rebuilt (~0.5 s) before use.
 * Cache keys never depend on it: code digests are always read from the sources.
 * Anything unexpected (no esbuild, a syntax error being typed into a stage, an
 * unwritable node_modules) returns null, and the launcher runs the sources through
 * tsx, which reports real errors with their real file names (GROKFLOW_BUNDLE_DEBUG=1
 * prints why).
 *
 * One bundle per stage directory (the default `stages/`, or `--stages-dir`): its
 * stage modules, and the figure kinds of src/figures/kinds/, are compiled in and
 * handed to discovery, so they share the one copy of the engine and of effect with
 * the CLI (and need no TypeScript loader at run time).
 */
import * as crypto from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { pathToFileURL } from "node:url"

const FORMAT = "grokflow-cli-bundle/3"

/** Native, wasm or very large packages stay ordinary imports, loaded where used. */
const EXTERNAL = ["@tensorflow/*", "@resvg/*", "vega", "vega-*", "playwright-core", "esbuild", "tsx"]

const sha256 = (data) => crypto.createHash("sha256").update(data).digest("hex")

const readOrNull = (file) => {
  try {
    return fs.readFileSync(file)
  } catch {
    return null
  }
}

/** The modules discovery would import from `dir` (same filter as src/engine/Discovery.ts). */
export const stageModules = (dir) => {
  let names
  try {
    names = fs.readdirSync(dir)
  } catch {
    return []
  }
  return names
    .filter((f) => f.endsWith(".ts") && !f.startsWith("_") && !f.endsWith(".d.ts") && !f.endsWith(".test.ts"))
    .sort()
    .map((f) => path.join(dir, f))
}

/** The figure kinds discovered by src/figures/registry.ts (same file filter as stages). */
const figureKindsDir = (root) => path.join(root, "src", "figures", "kinds")

/** What a bundle depends on besides its inputs' bytes. */
const context = (root, stagesDir) => {
  const self = fs.readFileSync(new URL(import.meta.url))
  return {
    format: FORMAT,
    root,
    stagesDir,
    stages: stageModules(stagesDir),
    figures: stageModules(figureKindsDir(root)),
    launcher: sha256(self),
    node: process.versions.node
  }
}

const entrySource = (root, stages, figures) => {
  const spec = (file) => JSON.stringify(file)
  const lines = [`import { registerBundledStages } from ${spec(path.join(root, "src/engine/Discovery.ts"))}`]
  stages.forEach((file, i) => lines.push(`import * as stage${i} from ${spec(file)}`))
  lines.push(`registerBundledStages({ ${stages.map((file, i) => `${JSON.stringify(file)}: stage${i}`).join(", ")} })`)
  if (figures.length > 0) {
    lines.push(`import { registerBundledFigures } from ${spec(path.join(root, "src/figures/registry.ts"))}`)
    figures.forEach((file, i) => lines.push(`import * as figure${i} from ${spec(file)}`))
    lines.push(`registerBundledFigures({ ${figures.map((file, i) => `${JSON.stringify(file)}: figure${i}`).join(", ")} })`)
  }
  lines.push(`export { main } from ${spec(path.join(root, "src/cli/main.ts"))}`)
  return lines.join("\n") + "\n"
}

/** The package directory of a file inside node_modules, or null for project files. */
const packageDirOf = (file) => {
  const marker = `${path.sep}node_modules${path.sep}`
  const at = file.lastIndexOf(marker)
  if (at < 0) return null
  const rest = file.slice(at + marker.length).split(path.sep)
  const depth = rest[0].startsWith("@") ? 2 : 1
  return file.slice(0, at + marker.length) + rest.slice(0, depth).join(path.sep)
}

/**
 * Loads every module for esbuild (and the generated entry), recording what the build depends on: the bytes
 * of each project file, and each dependency package's package.json (so upgrading
 * a package rebuilds). Each module keeps its own `import.meta.url`: modules locate
 * sibling files (the worker bootstrap, packages via createRequire) relative to
 * themselves, not to the bundle.
 */
const sourcesPlugin = (root, entry, digests) => ({
  name: "grokflow-sources",
  setup(build) {
    build.onResolve({ filter: /^grokflow:entry$/ }, () => ({ path: "entry", namespace: "grokflow" }))
    build.onLoad({ filter: /.*/, namespace: "grokflow" }, () => ({ contents: entry, loader: "js", resolveDir: root }))
    build.onLoad({ filter: /\.(ts|mts|mjs|js|cjs|json)$/ }, (args) => {
      const bytes = fs.readFileSync(args.path)
      const pkg = packageDirOf(args.path)
      const stamp = pkg === null ? args.path : path.join(pkg, "package.json")
      digests[stamp] ??= sha256(pkg === null ? bytes : fs.readFileSync(stamp))
      if (args.path.endsWith(".json")) return { contents: bytes, loader: "json" }
      const text = bytes.toString("utf8")
      if (pkg !== null && !text.includes("import.meta")) return undefined
      const contents = text
        .replaceAll("import.meta.url", JSON.stringify(pathToFileURL(args.path).href))
        .replaceAll("import.meta.dirname", JSON.stringify(path.dirname(args.path)))
        .replaceAll("import.meta.filename", JSON.stringify(args.path))
      const loader = /\.(ts|mts)$/.test(args.path) ? "ts" : "js"
      return { contents, loader, resolveDir: path.dirname(args.path) }
    })
  }
})

const sameContext = (a, b) => JSON.stringify(a) === JSON.stringify(b)

const writeAtomic = (file, data) => {
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString("hex")}.tmp`
  fs.writeFileSync(tmp, data)
  fs.renameSync(tmp, file)
}

/**
 * The bundle for this root and stage directory: reused when fresh, else rebuilt.
 * Returns `{ file, built }`, or null when the sources should be run through tsx.
 */
export const ensureBundle = async (root, stagesDir, cacheDir = path.join(root, "node_modules", ".cache", "grokflow")) => {
  try {
    const dir = path.join(cacheDir, sha256(stagesDir).slice(0, 16))
    const manifestFile = path.join(dir, "manifest.json")
    const ctx = context(root, stagesDir)
    const manifest = (() => {
      const raw = readOrNull(manifestFile)
      return raw === null ? null : JSON.parse(raw.toString("utf8"))
    })()
    if (manifest !== null && sameContext(manifest.context, ctx)) {
      const fresh = Object.entries(manifest.inputs).every(([file, digest]) => {
        const bytes = readOrNull(file)
        return bytes !== null && sha256(bytes) === digest
      })
      const file = path.join(dir, manifest.bundle)
      if (fresh && fs.existsSync(file)) return { file, built: false }
    }

    const { build } = await import("esbuild")
    const digests = {}
    fs.mkdirSync(dir, { recursive: true })
    const result = await build({
      entryPoints: { cli: "grokflow:entry" },
      bundle: true,
      // Split at dynamic imports, so what only `report` or training needs (vega,
      // resvg, tfjs) is loaded only when used.
      splitting: true,
      outdir: path.join(dir, "out"),
      entryNames: "[name]",
      chunkNames: "chunk-[hash]",
      platform: "node",
      format: "esm",
      target: "node20",
      external: EXTERNAL,
      // Bundled CommonJS dependencies (yaml, fast-glob) still call require for builtins.
      banner: { js: "import { createRequire as __grokflowRequire } from 'node:module'; const require = __grokflowRequire(import.meta.url);" },
      plugins: [sourcesPlugin(root, entrySource(root, ctx.stages, ctx.figures), digests)],
      write: false,
      logLevel: "silent",
      legalComments: "none"
    })
    // Content-addressed output directory: a manifest only ever names a complete build.
    const hash = crypto.createHash("sha256")
    for (const out of result.outputFiles) hash.update(out.path).update(out.contents)
    const name = `build-${hash.digest("hex").slice(0, 16)}`
    const target = path.join(dir, name)
    if (!fs.existsSync(target)) {
      const staging = `${target}.${process.pid}.tmp`
      fs.rmSync(staging, { recursive: true, force: true })
      for (const out of result.outputFiles) {
        const file = path.join(staging, path.relative(path.join(dir, "out"), out.path))
        fs.mkdirSync(path.dirname(file), { recursive: true })
        fs.writeFileSync(file, out.contents)
      }
      try {
        fs.renameSync(staging, target)
      } catch {
        // A concurrent build of the same sources got there first: same bytes.
        fs.rmSync(staging, { recursive: true, force: true })
      }
    }
    const bundle = `${name}/cli.js`
    writeAtomic(manifestFile, JSON.stringify({ context: ctx, inputs: digests, bundle }, null, 1))
    removeStale(dir, name)
    const file = path.join(dir, bundle)
    return { file, built: true }
  } catch (error) {
    if (process.env.GROKFLOW_BUNDLE_DEBUG === "1") process.stderr.write(`grokflow: running from sources: ${String(error)}\n`)
    return null
  }
}

/**
 * Old builds are kept a day: a running process imports some chunks only when first
 * needed (the trainer at its first cell, the figures in `report`), and a rebuild
 * triggered by another command must not pull them from under it.
 */
const removeStale = (dir, keep) => {
  const cutoff = Date.now() - 24 * 3600_000
  for (const name of fs.readdirSync(dir)) {
    if (name === keep || !/^build-[0-9a-f]+$/.test(name)) continue
    try {
      if (fs.statSync(path.join(dir, name)).mtimeMs < cutoff) fs.rmSync(path.join(dir, name), { recursive: true, force: true })
    } catch {
      // Another process removed it first.
    }
  }
}
