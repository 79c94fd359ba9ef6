/**
 * Hand-assembled WebAssembly SIMD kernels for the MLP's host-side loops.
 *
 * Why: the row gather + GELU and the embedding-gradient scatter-add run over n·H
 * elements per seed-step (356k at p=59). As V8 scalar loops they took ~45% of a step;
 * as 4-wide wasm SIMD they are several times cheaper. tfjs's own wasm kernels don't
 * help here (no fast gather, erf or exp; no segment sum).
 *
 * The module is emitted from this file (no toolchain): a few functions over one
 * WebAssembly.Memory, on which the caller allocates Float32Array/Int32Array views.
 * If the runtime rejects SIMD, `loadSimdKernels` returns null and callers keep their
 * JS loops.
 *
 * GELU: Φ from Abramowitz & Stegun 7.1.26 (|erf error| ≤ 1.5e−7), φ(x) = e^{−x²/2}/√(2π)
 * from the same exponential, h = x·Φ, g = Φ + x·φ. exp is Cody–Waite range reduction
 * plus cephes' expf polynomial, 2^k built in the exponent bits. All float32; within
 * ~5e−7 absolute of the exact GELU (tested), i.e. float32 rounding level, and
 * deterministic (wasm does not contract to FMA).
 */

/** The slice of the WebAssembly JS API used here (tsconfig's lib has no DOM/wasm types). */
interface WasmMemory {
  readonly buffer: ArrayBuffer
}
interface WasmApi {
  Memory: new (descriptor: { initial: number }) => WasmMemory
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> }
  validate(bytes: Uint8Array): boolean
}
const wasm = (): WasmApi | undefined => (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly

const uleb = (n: number): Array<number> => {
  const out: Array<number> = []
  do {
    let byte = n & 0x7f
    n >>>= 7
    if (n !== 0) byte |= 0x80
    out.push(byte)
  } while (n !== 0)
  return out
}

const sleb = (n: number): Array<number> => {
  const out: Array<number> = []
  for (;;) {
    const byte = n & 0x7f
    n >>= 7
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte)
      return out
    }
    out.push(byte | 0x80)
  }
}

type Code = Array<number>

const simd = (op: number): Code => [0xfd, ...uleb(op)]
const I32 = 0x7f
const V128 = 0x7b

// --- instructions -------------------------------------------------------------
const get = (i: number): Code => [0x20, ...uleb(i)]
const set = (i: number, e: Code): Code => [...e, 0x21, ...uleb(i)]
const i32c = (v: number): Code => [0x41, ...sleb(v)]
const i32add = (a: Code, b: Code): Code => [...a, ...b, 0x6a]
const i32mul = (a: Code, b: Code): Code => [...a, ...b, 0x6c]
const i32geU = (a: Code, b: Code): Code => [...a, ...b, 0x4f]
const i32load = (addr: Code): Code => [...addr, 0x28, 2, 0]
const vload = (addr: Code): Code => [...addr, ...simd(0x00), 4, 0]
const vstore = (addr: Code, value: Code): Code => [...addr, ...value, ...simd(0x0b), 4, 0]
const fconst = (c: number): Code => {
  const b = new Uint8Array(new Float32Array([c, c, c, c]).buffer)
  return [...simd(0x0c), ...b]
}
const iconst4 = (c: number): Code => {
  const b = new Uint8Array(new Int32Array([c, c, c, c]).buffer)
  return [...simd(0x0c), ...b]
}
const bin = (op: number) => (a: Code, b: Code): Code => [...a, ...b, ...simd(op)]
const un = (op: number) => (a: Code): Code => [...a, ...simd(op)]
const fadd = bin(0xe4)
const fsub = bin(0xe5)
const fmul = bin(0xe6)
const fdiv = bin(0xe7)
const fmax = bin(0xe9)
const flt = bin(0x43)
const fabs = un(0xe0)
const fnearest = un(0x6a)
const truncSat = un(0xf8)
const iadd4 = bin(0xae)
const ishl4 = (a: Code, k: number): Code => [...a, ...i32c(k), ...simd(0xab)]
const bitselect = (a: Code, b: Code, mask: Code): Code => [...a, ...b, ...mask, ...simd(0x52)]

