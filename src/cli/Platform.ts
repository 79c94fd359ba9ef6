/**
 * The services effect's cli module asks of its host. @effect/platform-node is not
 * a dependency (the v4 line ships cli inside `effect`), and grokflow's flags are
 * plain strings, so a small Node-backed set suffices: real args and stdout,
 * a terminal that reports its size, and stubs for what no command uses
 * (file-typed flags, prompts, child processes).
 */
import { Effect, FileSystem, Layer, Path, Sink, Stdio, Stream, Terminal } from "effect"
import { ChildProcessSpawner } from "effect/process"

const writeSink = (stream: NodeJS.WriteStream) =>
  Sink.forEach((chunk: string | Uint8Array) => Effect.sync(() => void stream.write(chunk)))

export const nodeCliLayer = (argv: ReadonlyArray<string>) =>
  Layer.mergeAll(
    FileSystem.layerNoop({}),
    Path.layer,
    Layer.succeed(
      Stdio.Stdio,
      Stdio.make({
        args: Effect.succeed([...argv]),
        stdout: () => writeSink(process.stdout),
        stderr: () => writeSink(process.stderr),
        stdin: Stream.empty,
        stdoutIsTerminal: Effect.sync(() => process.stdout.isTTY === true),
        stderrIsTerminal: Effect.sync(() => process.stderr.isTTY === true)
      })
    ),
    Layer.succeed(
      Terminal.Terminal,
      Terminal.make({
        columns: Effect.sync(() => process.stdout.columns ?? 80),
        rows: Effect.sync(() => process.stdout.rows ?? 24),
        size: Effect.die("grokflow: terminal size stream not supported"),
        readInput: Effect.die("grokflow: interactive input not supported"),
        readLine: Effect.die("grokflow: interactive input not supported"),
        display: (text) => Effect.sync(() => void process.stdout.write(text))
      })
    ),
    Layer.succeed(
      ChildProcessSpawner.ChildProcessSpawner,
      ChildProcessSpawner.make(() => Effect.die("grokflow: child processes are not spawned by the cli layer"))
    )
  )
