/**
 * `npm run bench -- gemm`: GFLOP/s of the host GEMMs on the MLP's real products
 * (p=59, fraction 0.4: n=1392 train rows, d=128, H=256), per CPU-second of this
 * process, so a shared machine disturbs it less than wall time: the portable GEMM
 * down each kernel path this CPU has, and OpenBLAS (its own kernel family) where it
 * is installed. Interleaved rounds, best of GROKFLOW_BENCH_REPEATS (default 5); each
 * timing repeats the product for ≥ 50 ms. Also checks that every portable path gives
 * the scalar path's bits on each shape.
 */
import { loadavg } from "node:os"
import { loadNativeBlas, type NativeBlas } from "../src/train/simd/nativeBlas.ts"
import { loadPortableGemm } from "../src/train/simd/portableGemm.ts"
import { envInt } from "./common.ts"

const [n, d, H, p] = [1392, 128, 256, 59]

/** [name, transA, transB, m, n, k, beta] as src/train/models/mlp.ts calls them. */
const SHAPES: ReadonlyArray<readonly [string, boolean, boolean, number, number, number, number]> = [
  ["PQ = E·W1cat", false, false, p, 2 * H, d, 0],
  ["z = x·W2 + b2", false, false, n, p, H, 1],
  ["dW2 = xᵀ·dz", true, false, H, p, n, 0],
  ["dx = dz·W2ᵀ", false, true, n, H, p, 0],
  ["dW1cat = Eᵀ·dPQ", true, false, d, 2 * H, p, 0],
  ["dE = dPQ·W1catᵀ", false, true, p, d, 2 * H, 0],
  ["db2 = 1ᵀ·dz", false, false, 1, p, n, 0]
]

const cpuMs = (): number => {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

const operand = (size: number, seed: number): Float32Array => Float32Array.from({ length: size }, (_, i) => Math.fround(Math.sin(i * 1.7 + seed)))

/** GFLOP/s of one product, repeated for at least 50 ms of CPU. */
const rate = (g: NativeBlas, [, ta, tb, m, nn, k, beta]: (typeof SHAPES)[number], A: Float32Array, B: Float32Array, C: Float32Array): number => {
  let reps = 0
  const t0 = cpuMs()
  let t = t0
  while (t - t0 < 50) {
    g.sgemm(ta, tb, m, nn, k, A, B, C, beta)
    reps++
    if (reps % 8 === 0) t = cpuMs()
  }
  t = cpuMs()
  return (2 * m * nn * k * reps) / ((t - t0) * 1e6)
}

export async function main(): Promise<void> {
  const repeats = envInt("GROKFLOW_BENCH_REPEATS", 5)
  const portable = loadPortableGemm()
  if (!("gemm" in portable)) {
    console.log(`gemm bench: the portable GEMM does not build here: ${portable.reason}`)
    return
  }
  const gemm = portable.gemm
  const blas = loadNativeBlas()
  const columns = [...gemm.kernels(), ...("blas" in blas ? [`openblas:${blas.blas.corename()}`] : [])]
  console.log(`gemm bench: GFLOP/s per CPU-second, best of ${repeats}; load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}`)
  if (!("blas" in blas)) console.log(`(OpenBLAS unavailable: ${blas.reason})`)
  console.log(`${"product".padEnd(34)}${columns.map((c) => c.padStart(18)).join("")}   bits`)
  const totals = new Map<string, number>()
  for (const shape of SHAPES) {
    const [label, , , m, nn, k] = shape
    const A = operand(m * k, 1)
    const B = operand(k * nn, 2)
    const best = new Map<string, number>()
    const bits = new Set<string>()
    for (let r = 0; r < repeats; r++) {
      for (const column of columns) {
        const C = operand(m * nn, 3)
        let g: NativeBlas
        if (column.startsWith("openblas:") && "blas" in blas) g = blas.blas
        else {
          gemm.select(column as "scalar")
          g = gemm
        }
        // The scalar path is ~50× slower: one round tells its rate well enough.
        if (column === "scalar" && r > 0) continue
        best.set(column, Math.max(best.get(column) ?? 0, rate(g, shape, A, B, C)))
        if (r === 0 && !column.startsWith("openblas:")) {
          const out = operand(m * nn, 3)
          g.sgemm(shape[1], shape[2], m, nn, k, A, B, out, shape[6])
          bits.add(Buffer.from(out.buffer).toString("base64"))
        }
      }
    }
    const flops = 2 * m * nn * k
    for (const column of columns) totals.set(column, (totals.get(column) ?? 0) + flops / (best.get(column) ?? 1))
    const shapeText = `${label} ${m}×${nn}×${k}`
    console.log(`${shapeText.padEnd(34)}${columns.map((c) => (best.get(c) ?? 0).toFixed(1).padStart(18)).join("")}   ${bits.size === 1 ? "same" : "DIFFER"}`)
  }
  gemm.select(gemm.kernels().at(-1) ?? "scalar")
  const flopsAll = SHAPES.reduce((a, [, , , m, nn, k]) => a + 2 * m * nn * k, 0)
  console.log(`${"all seven (one seed-step's GEMMs)".padEnd(34)}${columns.map((c) => (flopsAll / (totals.get(c) ?? 1)).toFixed(1).padStart(18)).join("")}`)
  console.log(`one seed-step's GEMMs, CPU ms: ${columns.map((c) => `${c} ${((totals.get(c) ?? 0) / 1e6).toFixed(3)}`).join(", ")}`)
}