/** `for (i = 0; i < limit; i += step) body` with i32 locals. */
const forLoop = (i: number, limit: Code, step: number, body: Code): Code => [
  ...set(i, i32c(0)),
  0x02, 0x40, // block
  0x03, 0x40, // loop
  ...i32geU(get(i), limit), 0x0d, 1, // br_if exit
  ...body,
  ...set(i, i32add(get(i), i32c(step))),
  0x0c, 0, // br loop
  0x0b, 0x0b // end loop, end block
]

/** e^y for y ≥ −87.3 (clamped below), float32 accuracy ~1 ulp·few. */
const expv = (y: Code, tmpY: number, tmpK: number): Code => {
  const yy = set(tmpY, fmax(y, fconst(-87.3)))
  const k = set(tmpK, fnearest(fmul(get(tmpY), fconst(1.4426950408889634))))
  // r = y − k·ln2 (Cody–Waite split), reuse tmpY for r.
  const r = set(tmpY, fsub(fsub(get(tmpY), fmul(get(tmpK), fconst(0.693359375))), fmul(get(tmpK), fconst(-2.12194440e-4))))
  const R = get(tmpY)
  const poly = fadd(
    fadd(
      fmul(
        fadd(fmul(fadd(fmul(fadd(fmul(fadd(fmul(fadd(fmul(fconst(1.9875691500e-4), R), fconst(1.3981999507e-3)), R), fconst(8.3334519073e-3)), R), fconst(4.1665795894e-2)), R), fconst(1.6666665459e-1)), R), fconst(5.0000001201e-1)),
        fmul(R, R)
      ),
      R
    ),
    fconst(1)
  )
  const scale = ishl4(iadd4(truncSat(get(tmpK)), iconst4(127)), 23)
  return [...yy, ...k, ...r, ...fmul(poly, scale)]
}

// Abramowitz & Stegun 7.1.26: erfc(z) ≈ t·(a1 + t(a2 + t(a3 + t(a4 + t·a5))))·e^{−z²},
// t = 1/(1 + 0.3275911·z), |error| ≤ 1.5e−7. Its e^{−z²} (z = |x|/√2) is also
// √(2π)·φ(x), so one exp serves both Φ and φ.
const AS = [0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429]

/**
 * Locals layout of the GELU body (v128): x, z, t, e, tmpY, tmpK, cdf.
 * Stores h and g at hAddr, gAddr.
 */
const geluBody = (L: { x: number; z: number; t: number; e: number; ty: number; tk: number; cdf: number }, hAddr: Code, gAddr: Code): Code => {
  const { x, z, t, e, ty, tk, cdf } = L
  let poly: Code = fconst(AS[4])
  for (let i = 3; i >= 0; i--) poly = fadd(fconst(AS[i]), fmul(get(t), poly))
  return [
    ...set(z, fmul(fabs(get(x)), fconst(Math.SQRT1_2))),
    ...set(t, fdiv(fconst(1), fadd(fconst(1), fmul(fconst(0.3275911), get(z))))),
    ...set(e, expv(fsub(fconst(0), fmul(get(z), get(z))), ty, tk)),
    // ½·erfc(|x|/√2); Φ = x < 0 ? that : 1 − that
    ...set(cdf, fmul(fmul(fconst(0.5), get(t)), fmul(poly, get(e)))),
    ...set(cdf, bitselect(get(cdf), fsub(fconst(1), get(cdf)), flt(get(x), fconst(0)))),
    ...vstore(hAddr, fmul(get(x), get(cdf))),
    // g = Φ + x·φ, φ = e/√(2π)
    ...vstore(gAddr, fadd(get(cdf), fmul(get(x), fmul(get(e), fconst(0.3989422804014327)))))
  ]
}

interface FnDef {
  readonly name: string
  /** Parameter count (all i32) or explicit value types. */
  readonly params: number | ReadonlyArray<number>
  readonly locals: ReadonlyArray<[number, number]>
  readonly body: Code
}

