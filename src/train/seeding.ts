/**
 * Seedable randomness for everything the training core draws (splits, inits), kept
 * in plain JS so a cell's numbers never depend on a tfjs backend's RNG.
 *
 * Matched-counterfactual seeding (docs/protocol.md §3): the base seed hashes only the
 * quantities that define "the same configuration" — (p, op, trainFraction, model
 * shape, weightDecay) — and never the intervention, rho, tau, lr, loss or numerics,
 * so a control and all its arms share init, split and pre-intervention trajectory.
 */
import { createHash } from "node:crypto"
import type { CellSpec } from "./CellSpec.ts"

/** Canonical JSON (sorted keys) so a hash does not depend on property order. */
export const canonicalJson = (value: unknown): string => {
  if (value === null || typeof value !== "object") return JSON.stringify(value)
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`
}

/** 128 bits of a sha256 over the canonical JSON of `parts`, as four uint32 words. */
export const hashWords = (...parts: ReadonlyArray<unknown>): [number, number, number, number] => {
  const digest = createHash("sha256").update(canonicalJson(parts)).digest()
  return [digest.readUInt32LE(0), digest.readUInt32LE(4), digest.readUInt32LE(8), digest.readUInt32LE(12)]
}

/** What two cells must agree on to share init and split. */
export const matchedSeedKey = (spec: CellSpec) => ({
  p: spec.task.p,
  op: spec.task.op,
  trainFraction: spec.task.trainFraction,
  model: spec.model,
  weightDecay: spec.optimizer.weightDecay
})

/** The cell's base seed (hex), for provenance in reports. */
export const baseSeedOf = (spec: CellSpec): string =>
  hashWords("grokflow-base-seed-v1", matchedSeedKey(spec)).map((w) => w.toString(16).padStart(8, "0")).join("")

/**
 * xoshiro128** (Blackman & Vigna): small, fast, full 2^128 period, and its whole
 * state is four words, so checkpoints can store it exactly.
 */
export class Rng {
  private readonly s: Uint32Array
  constructor(state: ArrayLike<number>) {
    this.s = new Uint32Array(4)
    for (let i = 0; i < 4; i++) this.s[i] = state[i] >>> 0
    // The all-zero state is the one fixed point of xoshiro; nudge it.
    if ((this.s[0] | this.s[1] | this.s[2] | this.s[3]) === 0) this.s[0] = 0x9e3779b9
  }
  static fromKey(...parts: ReadonlyArray<unknown>): Rng {
    return new Rng(hashWords(...parts))
  }
  state(): [number, number, number, number] {
    return [this.s[0], this.s[1], this.s[2], this.s[3]]
  }
  nextUint32(): number {
    const s = this.s
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0
    const t = s[1] << 9
    s[2] ^= s[0]
    s[3] ^= s[1]
    s[1] ^= s[2]
    s[0] ^= s[3]
    s[2] ^= t
    s[3] = rotl(s[3], 11)
    return result
  }
  /** Uniform in [0, 1) with 53 random bits. */
  nextDouble(): number {
    const hi = this.nextUint32() >>> 5
    const lo = this.nextUint32() >>> 6
    return (hi * 67108864 + lo) / 9007199254740992
  }
  /** Uniform integer in [0, n) without modulo bias. */
  nextInt(n: number): number {
    if (n <= 0) throw new Error(`nextInt(${n})`)
    const limit = Math.floor(4294967296 / n) * n
    for (;;) {
      const x = this.nextUint32()
      if (x < limit) return x % n
    }
  }
  /** Standard normal via Box–Muller in float64 (both halves used). */
  private spare: number | null = null
  nextNormal(): number {
    if (this.spare !== null) {
      const v = this.spare
      this.spare = null
      return v
    }
    let u = 0
    while (u === 0) u = this.nextDouble()
    const v = this.nextDouble()
    const r = Math.sqrt(-2 * Math.log(u))
    this.spare = r * Math.sin(2 * Math.PI * v)
    return r * Math.cos(2 * Math.PI * v)
  }
}

const rotl = (x: number, k: number): number => ((x << k) | (x >>> (32 - k))) >>> 0

/** Per-seed stream for one purpose ("split", "init"), derived from the matched key. */
export const seedRng = (spec: CellSpec, seed: number, purpose: "split" | "init"): Rng =>
  Rng.fromKey("grokflow-seed-v1", matchedSeedKey(spec), seed, purpose)
