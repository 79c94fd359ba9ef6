/**
 * Compiles the kernel module once per process and instantiates it over a fresh
 * arena per model: every array handed to a kernel is a view into that arena.
 * null when wasm SIMD is unavailable, so callers keep their JS loops.
 */
import { wasm } from "./assembler.ts"
import type { WasmMemory } from "./assembler.ts"
import { kernelModule } from "./kernels.ts"

/** A bump allocator of 16-byte-aligned typed views over one wasm memory. */
export class SimdArena {
  readonly memory: WasmMemory
  private top = 16
  private readonly bytes: number
  constructor(bytes: number) {
    const pages = Math.ceil((bytes + 1024) / 65536)
    this.bytes = pages * 65536
    const api = wasm()
    if (api === undefined) throw new Error("WebAssembly is not available")
    this.memory = new api.Memory({ initial: pages })
  }
  private reserve(count: number): number {
    const at = this.top
    this.top = (at + count * 4 + 15) & ~15
    if (this.top > this.bytes) throw new Error(`SimdArena: out of memory (${this.top} > ${this.bytes})`)
    return at
  }
  f32(count: number): Float32Array {
    return new Float32Array(this.memory.buffer, this.reserve(count), count)
  }
  i32(count: number): Int32Array {
    return new Int32Array(this.memory.buffer, this.reserve(count), count)
  }
}

export interface SimdKernels {
  readonly arena: SimdArena
  /** P and Q rows are `stride` floats apart (H when separate, 2H when interleaved). */
  gatherGelu(n: number, H: number, stride: number, a: Int32Array, b: Int32Array, P: Float32Array, Q: Float32Array, b1: Float32Array, h: Float32Array, g: Float32Array): void
  gelu(count: number, x: Float32Array, h: Float32Array, g: Float32Array): void
  scatter(n: number, H: number, stride: number, a: Int32Array, b: Int32Array, dx: Float32Array, g: Float32Array, dP: Float32Array, dQ: Float32Array): void
  /** Parameter-free LayerNorm over rows of H (multiple of 4); rstd per row. */
  lnForward(n: number, H: number, eps: number, h: Float32Array, y: Float32Array, rstd: Float32Array): void
  lnBackward(n: number, H: number, dx: Float32Array, y: Float32Array, rstd: Float32Array): void
  /** out[r] = base + Σ_k w[r·K+k]·T[idx[r·K+k]] over rows of `width` floats (multiple of 4). */
  combine(n: number, K: number, width: number, idx: Int32Array, w: Float32Array, T: Float32Array, base: Float32Array, out: Float32Array): void
  /** Adjoint of combine: dw[r·K+k] = dout[r]·T[idx[r·K+k]]; dT[idx[r·K+k]] += w[r·K+k]·dout[r]. */
  combineBack(n: number, K: number, width: number, idx: Int32Array, w: Float32Array, T: Float32Array, dout: Float32Array, dw: Float32Array, dT: Float32Array): void
  /** AdamW over `count` elements (multiple of 4); see `adam` above for the scalars. */
  adam(count: number, w: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, s: AdamScalars): void
}

export interface AdamScalars {
  readonly beta1: number
  readonly c1: number
  readonly beta2: number
  readonly c2: number
  readonly stepSize: number
  readonly invSqrtBc2: number
  readonly eps: number
  readonly pre: number
  readonly post: number
}

let cachedModule: object | null | undefined

const compiled = (): object | null => {
  if (cachedModule !== undefined) return cachedModule
  try {
    const api = wasm()
    const bytes = kernelModule()
    cachedModule = api !== undefined && api.validate(bytes) ? new api.Module(bytes) : null
  } catch {
    cachedModule = null
  }
  return cachedModule
}

type Fn = (...args: Array<number>) => void

/**
 * Kernels over a fresh arena of `bytes`; every array passed to them must be a view
 * allocated from that arena. null when wasm SIMD is unavailable.
 */
export const loadSimdKernels = (bytes: number): SimdKernels | null => {
  const mod = compiled()
  if (mod === null) return null
  const arena = new SimdArena(bytes)
  const api = wasm()
  if (api === undefined) return null
  const exports = new api.Instance(mod, { env: { memory: arena.memory } }).exports as Record<string, Fn>
  const ptr = (x: Int32Array | Float32Array): number => {
    if (x.buffer !== arena.memory.buffer) throw new Error("SIMD kernel argument is not in its arena")
    return x.byteOffset
  }
  const checkH = (H: number): void => {
    if (H % 4 !== 0) throw new Error(`SIMD kernels need H % 4 == 0 (H=${H})`)
  }
  return {
    arena,
    gatherGelu(n, H, stride, a, b, P, Q, b1, h, g) {
      checkH(H)
      if (stride % 4 !== 0) throw new Error(`SIMD kernels need stride % 4 == 0 (${stride})`)
      exports.gatherGelu(n, H * 4, stride * 4, ptr(a), ptr(b), ptr(P), ptr(Q), ptr(b1), ptr(h), ptr(g))
    },
    gelu(count, x, h, g) {
      if (count % 4 !== 0) throw new Error(`SIMD gelu: count must be a multiple of 4 (${count})`)
      exports.gelu(count * 4, ptr(x), ptr(h), ptr(g))
    },
    lnForward(n, H, eps, h, y, rstd) {
      checkH(H)
      exports.lnForward(n, H * 4, 1 / H, eps, ptr(h), ptr(y), ptr(rstd))
    },
    lnBackward(n, H, dx, y, rstd) {
      checkH(H)
      exports.lnBackward(n, H * 4, 1 / H, ptr(dx), ptr(y), ptr(rstd))
    },
    adam(count, w, g, m, v, sc) {
      if (count % 4 !== 0) throw new Error(`SIMD adam: count must be a multiple of 4 (${count})`)
      exports.adam(count * 4, ptr(w), ptr(g), ptr(m), ptr(v), sc.beta1, sc.c1, sc.beta2, sc.c2, sc.stepSize, sc.invSqrtBc2, sc.eps, sc.pre, sc.post)
    },
    combine(n, K, width, idx, w, T, base, out) {
      checkH(width)
      exports.combine(n, K, width * 4, ptr(idx), ptr(w), ptr(T), ptr(base), ptr(out))
    },
    combineBack(n, K, width, idx, w, T, dout, dw, dT) {
      checkH(width)
      exports.combineBack(n, K, width * 4, ptr(idx), ptr(w), ptr(T), ptr(dout), ptr(dw), ptr(dT))
    },
    scatter(n, H, stride, a, b, dx, g, dP, dQ) {
      checkH(H)
      if (stride % 4 !== 0) throw new Error(`SIMD kernels need stride % 4 == 0 (${stride})`)
      exports.scatter(n, H * 4, stride * 4, ptr(a), ptr(b), ptr(dx), ptr(g), ptr(dP), ptr(dQ))
    }
  }
}
