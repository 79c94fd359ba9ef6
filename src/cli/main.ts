/**
 * `grokflow`: parses the command line with effect's cli module and runs the
 * command in a fiber that SIGINT/SIGTERM interrupt. Interruption runs every
 * finalizer (locks released; writes are atomic so nothing is half-written) and
 * exits 130, so the next run resumes from the stages and cells that finished.
 *
 * Exit codes: 0 ok; 1 a stage failed, the store is corrupt or unusable; 2 a user
 * mistake (bad flag, bad profile, unknown stage); 130 interrupted.
 */
import { Cause, Effect, Exit, Fiber } from "effect"
import { Command } from "effect/cli"
import { commands } from "./commands/index.ts"
import { nodeCliLayer } from "./Platform.ts"
import { enterProject, projectFlag } from "./Project.ts"
import { takeExitCode } from "./Shared.ts"
import { unknownSubcommand } from "./unknownSubcommand.ts"

const VERSION = "0.1.0"

/** The command tree (the README's CLI reference is generated from it: reference.ts). */
export const grokflow = Command.make("grokflow").pipe(
  Command.withDescription("reproduce the grokking papers as a cached DAG of typed Effect stages"),
  Command.withSubcommands([...commands]),
  Command.withGlobalFlags([projectFlag])
)

export const main = (argv: ReadonlyArray<string>): Promise<number> => {
  const badProject = enterProject(argv)
  if (badProject !== undefined) {
    process.stderr.write(`grokflow: ${badProject}\n`)
    return Promise.resolve(2)
  }
  const unknown = unknownSubcommand(grokflow, argv)
  if (unknown !== undefined) {
    process.stderr.write(`grokflow: ${unknown}\n`)
    return Promise.resolve(2)
  }
  const program = Command.runWith(grokflow, { version: VERSION })(argv).pipe(Effect.provide(nodeCliLayer(argv)))
  const fiber = Effect.runFork(program)
  let interrupted = false
  const onSignal = () => {
    if (interrupted) return
    interrupted = true
    process.stderr.write("\n[grokflow] interrupted; releasing locks\n")
    Effect.runFork(Fiber.interrupt(fiber))
  }
  process.on("SIGINT", onSignal)
  process.on("SIGTERM", onSignal)
  return Effect.runPromise(Fiber.await(fiber)).then((exit) => {
    process.off("SIGINT", onSignal)
    process.off("SIGTERM", onSignal)
    const code = takeExitCode()
    if (Exit.isSuccess(exit)) return code
    if (interrupted || Cause.hasInterruptsOnly(exit.cause)) return 130
    const error = Cause.findErrorOption(exit.cause)
    if (error._tag === "Some") {
      const e = error.value as { readonly _tag?: string }
      // Parse errors were already printed with the help text by the cli module.
      if (typeof e._tag === "string") return 2
    }
    process.stderr.write(`grokflow: internal error\n${Cause.pretty(exit.cause)}\n`)
    return 1
  })
}

const isEntry = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, "/"))
if (isEntry || process.env.GROKFLOW_MAIN === "1") {
  main(process.argv.slice(2)).then((code) => process.exit(code))
}