const F32 = 0x7d
const fsplat = (e: Code): Code => [...e, ...simd(0x13)]
const fsqrt = un(0xe3)
const lane = (v: Code, i: number): Code => [...v, ...simd(0x1f), i]
const sadd = (a: Code, b: Code): Code => [...a, ...b, 0x92]
const smul = (a: Code, b: Code): Code => [...a, ...b, 0x94]
const sdiv = (a: Code, b: Code): Code => [...a, ...b, 0x95]
const ssqrt = (a: Code): Code => [...a, 0x91]
const sconst = (c: number): Code => [0x43, ...new Uint8Array(new Float32Array([c]).buffer)]
const sload = (addr: Code): Code => [...addr, 0x2a, 2, 0]
const sstore = (addr: Code, value: Code): Code => [...addr, ...value, 0x38, 2, 0]
/** Sum of the four lanes of a v128 local. */
const hsum = (v: number): Code => sadd(sadd(lane(get(v), 0), lane(get(v), 1)), sadd(lane(get(v), 2), lane(get(v), 3)))

/**
 * lnForward(n, rowBytes, invH, eps, h, y, rstd): per row, y = (h − mean)·rstd with
 * rstd = 1/√(var + eps) (biased variance, two passes), rstd stored per row.
 */
const lnForward = (): FnDef => {
  const [n, rowBytes, invH, eps, h, y, rstd] = [0, 1, 2, 3, 4, 5, 6]
  const [r, j] = [7, 8]
  const [mean, rs] = [9, 10]
  const [acc, mv, c] = [11, 12, 13]
  const row: Code = [
    ...set(acc, fconst(0)),
    ...forLoop(j, get(rowBytes), 16, set(acc, fadd(get(acc), vload(i32add(get(h), get(j)))))),
    ...set(mean, smul(hsum(acc), get(invH))),
    ...set(mv, fsplat(get(mean))),
    ...set(acc, fconst(0)),
    ...forLoop(j, get(rowBytes), 16, [
      ...set(c, fsub(vload(i32add(get(h), get(j))), get(mv))),
      ...set(acc, fadd(get(acc), fmul(get(c), get(c))))
    ]),
    ...set(rs, sdiv(sconst(1), ssqrt(sadd(smul(hsum(acc), get(invH)), get(eps))))),
    ...sstore(i32add(get(rstd), i32mul(get(r), i32c(4))), get(rs)),
    ...set(c, fsplat(get(rs))),
    ...forLoop(j, get(rowBytes), 16, vstore(i32add(get(y), get(j)), fmul(fsub(vload(i32add(get(h), get(j))), get(mv)), get(c)))),
    ...set(h, i32add(get(h), get(rowBytes))),
    ...set(y, i32add(get(y), get(rowBytes)))
  ]
  return { name: "lnForward", params: [I32, I32, F32, F32, I32, I32, I32], locals: [[2, I32], [2, F32], [3, V128]], body: forLoop(r, get(n), 1, row) }
}

/** lnBackward(n, rowBytes, invH, dx, y, rstd): dx ← rstd·(dx − mean(dx) − y·mean(dx·y)) per row, in place. */
const lnBackward = (): FnDef => {
  const [n, rowBytes, invH, dx, y, rstd] = [0, 1, 2, 3, 4, 5]
  const [r, j] = [6, 7]
  const [a1, a2, m1, m2, rs] = [8, 9, 10, 11, 12]
  const row: Code = [
    ...set(a1, fconst(0)),
    ...set(a2, fconst(0)),
    ...forLoop(j, get(rowBytes), 16, [
      ...set(m1, vload(i32add(get(dx), get(j)))),
      ...set(a1, fadd(get(a1), get(m1))),
      ...set(a2, fadd(get(a2), fmul(get(m1), vload(i32add(get(y), get(j))))))
    ]),
    ...set(m1, fsplat(smul(hsum(a1), get(invH)))),
    ...set(m2, fsplat(smul(hsum(a2), get(invH)))),
    ...set(rs, fsplat(sload(i32add(get(rstd), i32mul(get(r), i32c(4)))))),
    ...forLoop(j, get(rowBytes), 16,
      vstore(
        i32add(get(dx), get(j)),
        fmul(get(rs), fsub(fsub(vload(i32add(get(dx), get(j))), get(m1)), fmul(vload(i32add(get(y), get(j))), get(m2))))
      )
    ),
    ...set(dx, i32add(get(dx), get(rowBytes))),
    ...set(y, i32add(get(y), get(rowBytes)))
  ]
  return { name: "lnBackward", params: [I32, I32, F32, I32, I32, I32], locals: [[2, I32], [5, V128]], body: forLoop(r, get(n), 1, row) }
}

