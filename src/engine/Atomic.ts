/**
 * The one way the engine writes a file: temp file in the target's directory,
 * fsync, rename, fsync of the directory. A crash leaves the old file or the new,
 * never half of one.
 */
import { randomBytes } from "node:crypto"
import * as fs from "node:fs/promises"
import * as path from "node:path"

/** temp file in the target's directory + fsync + rename (+ fsync of the directory). */
export const writeAtomic = async (file: string, data: string | Uint8Array): Promise<void> => {
  const dir = path.dirname(file)
  await fs.mkdir(dir, { recursive: true })
  const tmp = path.join(dir, `.tmp-${process.pid}-${randomBytes(6).toString("hex")}`)
  const handle = await fs.open(tmp, "w")
  try {
    await handle.writeFile(data)
    await handle.sync()
  } finally {
    await handle.close()
  }
  try {
    await fs.rename(tmp, file)
  } catch (e) {
    await fs.rm(tmp, { force: true })
    throw e
  }
  try {
    const d = await fs.open(dir, "r")
    try {
      await d.sync()
    } finally {
      await d.close()
    }
  } catch {
    // Directory fsync is unsupported on some filesystems; the rename is still atomic.
  }
}
