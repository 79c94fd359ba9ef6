/**
 * `grokflow runner --db URL`: serve training units to coordinators
 * (`grokflow run --executor cluster`) until stopped. One per machine; it trains
 * with this machine's worker pool and must run from the coordinator's commit
 * with its backend (src/executor/cluster/RunnerServer.ts says why and checks it).
 */
import * as os from "node:os"
import * as path from "node:path"
import { Effect, Layer, Option } from "effect"
import { Command, Flag } from "effect/cli"
import { projectRoot } from "../../engine/index.ts"
import { dbUrlProblem, describeDb, parseAddress } from "../../executor/cluster/Address.ts"
import { applyNumerics, backendFlag, numericsFlag, out, setExitCode } from "../Shared.ts"

export const dbFlag = Flag.String("db").pipe(
  Flag.withDescription("PostgreSQL URL shared by the runners and the coordinator, e.g. postgres://grokflow@dbhost:5432/grokflow")
)

const listenFlag = Flag.String("listen").pipe(
  Flag.withDescription("HOST:PORT this runner listens on; other machines must reach it (default 127.0.0.1:34431, this machine only)"),
  Flag.withDefault("127.0.0.1:34431")
)

const advertiseFlag = Flag.String("advertise").pipe(
  Flag.withDescription("HOST:PORT other processes use to reach this runner, when it differs from --listen (listening on 0.0.0.0, NAT)"),
  Flag.optional
)

const workersFlag = Flag.Int("workers").pipe(
  Flag.withDescription("training workers (cells at once on this machine); default: available cores"),
  Flag.optional
)

const workDirFlag = Flag.String("work-dir").pipe(
  Flag.withDescription("where unit checkpoints live while they train (default: a directory under the system temp dir)"),
  Flag.optional
)

const fail = (message: string) =>
  Effect.sync(() => {
    process.stderr.write(`grokflow: runner: ${message}\n`)
    setExitCode(2)
  })

export const runner = Command.make(
  "runner",
  { db: dbFlag, listen: listenFlag, advertise: advertiseFlag, workers: workersFlag, workDir: workDirFlag, backend: backendFlag, numerics: numericsFlag },
  (flags) =>
    Effect.gen(function*() {
      const badDb = dbUrlProblem(flags.db)
      if (badDb !== undefined) return yield* fail(badDb)
      applyNumerics(flags.numerics)
      const listen = parseAddress(flags.listen)
      if (listen === undefined) return yield* fail(`--listen ${flags.listen}: expected HOST:PORT`)
      const advertise = Option.isSome(flags.advertise) ? parseAddress(flags.advertise.value) : listen
      if (advertise === undefined) return yield* fail(`--advertise ${Option.getOrElse(flags.advertise, () => "")}: expected HOST:PORT`)
      if (advertise.host === "0.0.0.0" || advertise.host === "::") {
        return yield* fail(`--listen ${flags.listen} is not an address others can reach; add --advertise HOST:PORT`)
      }
      const workers = Option.getOrElse(flags.workers, () => os.availableParallelism())
      if (workers < 1) return yield* fail(`--workers ${workers}: expected at least 1`)
      const self = `${advertise.host}:${advertise.port}`
      const workDir = Option.getOrElse(flags.workDir, () => path.join(os.tmpdir(), `grokflow-runner-${advertise.port}`))
      const log = (line: string) => void process.stdout.write(`[runner ${self}] ${new Date().toISOString()} ${line}\n`)
      // Loaded here so that no other command pays for the cluster modules.
      const { runnerLayer } = yield* Effect.promise(() => import("../../executor/cluster/RunnerServer.ts"))
      yield* Effect.scoped(
        Effect.gen(function*() {
          yield* Layer.build(runnerLayer({ db: flags.db, listen, advertise, workers, backend: flags.backend, root: projectRoot(), workDir, log }))
          yield* out(`[runner ${self}] ready: ${workers} workers, backend ${flags.backend}, database ${describeDb(flags.db)}`)
          return yield* Effect.never
        })
      ).pipe(
        Effect.catch((e) =>
          Effect.sync(() => {
            process.stderr.write(`grokflow: runner ${self}: cannot serve: ${e.message}\n`)
            setExitCode(1)
          })
        )
      )
    })
).pipe(Command.withDescription("serve training units to `run --executor cluster` coordinators through a shared PostgreSQL database"))
