// s3rver ships no types; the tests use its constructor, run() and close() only.
declare module "s3rver" {
  import type { AddressInfo } from "node:net"
  export default class S3rver {
    constructor(options: Readonly<Record<string, unknown>>)
    run(): Promise<AddressInfo>
    close(): Promise<void>
  }
}