/**
 * adam(bytes, w, g, m, v, beta1, c1, beta2, c2, stepSize, invSqrtBc2, eps, pre, post):
 *   m ← β1·m + c1·g;  v ← β2·v + c2·g²;  w ← (w·pre − stepSize·m/(√v·invSqrtBc2 + ε))·post
 * (float32 per element, as torch's AdamW; pre/post carry the decoupled decay).
 */
const adam = (): FnDef => {
  const [bytes, w, g, m, v] = [0, 1, 2, 3, 4]
  const scalars = [5, 6, 7, 8, 9, 10, 11, 12, 13] // beta1 c1 beta2 c2 stepSize invSqrtBc2 eps pre post
  const j = 14
  const [B1, C1, B2, C2, SS, IB, EPS, PRE, POST] = [15, 16, 17, 18, 19, 20, 21, 22, 23]
  const [gv, mv, vv] = [24, 25, 26]
  const splats: Code = scalars.flatMap((sc, i) => set(B1 + i, fsplat(get(sc))))
  const at = (base: number): Code => i32add(get(base), get(j))
  return {
    name: "adam",
    params: [I32, I32, I32, I32, I32, ...scalars.map(() => F32)],
    locals: [[1, I32], [12, V128]],
    body: [
      ...splats,
      ...forLoop(j, get(bytes), 16, [
        ...set(gv, vload(at(g))),
        ...set(mv, fadd(fmul(get(B1), vload(at(m))), fmul(get(C1), get(gv)))),
        ...set(vv, fadd(fmul(get(B2), vload(at(v))), fmul(get(C2), fmul(get(gv), get(gv))))),
        ...vstore(at(m), get(mv)),
        ...vstore(at(v), get(vv)),
        ...vstore(
          at(w),
          fmul(
            fsub(fmul(vload(at(w)), get(PRE)), fdiv(fmul(get(SS), get(mv)), fadd(fmul(fsqrt(get(vv)), get(IB)), get(EPS)))),
            get(POST)
          )
        )
      ])
    ]
  }
}

/**
 * gatherGelu(n, rowBytes, srcStride, a, b, P, Q, b1, h, g):
 *   for each row r: x = P[a[r]] + Q[b[r]] + b1; h[r] = GELU(x); g[r] = GELU'(x)
 * (P and Q rows are srcStride bytes apart: they may interleave in one [p, 2H] block).
 */
const gatherGelu = (): FnDef => {
  const [n, rowBytes, stride, a, b, P, Q, b1, h, g] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
  const [r, j, pa, qb] = [10, 11, 12, 13]
  const L = { x: 14, z: 15, t: 16, e: 17, ty: 18, tk: 19, cdf: 20 }
  const row: Code = [
    ...set(pa, i32add(get(P), i32mul(i32load(i32add(get(a), i32mul(get(r), i32c(4)))), get(stride)))),
    ...set(qb, i32add(get(Q), i32mul(i32load(i32add(get(b), i32mul(get(r), i32c(4)))), get(stride)))),
    ...forLoop(j, get(rowBytes), 16, [
      ...set(L.x, fadd(fadd(vload(i32add(get(pa), get(j))), vload(i32add(get(qb), get(j)))), vload(i32add(get(b1), get(j))))),
      ...geluBody(L, i32add(get(h), get(j)), i32add(get(g), get(j)))
    ]),
    ...set(h, i32add(get(h), get(rowBytes))),
    ...set(g, i32add(get(g), get(rowBytes)))
  ]
  return { name: "gatherGelu", params: 10, locals: [[4, I32], [7, V128]], body: forLoop(r, get(n), 1, row) }
}

