/**
 * wasm SIMD kernels for the folded attention model's per-example mix of table rows
 * (attentionMix.ts), instantiated over the arena of the shared kernels
 * (simd/loader.ts) so they read and write the same buffers.
 *
 * Why not simd `combine`/`combineBack`: those update the output row in memory once
 * per mixed row (a load and a store per vector and term) and sum each attention
 * weight's dot product in one dependent chain. Here the forward keeps four vectors
 * of the output in registers across all terms, and the backward sums each dot
 * product in four independent accumulators. Both also take an output split in two
 * buffers (the MLP input u, then the logits' residual part), and the backward
 * multiplies the first part by GELU′ on the way in — the table then carries u and
 * the residual logits in one row, so one pass serves both.
 */
import { assemble, bitselect, fabs, fadd, fconst, fdiv, flt, fmul, forLoop, fsplat, fsub, get, hsum, I32, i32add, i32c, i32load, i32mul, ishl4, set, simd, sload, sstore, V128 } from "../simd/assembler.ts"
import type { Code, FnDef, WasmMemory } from "../simd/assembler.ts"
import { wasm } from "../simd/assembler.ts"

const vloadAt = (addr: Code, offset: number): Code => [...addr, ...simd(0x00), 4, offset]
const vstoreAt = (addr: Code, offset: number, value: Code): Code => [...addr, ...value, ...simd(0x0b), 4, offset]
const i32and = (a: Code, b: Code): Code => [...a, ...b, 0x71]
const i32sub = (a: Code, b: Code): Code => [...a, ...b, 0x6b]
const i32ne0 = (a: Code): Code => [...a, 0x45, 0x45]
/** Typed select over v128: cond ? a : b. */
const vselect = (a: Code, b: Code, cond: Code): Code => [...a, ...b, ...cond, 0x1c, 0x01, V128]
const vzero = (): Code => [...simd(0x0c), ...new Array<number>(16).fill(0)]
/** f32x4.pmax: a < b ? b : a (one instruction; f32x4.max's NaN and −0 rules cost several). */
const fpmax = (a: Code, b: Code): Code => [...a, ...b, ...simd(0xeb)]

/**
 * GELU and GELU′ of one vector, the same arithmetic as the shared GELU kernel
 * (simd/kernels.ts: Abramowitz–Stegun 7.1.26 for Φ, Cody–Waite + cephes for the exp),
 * so the same bits (tested), in cheaper instructions: the exp's clamp as pmax, and
 * round(y·log2 e) and 2^k from one magic-number add instead of nearest and a
 * saturating truncation. Here so that the mix can apply it to its output in registers.
 */
const AS = [0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429]
const MAGIC = 12582912 + 127
const geluVec = (x: number, L: { z: number; t: number; e: number; ty: number; tk: number; cdf: number }, hAddr: Code, gAddr: Code): Code => {
  const { z, t, e, ty, tk, cdf } = L
  let poly: Code = fconst(AS[4])
  for (let i = 3; i >= 0; i--) poly = fadd(fconst(AS[i]), fmul(get(t), poly))
  const kf = fsub(get(tk), fconst(MAGIC))
  const R = get(ty)
  const expPoly = fadd(
    fadd(
      fmul(
        fadd(fmul(fadd(fmul(fadd(fmul(fadd(fmul(fadd(fmul(fconst(1.9875691500e-4), R), fconst(1.3981999507e-3)), R), fconst(8.3334519073e-3)), R), fconst(4.1665795894e-2)), R), fconst(1.6666665459e-1)), R), fconst(5.0000001201e-1)),
        fmul(R, R)
      ),
      R
    ),
    fconst(1)
  )
  return [
    ...set(z, fmul(fabs(get(x)), fconst(Math.SQRT1_2))),
    ...set(t, fdiv(fconst(1), fadd(fconst(1), fmul(fconst(0.3275911), get(z))))),
    // e = exp(−z²)
    ...set(ty, fpmax(fsub(fconst(0), fmul(get(z), get(z))), fconst(-87.3))),
    ...set(tk, fadd(fmul(get(ty), fconst(1.4426950408889634)), fconst(MAGIC))),
    ...set(ty, fsub(fsub(get(ty), fmul(kf, fconst(0.693359375))), fmul(kf, fconst(-2.12194440e-4)))),
    ...set(e, fmul(expPoly, ishl4(get(tk), 23))),
    ...set(cdf, fmul(fmul(fconst(0.5), get(t)), fmul(poly, get(e)))),
    ...set(cdf, bitselect(get(cdf), fsub(fconst(1), get(cdf)), flt(get(x), fconst(0)))),
    ...vstoreAt(hAddr, 0, fmul(get(x), get(cdf))),
    ...vstoreAt(gAddr, 0, fadd(get(cdf), fmul(get(x), fmul(get(e), fconst(0.3989422804014327)))))
  ]
}

