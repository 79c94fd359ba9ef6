/**
 * The modular-arithmetic task (docs/protocol.md §1): every ordered pair (a, b) with its
 * label (a op b) mod p, and one train/test split per seed.
 */
import type { CellSpec, Operation } from "./CellSpec.ts"
import { seedRng } from "./seeding.ts"

export interface Dataset {
  readonly p: number
  /** Operands and label of every valid pair, in (a, b) row-major order. */
  readonly a: Int32Array
  readonly b: Int32Array
  readonly y: Int32Array
  readonly size: number
}

const mod = (x: number, p: number): number => ((x % p) + p) % p

/** b^(p-2) mod p: the inverse for prime p (Fermat), in exact integer arithmetic. */
export const modInverse = (b: number, p: number): number => {
  let result = 1
  let base = mod(b, p)
  let e = p - 2
  while (e > 0) {
    if (e & 1) result = (result * base) % p
    base = (base * base) % p
    e >>= 1
  }
  return result
}

export const applyOp = (op: Operation, a: number, b: number, p: number): number => {
  switch (op) {
    case "add":
      return mod(a + b, p)
    case "sub":
      return mod(a - b, p)
    case "mul":
      return mod(a * b, p)
    case "div":
      return mod(a * modInverse(b, p), p)
  }
}

/** All p² pairs (div: the p(p−1) pairs with b ≠ 0). */
export const buildDataset = (p: number, op: Operation): Dataset => {
  const a: Array<number> = []
  const b: Array<number> = []
  const y: Array<number> = []
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < p; j++) {
      if (op === "div" && j === 0) continue
      a.push(i)
      b.push(j)
      y.push(applyOp(op, i, j, p))
    }
  }
  return { p, a: Int32Array.from(a), b: Int32Array.from(b), y: Int32Array.from(y), size: a.length }
}

export interface Split {
  /** Dataset row indices; train is the first round(fraction·N) of the seed's permutation. */
  readonly train: Int32Array
  readonly test: Int32Array
}

/** Train-set size: round(fraction·N) (or ⌊fraction·N⌋, paper B's split), kept within
 * [1, N−1] so both sides exist. */
export const trainSize = (n: number, fraction: number, rounding: "round" | "floor" = "round"): number =>
  Math.min(n - 1, Math.max(1, rounding === "floor" ? Math.floor(fraction * n) : Math.round(fraction * n)))

/** The seed's own permutation (Fisher–Yates on the seed's "split" stream). */
export const seedSplit = (spec: CellSpec, seed: number, data: Dataset): Split => {
  const rng = seedRng(spec, seed, "split")
  const perm = new Int32Array(data.size)
  for (let i = 0; i < perm.length; i++) perm[i] = i
  for (let i = perm.length - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1)
    const t = perm[i]
    perm[i] = perm[j]
    perm[j] = t
  }
  const nTrain = trainSize(data.size, spec.task.trainFraction, spec.task.splitRounding)
  return { train: perm.slice(0, nTrain), test: perm.slice(nTrain) }
}
