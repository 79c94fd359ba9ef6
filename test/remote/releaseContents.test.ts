/**
 * The release committed in this repository (release/, a directory remote): at most
 * 48 MB, only a store's files (objects/, entries/, locks/), each lock identical to the
 * profile's lock in pipeline/, and complete — every entry a lock names is there with
 * its blob. Holds trivially while no release has been pushed.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { readLockFile } from "../../src/engine/index.ts"
import { entryDir } from "../../src/engine/Manifest.ts"

const ROOT = path.resolve(import.meta.dirname, "../..")
const RELEASE = path.join(ROOT, "release")

const files = (dir: string): Array<string> =>
  fs.existsSync(dir) ? (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as Array<fs.Dirent>).filter((d) => d.isFile()).map((d) => path.relative(RELEASE, path.join(d.parentPath, d.name))) : []

describe("the committed release", () => {
  it("is at most 48 MB of store files, its locks match pipeline/, and it is complete", async () => {
    const all = files(RELEASE)
    const bytes = all.reduce((n, f) => n + fs.statSync(path.join(RELEASE, f)).size, 0)
    // The ten profiles' whole cells take ~15 MB; their seed shards (locked since the
    // cold --split-seeds retrain) bring it to ~38 MB, ~14 MB compressed. The shards let
    // whoever pulls the release add seeds by training only the new ones.
    expect(bytes).toBeLessThanOrEqual(48 * 1024 * 1024)
    expect(all.filter((f) => !/^(objects|entries|locks)\//.test(f.split(path.sep).join("/")))).toEqual([])
    for (const f of files(path.join(RELEASE, "locks"))) {
      const name = path.basename(f)
      const committed = path.join(ROOT, "pipeline", name)
      if (fs.existsSync(committed)) expect(fs.readFileSync(path.join(RELEASE, f), "utf8"), `release/${f} vs pipeline/${name}`).toBe(fs.readFileSync(committed, "utf8"))
      const lock = (await Effect.runPromise(readLockFile(path.join(RELEASE, f))))!
      for (const e of lock.entries) {
        expect(fs.existsSync(path.join(RELEASE, "entries", entryDir(e.type, e.name), `${e.key}.json`)), `${e.label ?? e.id} manifest`).toBe(true)
        expect(fs.existsSync(path.join(RELEASE, "objects", e.output.digest.slice(0, 2), e.output.digest)), `${e.label ?? e.id} blob`).toBe(true)
      }
    }
  })
})
