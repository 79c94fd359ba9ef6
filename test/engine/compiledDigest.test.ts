/**
 * Keys digest the code as compiled: in a copy of the repository, a comment-only
 * edit and a reformat of a training file leave the training cell's key as it was;
 * a one-token change moves it, and explain names the file.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { cellPreimage, CodeHasher, keyOf } from "../../src/engine/Key.ts"
import { trainKind } from "../../src/cells/cellKinds.ts"

const ROOT = path.resolve(import.meta.dirname, "../..")
const FILE = "src/train/adamw.ts"

const copyTraining = (): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "grokflow-compiled-"))
  fs.cpSync(path.join(ROOT, "src"), path.join(dir, "src"), { recursive: true })
  fs.copyFileSync(path.join(ROOT, "package.json"), path.join(dir, "package.json"))
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"))
  return dir
}

describe("code digests follow the compiled code", () => {
  const repo = copyTraining()
  const env = { backend: "synthetic", tfjs: "none", precision: "float32" }
  const payload = { p: 23, seed: 0 }
  // A fresh hasher per question, as a fresh process would be.
  const digest = () => Effect.runPromise(new CodeHasher(repo, trainKind.code).digest(trainKind.code))
  const cellKey = async () => keyOf(cellPreimage(trainKind.name, await digest(), payload, env))
  const original = fs.readFileSync(path.join(repo, FILE), "utf8")
  const write = (text: string) => fs.writeFileSync(path.join(repo, FILE), text)

  it("the training closure reaches the file", async () => {
    expect(Object.keys(await digest())).toContain(FILE)
  })

  it("a comment-only edit changes no cell key", async () => {
    const before = await cellKey()
    write(`// a comment on top\n${original.replace("const bc1 =", "/* why: bias correction */ const bc1 =")}\n/** trailing doc */\n`)
    expect(await cellKey()).toBe(before)
    write(original)
  })

  it("a reformat (indentation, blank lines, semicolons, quotes) changes no cell key", async () => {
    const before = await cellKey()
    const reformatted = original
      .split("\n")
      .map((line) => (line.startsWith("  ") ? `    ${line}` : line))
      .join("\n\n")
      .replace("const bc1 = 1 - Math.pow(beta1, t)", "const bc1 = 1 -   Math.pow( beta1 , t );")
      .replace('from "./params.ts"', "from './params.ts'")
    expect(reformatted).not.toBe(original)
    write(reformatted)
    expect(await cellKey()).toBe(before)
    write(original)
  })

  it("a one-token code change moves the cell key and names the file", async () => {
    const before = await digest()
    const beforeKey = await cellKey()
    write(original.replace("const decay = 1 - lr * weightDecay", "const decay = 1 + lr * weightDecay"))
    const after = await digest()
    expect(await cellKey()).not.toBe(beforeKey)
    const changed = Object.keys(after).filter((f) => after[f] !== before[f])
    expect(changed).toEqual([FILE])
    write(original)
    expect(await cellKey()).toBe(beforeKey)
  })

  it("string literals count: an edit inside the C source kept in nativeBlas.ts moves the key", async () => {
    const blas = path.join(repo, "src/train/simd/nativeBlas.ts")
    const text = fs.readFileSync(blas, "utf8")
    const before = await cellKey()
    const opening = "const SOURCE = `"
    expect(text).toContain(opening)
    fs.writeFileSync(blas, text.replace(opening, `${opening}/* a C comment is part of a string */\n`))
    expect(await cellKey()).not.toBe(before)
    fs.writeFileSync(blas, text)
    expect(await cellKey()).toBe(before)
  })
})
