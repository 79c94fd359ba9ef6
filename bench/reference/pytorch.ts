/**
 * Runs the PyTorch references (bench/reference/*_reference.py) with the system Python.
 * Debian's torch lives in /usr/bin/python3's dist-packages, not in a pyenv interpreter
 * that may come first on PATH, hence the default; GROKFLOW_PYTHON overrides it.
 */
import { execFile } from "node:child_process"
import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"

/** Which reference script and variant: the MLP (standard or folded) or the attention model. */
export type Reference = "mlp" | "mlp-folded" | "attention"

const scripts: Record<Reference, { readonly file: string; readonly args: ReadonlyArray<string> }> = {
  mlp: { file: "./mlp_reference.py", args: [] },
  "mlp-folded": { file: "./mlp_reference.py", args: ["--folded"] },
  attention: { file: "./attention_reference.py", args: [] }
}

const scriptArgs = (reference: Reference): Array<string> => [fileURLToPath(new URL(scripts[reference].file, import.meta.url)), ...scripts[reference].args]

export const pythonPath = (): string =>
  process.env.GROKFLOW_PYTHON ?? (existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3")

const run = (args: ReadonlyArray<string>, threads: number): Promise<string> =>
  new Promise((resolve, reject) => {
    // OpenBLAS and OpenMP size their pools from the environment at load time;
    // torch.set_num_threads alone leaves OpenBLAS's pool at the core count.
    const env = { ...process.env, OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads) }
    execFile(pythonPath(), [...args], { env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error !== null) reject(new Error(`${pythonPath()} ${args.join(" ")} failed: ${stderr.trim() || error.message}`))
      else resolve(stdout)
    })
  })

/** torch's version, or the reason the reference cannot run here. */
export const probeTorch = async (): Promise<{ readonly version: string } | { readonly reason: string }> => {
  try {
    const out = await run(["-c", "import torch, numpy; print(torch.__version__)"], 1)
    return { version: out.trim() }
  } catch (e) {
    return { reason: e instanceof Error ? e.message.split("\n").at(-1) ?? e.message : String(e) }
  }
}

/** Which BLAS torch's matrix products go through (the 20× question on Debian). */
export const blasLibrary = async (): Promise<string> => {
  const out = await run(["-c", [
    "import torch, re",
    "libs = open('/proc/self/maps').read()",
    "m = sorted(set(re.findall(r'/\\S*(?:openblas|blas)\\S*\\.so\\S*', libs)))",
    "print(' '.join(m) or 'unknown')"
  ].join("\n")], 1)
  return out.trim()
}

export interface TorchSpeed {
  readonly threads: number
  readonly steps: number
  readonly seeds: number
  readonly seconds: number
  /** CPU time of all the reference's threads (spin-waits included). */
  readonly cpuSeconds: number
  readonly modelStepsPerSecond: number
}

export const torchSpeed = async (reference: Reference, manifest: string, steps: number, threads: number): Promise<TorchSpeed> => {
  const out = await run([...scriptArgs(reference), manifest, "--mode", "speed", "--steps", String(steps), "--threads", String(threads)], threads)
  return JSON.parse(out) as TorchSpeed
}

/** Per-seed train loss at steps 0..steps, indexed [step][seed]. */
export const torchLosses = async (reference: Reference, manifest: string, steps: number): Promise<ReadonlyArray<ReadonlyArray<number>>> => {
  const out = await run([...scriptArgs(reference), manifest, "--mode", "losses", "--steps", String(steps), "--threads", "1"], 1)
  return (JSON.parse(out) as { trainLoss: ReadonlyArray<ReadonlyArray<number>> }).trainLoss
}