/**
 * mixRows(n, K, strideBytes, idx, w, T, rowBytes, seg1, base, out1, out2, g):
 *   o[r] = base + Σ_{k<K} w[r,k]·T[idx[r,k]]
 * where row r of o is out1[r] (seg1 bytes) followed by out2[r] (rowBytes − seg1),
 * w and idx rows strideBytes apart, k in order (a fixed sum order). mixRowsGelu
 * stores GELU of the first segment in out1 and GELU′ in g instead.
 */
const mixRows = (gelu: boolean): FnDef => {
  const [n, K, stride, idx, w, T, rowBytes, seg1, base, out1, out2, gOut] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
  const [r, k, j, t, wr, ir, dst, len, nb, off, gdst] = [12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22]
  const [wv, a0, a1, a2, a3] = [23, 24, 25, 26, 27]
  const L = { z: 28, t: 29, e: 30, ty: 31, tk: 32, cdf: 33 }
  const As = [a0, a1, a2, a3]
  const init = (i: number): Code => set(As[i], vloadAt(i32add(get(base), get(off)), 16 * i))
  const rowTerm = (block: number): Code => [
    ...set(wv, fsplat(sload(i32add(get(wr), get(k))))),
    ...set(t, i32add(i32add(get(T), i32mul(i32load(i32add(get(ir), get(k))), get(rowBytes))), get(off))),
    ...Array.from({ length: block }, (_, i) => set(As[i], fadd(get(As[i]), fmul(get(wv), vloadAt(get(t), 16 * i))))).flat()
  ]
  const store = (i: number, at: Code, withGelu: boolean): Code =>
    withGelu ? geluVec(As[i], L, i32add(i32add(get(dst), at), i32c(16 * i)), i32add(i32add(get(gdst), at), i32c(16 * i))) : vstoreAt(i32add(get(dst), at), 16 * i, get(As[i]))
  // One output segment of `len` bytes at dst (and gdst), reading table columns from `off`.
  const segment = (withGelu: boolean): Code => [
    ...set(nb, i32and(get(len), i32c(-64))),
    ...forLoop(j, get(nb), 64, [
      ...[0, 1, 2, 3].flatMap((i) => init(i)),
      ...forLoop(k, get(K), 4, rowTerm(4)),
      ...[0, 1, 2, 3].flatMap((i) => store(i, get(j), withGelu)),
      ...set(off, i32add(get(off), i32c(64)))
    ]),
    ...forLoop(j, i32sub(get(len), get(nb)), 16, [
      ...init(0),
      ...forLoop(k, get(K), 4, rowTerm(1)),
      ...store(0, i32add(get(nb), get(j)), withGelu),
      ...set(off, i32add(get(off), i32c(16)))
    ])
  ]
  const row: Code = [
    ...set(wr, i32add(get(w), i32mul(get(r), get(stride)))),
    ...set(ir, i32add(get(idx), i32mul(get(r), get(stride)))),
    ...set(off, i32c(0)),
    ...set(len, get(seg1)),
    ...set(dst, i32add(get(out1), i32mul(get(r), get(seg1)))),
    ...set(gdst, i32add(get(gOut), i32mul(get(r), get(seg1)))),
    ...segment(gelu),
    ...set(len, i32sub(get(rowBytes), get(seg1))),
    ...set(dst, i32add(get(out2), i32mul(get(r), get(len)))),
    ...segment(false)
  ]
  return { name: gelu ? "mixRowsGelu" : "mixRows", params: 12, locals: [[11, I32], [11, V128]], body: forLoop(r, get(n), 1, row) }
}

/**
 * mixRowsBack(n, K, strideBytes, idx, w, T, rowBytes, seg1, d1, g, d2, dw, dT, scratch, hasG, dbase):
 * the adjoint of mixRows. Row r of the output gradient, drow, is d1[r] (times g[r]
 * when hasG, written back into d1) followed by d2[r]; dbase += drow, and for k < K
 *   dw[r,k] = drow·T[idx[r,k]];  dT[idx[r,k]] += w[r,k]·drow.
 * rowBytes is a multiple of 16; scratch holds one row.
 */