/** gelu(bytes, x, h, g): elementwise GELU and derivative over `bytes` (multiple of 16). */
const geluFlat = (): FnDef => {
  const [bytes, xp, h, g] = [0, 1, 2, 3]
  const j = 4
  const L = { x: 5, z: 6, t: 7, e: 8, ty: 9, tk: 10, cdf: 11 }
  return {
    name: "gelu",
    params: 4,
    locals: [[1, I32], [7, V128]],
    body: forLoop(j, get(bytes), 16, [
      ...set(L.x, vload(i32add(get(xp), get(j)))),
      ...geluBody(L, i32add(get(h), get(j)), i32add(get(g), get(j)))
    ])
  }
}

/**
 * scatter(n, rowBytes, dstStride, a, b, dx, g, dP, dQ):
 *   v = dx[r]·g[r]; dP[a[r]] += v; dQ[b[r]] += v  (dP/dQ rows dstStride bytes apart)
 */
const scatter = (): FnDef => {
  const [n, rowBytes, stride, a, b, dx, g, dP, dQ] = [0, 1, 2, 3, 4, 5, 6, 7, 8]
  const [r, j, pa, qb] = [9, 10, 11, 12]
  const v = 13
  const row: Code = [
    ...set(pa, i32add(get(dP), i32mul(i32load(i32add(get(a), i32mul(get(r), i32c(4)))), get(stride)))),
    ...set(qb, i32add(get(dQ), i32mul(i32load(i32add(get(b), i32mul(get(r), i32c(4)))), get(stride)))),
    ...forLoop(j, get(rowBytes), 16, [
      ...set(v, fmul(vload(i32add(get(dx), get(j))), vload(i32add(get(g), get(j))))),
      ...vstore(i32add(get(pa), get(j)), fadd(vload(i32add(get(pa), get(j))), get(v))),
      ...vstore(i32add(get(qb), get(j)), fadd(vload(i32add(get(qb), get(j))), get(v)))
    ]),
    ...set(dx, i32add(get(dx), get(rowBytes))),
    ...set(g, i32add(get(g), get(rowBytes)))
  ]
  return { name: "scatter", params: 9, locals: [[4, I32], [1, V128]], body: forLoop(r, get(n), 1, row) }
}

const section = (id: number, content: Code): Code => [id, ...uleb(content.length), ...content]
const vec = (items: ReadonlyArray<Code>): Code => [...uleb(items.length), ...items.flat()]
const str = (s: string): Code => {
  const b = [...Buffer.from(s, "utf8")]
  return [...uleb(b.length), ...b]
}

const buildModule = (): Uint8Array => {
  const fns = [gatherGelu(), geluFlat(), scatter(), adam(), lnForward(), lnBackward()]
  const types = fns.map((f) => {
    const ps = typeof f.params === "number" ? Array.from({ length: f.params }, () => I32) : f.params
    return [0x60, ...vec(ps.map((t) => [t])), 0]
  })
  const imports = vec([[...str("env"), ...str("memory"), 0x02, 0x00, ...uleb(1)]])
  const funcs = vec(fns.map((_, i) => uleb(i)))
  const exports = vec(fns.map((f, i) => [...str(f.name), 0x00, ...uleb(i)]))
  const bodies = vec(
    fns.map((f) => {
      const body = [...vec(f.locals.map(([count, type]) => [...uleb(count), type])), ...f.body, 0x0b]
      return [...uleb(body.length), ...body]
    })
  )
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...section(2, imports),
    ...section(3, funcs),
    ...section(7, exports),
    ...section(10, bodies)
  ])
}

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
    const bytes = buildModule()
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
    scatter(n, H, stride, a, b, dx, g, dP, dQ) {
      checkH(H)
      if (stride % 4 !== 0) throw new Error(`SIMD kernels need stride % 4 == 0 (${stride})`)
      exports.scatter(n, H * 4, stride * 4, ptr(a), ptr(b), ptr(dx), ptr(g), ptr(dP), ptr(dQ))
    }
  }
}
