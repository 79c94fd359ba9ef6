/**
 * A read-only HTTP(S) remote, served by a static file server over a pushed directory
 * or bucket (GitHub raw files, an S3 website, nginx), so CI can pull without
 * credentials. It cannot list, so transfers ask for each file they need.
 */
import { errorText, RemoteError } from "./Remote.ts"
import type { Remote } from "./Remote.ts"

export const httpRemote = (name: string, url: string): Remote => {
  const base = url.endsWith("/") ? url : `${url}/`
  const fail = (message: string) => new RemoteError({ remote: name, url, message })
  const request = async (file: string, method: "GET" | "HEAD"): Promise<Response> => {
    try {
      return await fetch(new URL(file, base), { method, redirect: "follow" })
    } catch (e) {
      throw fail(`cannot reach ${new URL(file, base).href}: ${errorText(e)}`)
    }
  }
  return {
    name,
    url,
    writable: false,
    probe: async () => {
      // Any HTTP answer means the server is there; a missing lock is the caller's business.
      await request("locks/", "HEAD")
    },
    has: async (file) => {
      const r = await request(file, "HEAD")
      if (r.status === 404) return false
      if (!r.ok) throw fail(`HEAD ${file}: HTTP ${r.status}`)
      return true
    },
    get: async (file) => {
      const r = await request(file, "GET")
      if (r.status === 404) return undefined
      if (!r.ok) throw fail(`GET ${file}: HTTP ${r.status}`)
      return new Uint8Array(await r.arrayBuffer())
    },
    put: () => Promise.reject(fail("an HTTP remote is read-only; push to its directory or S3 remote instead")),
    list: () => Promise.resolve(undefined)
  }
}