const mixRowsBack = (): FnDef => {
  const [n, K, stride, idx, w, T, rowBytes, seg1, d1, g, d2, dw, dT, scratch, hasG, dbase] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]
  const [r, k, j, t, u, wr, ir, nb, seg2, t2, u2, nb32, k2, kk] = [16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29]
  const [wv, dv, a0, a1, a2, a3, wv2] = [30, 31, 32, 33, 34, 35, 36]
  const As = [a0, a1, a2, a3]
  const dwAt = (kOff: number): Code => i32add(i32add(i32add(get(dw), i32mul(get(r), get(stride))), get(k)), i32c(kOff))
  const rowsOf = (kOff: number, tl: number, ul: number): Code => [
    ...set(tl, i32mul(i32load(i32add(i32add(get(ir), get(k)), i32c(kOff))), get(rowBytes))),
    ...set(ul, i32add(get(dT), get(tl))),
    ...set(tl, i32add(get(T), get(tl)))
  ]
  // One term, four accumulators over 64-byte blocks (the odd term of an odd K).
  const step = (i: number, at: Code): Code => [
    ...set(dv, vloadAt(i32add(get(scratch), at), 16 * i)),
    ...set(As[i], fadd(get(As[i]), fmul(get(dv), vloadAt(i32add(get(t), at), 16 * i)))),
    ...vstoreAt(i32add(get(u), at), 16 * i, fadd(vloadAt(i32add(get(u), at), 16 * i), fmul(get(wv), get(dv))))
  ]
  const term: Code = [
    ...set(wv, fsplat(sload(i32add(get(wr), get(k))))),
    ...rowsOf(0, t, u),
    ...As.flatMap((a) => set(a, vzero())),
    ...forLoop(j, get(nb), 64, [0, 1, 2, 3].flatMap((i) => step(i, get(j)))),
    ...forLoop(j, i32sub(get(rowBytes), get(nb)), 16, step(0, i32add(get(nb), get(j)))),
    ...sstore(dwAt(0), [...hsum(a0), ...hsum(a1), 0x92, ...hsum(a2), 0x92, ...hsum(a3), 0x92])
  ]
  // Two terms per pass over the row: the output gradient is loaded once for both.
  const pairStep = (i: number, at: Code): Code => [
    ...set(dv, vloadAt(i32add(get(scratch), at), 16 * i)),
    ...set(As[i], fadd(get(As[i]), fmul(get(dv), vloadAt(i32add(get(t), at), 16 * i)))),
    ...set(As[2 + i], fadd(get(As[2 + i]), fmul(get(dv), vloadAt(i32add(get(t2), at), 16 * i)))),
    ...vstoreAt(i32add(get(u), at), 16 * i, fadd(vloadAt(i32add(get(u), at), 16 * i), fmul(get(wv), get(dv)))),
    ...vstoreAt(i32add(get(u2), at), 16 * i, fadd(vloadAt(i32add(get(u2), at), 16 * i), fmul(get(wv2), get(dv))))
  ]
  const pair: Code = [
    ...set(wv, fsplat(sload(i32add(get(wr), get(k))))),
    ...set(wv2, fsplat(sload(i32add(i32add(get(wr), get(k)), i32c(4))))),
    ...rowsOf(0, t, u),
    ...rowsOf(4, t2, u2),
    ...As.flatMap((a) => set(a, vzero())),
    ...forLoop(j, get(nb32), 32, [0, 1].flatMap((i) => pairStep(i, get(j)))),
    ...forLoop(j, i32sub(get(rowBytes), get(nb32)), 16, pairStep(0, i32add(get(nb32), get(j)))),
    ...sstore(dwAt(0), [...hsum(a0), ...hsum(a1), 0x92]),
    ...sstore(dwAt(4), [...hsum(a2), ...hsum(a3), 0x92])
  ]
  const d1Row = i32add(get(d1), i32mul(get(r), get(seg1)))
  const row: Code = [
    ...set(wr, i32add(get(w), i32mul(get(r), get(stride)))),
    ...set(ir, i32add(get(idx), i32mul(get(r), get(stride)))),
    ...forLoop(j, get(seg1), 16, [
      ...set(t, i32add(d1Row, get(j))),
      ...set(dv, vselect(fmul(vloadAt(get(t), 0), vloadAt(i32add(i32add(get(g), i32mul(get(r), get(seg1))), get(j)), 0)), vloadAt(get(t), 0), i32ne0(get(hasG)))),
      ...vstoreAt(get(t), 0, get(dv)),
      ...vstoreAt(i32add(get(scratch), get(j)), 0, get(dv))
    ]),
    ...forLoop(j, get(seg2), 16, vstoreAt(i32add(i32add(get(scratch), get(seg1)), get(j)), 0, vloadAt(i32add(i32add(get(d2), i32mul(get(r), get(seg2))), get(j)), 0))),
    ...forLoop(j, get(rowBytes), 16, [
      ...set(t, i32add(get(dbase), get(j))),
      ...vstoreAt(get(t), 0, fadd(vloadAt(get(t), 0), vloadAt(i32add(get(scratch), get(j)), 0)))
    ]),
    ...forLoop(k, get(k2), 8, pair),
    ...forLoop(kk, i32sub(get(K), get(k2)), 4, [...set(k, i32add(get(k2), get(kk))), ...term])
  ]
  return {
    name: "mixRowsBack",
    params: 16,
    locals: [[14, I32], [7, V128]],
    body: [
      ...set(nb, i32and(get(rowBytes), i32c(-64))),
      ...set(nb32, i32and(get(rowBytes), i32c(-32))),
      ...set(k2, i32and(get(K), i32c(-8))),
      ...set(seg2, i32sub(get(rowBytes), get(seg1))),
      ...forLoop(r, get(n), 1, row)
    ]
  }
}

