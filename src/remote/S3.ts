/**
 * An S3 remote through @aws-sdk/client-s3: AWS, MinIO, R2 or Ceph, with a custom
 * endpoint and path-style addressing. Credentials never come from grokflow's
 * configuration: the SDK's default chain finds them (AWS_ACCESS_KEY_ID and
 * AWS_SECRET_ACCESS_KEY, AWS_PROFILE and ~/.aws, instance roles). An S3 PUT is
 * atomic per object: a reader sees the whole object or none.
 */
import type { S3Client } from "@aws-sdk/client-s3"
import { errorText, RemoteError } from "./Remote.ts"
import type { Remote } from "./Remote.ts"

export interface S3Options {
  readonly bucket: string
  /** Key prefix inside the bucket, without leading or trailing "/". */
  readonly prefix: string
  readonly endpoint?: string
  readonly region?: string
}

/** `s3://bucket/some/prefix` → bucket and prefix. */
export const parseS3Url = (url: string): { readonly bucket: string; readonly prefix: string } | undefined => {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url)
  return m === null ? undefined : { bucket: m[1]!, prefix: m[2]!.replace(/^\/+|\/+$/g, "") }
}

const statusOf = (e: unknown): number | undefined => (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode

export const s3Remote = (name: string, url: string, options: S3Options): Remote => {
  const where = options.endpoint === undefined ? url : `${url} at ${options.endpoint}`
  const fail = (message: string) => new RemoteError({ remote: name, url: where, message })
  type Sdk = typeof import("@aws-sdk/client-s3")
  let client: Promise<{ readonly s3: S3Client; readonly sdk: Sdk }> | undefined
  // Loaded on use: the SDK is large, and only S3 remotes need it. It is CommonJS:
  // from a bundle its exports may sit on `default`.
  const sdk = () =>
    (client ??= Promise.resolve().then(() => {
      // Its warning is about SDK releases of 2027 and later, not this one: noise on every command.
      process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true"
      return import("@aws-sdk/client-s3")
    }).then((loaded) => {
      const sdk = ("S3Client" in loaded ? loaded : (loaded as unknown as { readonly default: Sdk }).default)
      return {
        sdk,
        s3: new sdk.S3Client({
          region: options.region ?? process.env.AWS_REGION ?? "us-east-1",
          forcePathStyle: true,
          maxAttempts: 2,
          ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint })
        })
      }
    }).catch((e: unknown) => {
      client = undefined
      throw fail(`cannot load @aws-sdk/client-s3: ${errorText(e)}`)
    }))
  const keyOf = (file: string) => (options.prefix === "" ? file : `${options.prefix}/${file}`)
  const wrap = (what: string) => (e: unknown): never => {
    if (e instanceof RemoteError) throw e
    throw fail(`${what}: ${errorText(e)}`)
  }
  return {
    name,
    url: where,
    writable: true,
    probe: async () => {
      const { s3, sdk: { HeadBucketCommand } } = await sdk()
      await s3.send(new HeadBucketCommand({ Bucket: options.bucket })).catch(wrap(`cannot reach bucket ${options.bucket}`))
    },
    has: async (file) => {
      const { s3, sdk: { HeadObjectCommand } } = await sdk()
      try {
        await s3.send(new HeadObjectCommand({ Bucket: options.bucket, Key: keyOf(file) }))
        return true
      } catch (e) {
        if (statusOf(e) === 404) return false
        return wrap(`HEAD ${file}`)(e)
      }
    },
    get: async (file) => {
      const { s3, sdk: { GetObjectCommand } } = await sdk()
      try {
        const r = await s3.send(new GetObjectCommand({ Bucket: options.bucket, Key: keyOf(file) }))
        return r.Body === undefined ? new Uint8Array() : await r.Body.transformToByteArray()
      } catch (e) {
        if (statusOf(e) === 404 || (e as { name?: string }).name === "NoSuchKey") return undefined
        return wrap(`GET ${file}`)(e)
      }
    },
    put: async (file, bytes) => {
      const { s3, sdk: { PutObjectCommand } } = await sdk()
      await s3.send(new PutObjectCommand({ Bucket: options.bucket, Key: keyOf(file), Body: bytes })).catch(wrap(`PUT ${file}`))
    },
    list: async (prefix) => {
      const { s3, sdk: { ListObjectsV2Command } } = await sdk()
      const out: Array<string> = []
      const strip = options.prefix === "" ? 0 : options.prefix.length + 1
      let token: string | undefined
      do {
        const r = await s3.send(new ListObjectsV2Command({ Bucket: options.bucket, Prefix: keyOf(prefix), ...(token === undefined ? {} : { ContinuationToken: token }) }))
          .catch(wrap(`LIST ${prefix}`))
        for (const o of r.Contents ?? []) if (o.Key !== undefined) out.push(o.Key.slice(strip))
        token = r.IsTruncated === true ? r.NextContinuationToken : undefined
      } while (token !== undefined)
      return out.sort()
    }
  }
}
