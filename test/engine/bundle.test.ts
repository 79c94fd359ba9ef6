/**
 * The prebuilt CLI (bin/bundle.mjs) must never run code other than the sources:
 * a mini project stands in for the repository, and each test edits its files.
 */
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import { describe, expect, it } from "vitest"
import { ROOT, tempDir } from "./helpers.ts"

interface Built {
  readonly file: string
  readonly built: boolean
}
type EnsureBundle = (root: string, stagesDir: string, cacheDir: string) => Promise<Built | null>
const { ensureBundle } = (await import(pathToFileURL(path.join(ROOT, "bin/bundle.mjs")).href)) as { ensureBundle: EnsureBundle }

const miniProject = () => {
  const root = tempDir("grokflow-bundle-")
  const write = (rel: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true })
    fs.writeFileSync(path.join(root, rel), text)
  }
  write("src/engine/Discovery.ts", [
    "export const registered: Record<string, unknown> = {}",
    "export const registerBundledStages = (m: Record<string, unknown>): void => { Object.assign(registered, m) }"
  ].join("\n"))
  write("node_modules/dep/package.json", JSON.stringify({ name: "dep", version: "1.0.0", type: "module", main: "index.js" }))
  write("node_modules/dep/index.js", "export const unit = ''\n")
  write("src/cli/answer.ts", "import { unit } from 'dep'\nexport const answer: string = `1${unit}`\n")
  write("src/cli/main.ts", [
    "import { answer } from './answer.ts'",
    "import { registered } from '../engine/Discovery.ts'",
    "export const main = async (): Promise<string> =>",
    "  `${answer} ${Object.keys(registered).map((f) => f.split('/').pop()).sort().join(',')} ${import.meta.url.split('/').slice(-2).join('/')}`"
  ].join("\n"))
  write("stages/a.ts", "export default { name: 'a' }\n")
  const cache = path.join(root, "bundle-cache")
  const ensure = () => ensureBundle(root, path.join(root, "stages"), cache)
  const runMain = async (bundle: Built | null): Promise<string> => {
    if (bundle === null) throw new Error("expected a bundle")
    const mod = (await import(pathToFileURL(bundle.file).href)) as { main: () => Promise<string> }
    return mod.main()
  }
  /** Builds, applies `edit`, and returns the next bundle's answer; it must be a rebuild. */
  const rebuiltAfter = async (edit: () => void): Promise<string> => {
    await ensure()
    edit()
    const rebuilt = await ensure()
    expect(rebuilt?.built).toBe(true)
    return runMain(rebuilt)
  }
  return { root, write, ensure, runMain, rebuiltAfter }
}

describe("prebuilt CLI bundle", () => {
  it("is built once, reused while the sources are unchanged, and keeps each module's import.meta.url", async () => {
    const p = miniProject()
    const first = await p.ensure()
    expect(first?.built).toBe(true)
    expect(await p.runMain(first)).toBe("1 a.ts cli/main.ts")
    const second = await p.ensure()
    expect(second).toEqual({ file: first?.file, built: false })
  })

  it("is rebuilt when an imported source's bytes change, and runs the new code", async () => {
    const p = miniProject()
    expect(await p.rebuiltAfter(() => p.write("src/cli/answer.ts", "export const answer: number = 2\n"))).toBe("2 a.ts cli/main.ts")
  })

  it("is rebuilt when a dependency it compiled in is upgraded", async () => {
    const p = miniProject()
    const answer = await p.rebuiltAfter(() => {
      p.write("node_modules/dep/index.js", "export const unit = 'x'\n")
      p.write("node_modules/dep/package.json", JSON.stringify({ name: "dep", version: "1.0.1", type: "module", main: "index.js" }))
    })
    expect(answer).toBe("1x a.ts cli/main.ts")
  })

  it("is rebuilt when a stage module appears, and hands it to discovery", async () => {
    const p = miniProject()
    const answer = await p.rebuiltAfter(() => {
      p.write("stages/b.ts", "export default { name: 'b' }\n")
      p.write("stages/_helper.ts", "export const skipped = true\n")
    })
    expect(answer).toBe("1 a.ts,b.ts cli/main.ts")
  })

  it("gives way to the sources (null) when they do not compile", async () => {
    const p = miniProject()
    await p.ensure()
    p.write("stages/a.ts", "export default { name: \n")
    expect(await p.ensure()).toBeNull()
  })

  it("the real binary gives the same answer from the bundle and from the sources", () => {
    const dag = (env: Record<string, string>) =>
      spawnSync(process.execPath, [path.join(ROOT, "bin/grokflow.js"), "dag", "--profile", "quick"], {
        cwd: ROOT,
        encoding: "utf8",
        env: { ...process.env, ...env }
      })
    const bundled = dag({})
    const sources = dag({ GROKFLOW_BUNDLE: "0" })
    expect(bundled.status).toBe(0)
    expect(bundled.stdout).toContain("measure-wc")
    expect(bundled.stdout).toBe(sources.stdout)
  })
})