/** mulInPlace(bytes, a, b): a ← a ⊙ b over `bytes` (a multiple of 16). */
const mulInPlace = (): FnDef => {
  const [bytes, a, b, j] = [0, 1, 2, 3]
  return {
    name: "mulInPlace",
    params: 3,
    locals: [[1, I32]],
    body: forLoop(j, get(bytes), 16, vstoreAt(i32add(get(a), get(j)), 0, fmul(vloadAt(i32add(get(a), get(j)), 0), vloadAt(i32add(get(b), get(j)), 0))))
  }
}

/** The mix kernels over one arena's memory; widths in floats, all multiples of 4. */
export interface MixKernels {
  /** With g: out1 gets GELU of the first segment and g its derivative. */
  mixRows(n: number, K: number, stride: number, idx: Int32Array, w: Float32Array, T: Float32Array, width: number, seg1: number, base: Float32Array, out1: Float32Array, out2: Float32Array, g: Float32Array | null): void
  mixRowsBack(n: number, K: number, stride: number, idx: Int32Array, w: Float32Array, T: Float32Array, width: number, seg1: number, d1: Float32Array, g: Float32Array | null, d2: Float32Array, dw: Float32Array, dT: Float32Array, scratch: Float32Array, dbase: Float32Array): void
  /** a ← a ⊙ b over the first `count` floats (a multiple of 4). */
  mulInPlace(count: number, a: Float32Array, b: Float32Array): void
}

let compiled: object | null | undefined

type Fn = (...args: Array<number>) => void

/** The kernels over `memory` (the shared kernels' arena), or null where wasm SIMD is unavailable. */
export const loadMixKernels = (memory: WasmMemory): MixKernels | null => {
  const api = wasm()
  if (api === undefined) return null
  if (compiled === undefined) {
    try {
      const bytes = assemble([mixRows(false), mixRows(true), mixRowsBack(), mulInPlace()])
      compiled = api.validate(bytes) ? new api.Module(bytes) : null
    } catch {
      compiled = null
    }
  }
  if (compiled === null) return null
  const ex = new api.Instance(compiled, { env: { memory } }).exports as Record<string, Fn>
  const ptr = (x: Int32Array | Float32Array): number => {
    if (x.buffer !== memory.buffer) throw new Error("attention mix kernel argument is not in its arena")
    return x.byteOffset
  }
  const check = (...widths: Array<number>): void => {
    for (const v of widths) if (v % 4 !== 0) throw new Error(`attention mix kernels need widths % 4 == 0 (${widths.join(", ")})`)
  }
  return {
    mixRows(n, K, stride, idx, w, T, width, seg1, base, out1, out2, g) {
      check(width, seg1)
      const f = g === null ? ex.mixRows : ex.mixRowsGelu
      f(n, 4 * K, 4 * stride, ptr(idx), ptr(w), ptr(T), 4 * width, 4 * seg1, ptr(base), ptr(out1), ptr(out2), ptr(g ?? out1))
    },
    mixRowsBack(n, K, stride, idx, w, T, width, seg1, d1, g, d2, dw, dT, scratch, dbase) {
      check(width, seg1)
      ex.mixRowsBack(n, 4 * K, 4 * stride, ptr(idx), ptr(w), ptr(T), 4 * width, 4 * seg1, ptr(d1), ptr(g ?? d1), ptr(d2), ptr(dw), ptr(dT), ptr(scratch), g === null ? 0 : 1, ptr(dbase))
    },
    mulInPlace(count, a, b) {
      check(count)
      ex.mulInPlace(4 * count, ptr(a), ptr(b))
    }
  }
}
