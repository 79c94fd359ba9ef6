/**
 * `npm run bench -- engine`: the cost of a no-op rerun. A 50-node profile over the
 * fixture stages (10 chains of source → double, parity → label, summary) is run
 * once to fill a temp store, then rerun with everything cached, timed two ways:
 *
 * - in process: the `run` command after the modules are loaded, i.e. what the
 *   engine itself costs (profile validation, code digests, 50 keys, 50 verified
 *   store hits, refs);
 * - as a CLI process: `node bin/grokflow.js run ...` wall time, which adds Node,
 *   tsx and module loading; `grokflow --version` is timed too, to show that share.
 *
 * Median of 5 runs each. Nothing touches ./cache.
 */
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { main as cliMain } from "../src/cli/main.ts"

const ROOT = path.resolve(import.meta.dirname, "..")
const CHAINS = 10
const REPEATS = 5

const profileYaml = (): string => {
  const lines = ["description: 50-node no-op benchmark over the engine fixtures", "stages:"]
  for (let i = 0; i < CHAINS; i++) {
    lines.push(
      `  s${i}: { stage: source, config: { value: ${i} } }`,
      `  d${i}: { stage: double, needs: { src: s${i} } }`,
      `  p${i}: { stage: parity, needs: { src: s${i} } }`,
      `  l${i}: { stage: label, needs: { p: p${i} } }`,
      `  m${i}: { stage: summary, needs: { d: d${i}, p: p${i} } }`
    )
  }
  return lines.join("\n") + "\n"
}

const median = (xs: ReadonlyArray<number>): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

/** Runs the CLI in this process with its output swallowed; returns [exit code, seconds]. */
const inProcess = async (args: ReadonlyArray<string>): Promise<[number, number, string]> => {
  const out = process.stdout.write.bind(process.stdout)
  const err = process.stderr.write.bind(process.stderr)
  let captured = ""
  const swallow = (chunk: string | Uint8Array): boolean => {
    captured += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString()
    return true
  }
  process.stdout.write = swallow as typeof process.stdout.write
  process.stderr.write = swallow as typeof process.stderr.write
  const t0 = performance.now()
  try {
    const code = await cliMain(args)
    return [code, (performance.now() - t0) / 1000, captured]
  } finally {
    process.stdout.write = out
    process.stderr.write = err
  }
}

const asProcess = (args: ReadonlyArray<string>): [number, number, string] => {
  const t0 = performance.now()
  const r = spawnSync(process.execPath, [path.join(ROOT, "bin/grokflow.js"), ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, CI: "1" } })
  return [r.status ?? -1, (performance.now() - t0) / 1000, `${r.stdout}${r.stderr}`]
}

export async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "grokflow-bench-"))
  try {
    const profile = path.join(dir, "bench50.yaml")
    fs.writeFileSync(profile, profileYaml())
    const args = ["run", "--profile", profile, "--stages-dir", path.join(ROOT, "test/fixtures/stages"), "--cache-dir", path.join(dir, "cache")]

    const [fillCode, fillSeconds, fillOut] = await inProcess(args)
    if (fillCode !== 0) throw new Error(`bench: filling the cache failed (exit ${fillCode}):\n${fillOut}`)

    const inproc: Array<number> = []
    for (let i = 0; i < REPEATS; i++) {
      const [code, seconds, output] = await inProcess(args)
      if (code !== 0 || !output.includes("ran 0, reused 50")) throw new Error(`bench: rerun was not a no-op:\n${output}`)
      inproc.push(seconds)
    }
    const proc: Array<number> = []
    const startup: Array<number> = []
    for (let i = 0; i < REPEATS; i++) {
      const [code, seconds, output] = asProcess(args)
      if (code !== 0 || !output.includes("ran 0, reused 50")) throw new Error(`bench: CLI rerun was not a no-op:\n${output}`)
      proc.push(seconds)
      startup.push(asProcess(["--version"])[1])
    }
    const load = os.loadavg()[0]
    console.log(`first run (50 stages, cache empty): ${fillSeconds.toFixed(2)} s in process`)
    console.log(`engine no-op rerun (50 stages): ${median(inproc).toFixed(2)} s in process (median of ${REPEATS})`)
    console.log(`engine no-op rerun (50 stages): ${median(proc).toFixed(2)} s as a CLI process (median of ${REPEATS}; \`grokflow --version\` alone: ${median(startup).toFixed(2)} s)`)
    console.log(`machine: ${os.availableParallelism()} cores, load average ${load.toFixed(2)}, node ${process.version}`)
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}
