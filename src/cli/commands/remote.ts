/** `grokflow remote add|list|remove`: the remotes in pipeline/remotes.yaml. */
import { Effect, Option } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { UsageError } from "../../engine/index.ts"
import { checkUrl, readRemotes, remotesFile, writeRemotes } from "../../remote/Config.ts"
import type { RemoteSpec } from "../../remote/Config.ts"
import { backendFlag, cacheDirFlag, out, withEngine } from "../Shared.ts"
import { projectDir } from "./remoteFlags.ts"

const storeFlags = { cacheDir: cacheDirFlag, backend: backendFlag }
const nameArg = Argument.String("name").pipe(Argument.withDescription("the remote's name, e.g. release"))
const urlArg = Argument.String("url").pipe(Argument.withDescription("a directory (relative to the project), file://, s3://bucket/prefix or https://"))
const endpointFlag = Flag.String("endpoint").pipe(Flag.withDescription("S3 endpoint URL (MinIO, R2, Ceph); path-style addressing"), Flag.optional)
const regionFlag = Flag.String("region").pipe(Flag.withDescription("S3 region (default: $AWS_REGION, else us-east-1)"), Flag.optional)
const defaultFlag = Flag.Boolean("default").pipe(Flag.withAlias("d"), Flag.withDescription("make it the default remote"), Flag.withDefault(false))

const shownFile = () => remotesFile(projectDir()).slice(projectDir().length + 1)

const add = Command.make("add", { ...storeFlags, name: nameArg, url: urlArg, endpoint: endpointFlag, region: regionFlag, makeDefault: defaultFlag }, (flags) =>
  withEngine(
    flags,
    Effect.gen(function*() {
      const bad = checkUrl(flags.url)
      if (bad !== undefined) return yield* new UsageError({ message: `remote add ${flags.name} ${flags.url}: ${bad}` })
      if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(flags.name)) return yield* new UsageError({ message: `remote add ${flags.name}: a name is letters, digits, - and _, starting with a letter` })
      const config = yield* readRemotes(projectDir())
      const spec: RemoteSpec = {
        url: flags.url,
        ...(Option.isSome(flags.endpoint) ? { endpoint: flags.endpoint.value } : {}),
        ...(Option.isSome(flags.region) ? { region: flags.region.value } : {})
      }
      const first = Object.keys(config.remotes).length === 0
      const def = flags.makeDefault || first ? flags.name : config.default
      yield* writeRemotes(projectDir(), { ...(def === undefined ? {} : { default: def }), remotes: { ...config.remotes, [flags.name]: spec } })
      yield* out(`${shownFile()}: ${flags.name} → ${flags.url}${def === flags.name ? " (default)" : ""}`)
    })
  )).pipe(Command.withDescription("add (or replace) a remote"))

const list = Command.make("list", storeFlags, (flags) =>
  withEngine(
    flags,
    Effect.gen(function*() {
      const config = yield* readRemotes(projectDir())
      const names = Object.keys(config.remotes).sort()
      if (names.length === 0) return yield* out(`no remotes (${shownFile()}); grokflow remote add NAME URL`)
      yield* out(names.map((n) => {
        const r = config.remotes[n]!
        return `${n === config.default ? "*" : " "} ${n}  ${r.url}${r.endpoint === undefined ? "" : `  endpoint ${r.endpoint}`}${r.region === undefined ? "" : `  region ${r.region}`}`
      }).join("\n"))
    })
  )).pipe(Command.withDescription("list the remotes (* marks the default)"))

const remove = Command.make("remove", { ...storeFlags, name: nameArg }, (flags) =>
  withEngine(
    flags,
    Effect.gen(function*() {
      const config = yield* readRemotes(projectDir())
      if (config.remotes[flags.name] === undefined) {
        return yield* new UsageError({ message: `remote remove ${flags.name}: no such remote (${Object.keys(config.remotes).join(", ") || "none configured"})` })
      }
      const { [flags.name]: _gone, ...rest } = config.remotes
      const def = config.default === flags.name ? undefined : config.default
      yield* writeRemotes(projectDir(), { ...(def === undefined ? {} : { default: def }), remotes: rest })
      yield* out(`${shownFile()}: removed ${flags.name}`)
    })
  )).pipe(Command.withDescription("remove a remote from the configuration (its contents stay where they are)"))

export const remote = Command.make("remote").pipe(
  Command.withDescription("manage the remotes push, pull and fetch use (pipeline/remotes.yaml)"),
  Command.withSubcommands([add, list, remove])
)
