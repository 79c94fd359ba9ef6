/** A directory remote: a shared disk, NFS, or a folder inside the repository (the release). */
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { writeAtomic } from "../engine/Atomic.ts"
import { errorText, RemoteError } from "./Remote.ts"
import type { Remote } from "./Remote.ts"

const isNotFound = (e: unknown) => (e as NodeJS.ErrnoException | undefined)?.code === "ENOENT"

export const directoryRemote = (name: string, url: string, root: string): Remote => {
  const fail = (message: string) => new RemoteError({ remote: name, url, message })
  const abs = (file: string) => path.join(root, ...file.split("/"))
  const walk = async (dir: string, rel: string, out: Array<string>): Promise<void> => {
    let names: Array<import("node:fs").Dirent>
    try {
      names = await fs.readdir(dir, { withFileTypes: true })
    } catch (e) {
      if (isNotFound(e)) return
      throw fail(`cannot list ${rel || "."}: ${errorText(e)}`)
    }
    for (const d of names) {
      // Temp files of a write in progress (or one a kill interrupted) are not files of the remote.
      if (d.name.startsWith(".tmp-")) continue
      if (d.isDirectory()) await walk(path.join(dir, d.name), `${rel}${d.name}/`, out)
      else out.push(`${rel}${d.name}`)
    }
  }
  return {
    name,
    url,
    writable: true,
    probe: async (forWrite) => {
      try {
        if (forWrite) await fs.mkdir(root, { recursive: true })
        if (!(await fs.stat(root)).isDirectory()) throw fail("is not a directory")
      } catch (e) {
        if (e instanceof RemoteError) throw e
        throw fail(isNotFound(e) ? `directory ${root} does not exist` : errorText(e))
      }
    },
    has: async (file) => {
      try {
        return (await fs.stat(abs(file))).isFile()
      } catch (e) {
        if (isNotFound(e)) return false
        throw fail(`cannot read ${file}: ${errorText(e)}`)
      }
    },
    get: async (file) => {
      try {
        return await fs.readFile(abs(file))
      } catch (e) {
        if (isNotFound(e)) return undefined
        throw fail(`cannot read ${file}: ${errorText(e)}`)
      }
    },
    put: async (file, bytes) => {
      try {
        await writeAtomic(abs(file), bytes)
      } catch (e) {
        throw fail(`cannot write ${file}: ${errorText(e)}`)
      }
    },
    list: async (prefix) => {
      const out: Array<string> = []
      await walk(abs(prefix), prefix, out)
      return out.sort()
    }
  }
}
