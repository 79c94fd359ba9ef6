/**
 * The hand-assembled WebAssembly SIMD kernels for the MLP's host-side loops.
 *
 * Why: the row gather + GELU and the embedding-gradient scatter-add run over n·H
 * elements per seed-step (356k at p=59). As V8 scalar loops they took ~45% of a step;
 * as 4-wide wasm SIMD they are several times cheaper. tfjs's own wasm kernels don't
 * help here (no fast gather, erf or exp; no segment sum).
 *
 * The module is emitted from this file by assembler.ts (no toolchain): a few
 * functions over one WebAssembly.Memory, on which the caller allocates
 * Float32Array/Int32Array views (loader.ts). If the runtime rejects SIMD,
 * `loadSimdKernels` returns null and callers keep their JS loops.
 *
 * GELU: Φ from Abramowitz & Stegun 7.1.26 (|erf error| ≤ 1.5e−7), φ(x) = e^{−x²/2}/√(2π)
 * from the same exponential, h = x·Φ, g = Φ + x·φ. exp is Cody–Waite range reduction
 * plus cephes' expf polynomial, 2^k built in the exponent bits. All float32; within
 * ~5e−7 absolute of the exact GELU (tested), i.e. float32 rounding level, and
 * deterministic (wasm does not contract to FMA).
 */
import {
  assemble,
  bitselect,
  F32,
  fabs,
  fadd,
  fconst,
  fdiv,
  flt,
  fmax,
  fmul,
  fnearest,
  forLoop,
  fsplat,
  fsqrt,
  fsub,
  get,
  hsum,
  I32,
  i32add,
  i32c,
  i32load,
  i32mul,
  iadd4,
  iconst4,
  ishl4,
  sadd,
  sconst,
  sdiv,
  set,
  sload,
  smul,
  ssqrt,
  sstore,
  truncSat,
  V128,
  vload,
  vstore
} from "./assembler.ts"
import type { Code, FnDef } from "./assembler.ts"

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
export const AS = [0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429]

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

/**
 * combine(n, K, rowBytes, idx, w, T, base, out): out[r] = base + Σ_k w[r·K+k]·T[idx[r·K+k]]
 * (rows of rowBytes; k in order, so the sum order is fixed). The folded attention
 * model's per-example mix of table rows (models/attention.ts).
 */
const combine = (): FnDef => {
  const [n, K, rowBytes, idx, w, T, base, out] = [0, 1, 2, 3, 4, 5, 6, 7]
  const [r, k, j, t] = [8, 9, 10, 11]
  const wv = 12
  const term: Code = [
    ...set(wv, fsplat(sload(get(w)))),
    ...set(t, i32add(get(T), i32mul(i32load(get(idx)), get(rowBytes)))),
    ...forLoop(j, get(rowBytes), 16, vstore(i32add(get(out), get(j)), fadd(vload(i32add(get(out), get(j))), fmul(get(wv), vload(i32add(get(t), get(j))))))),
    ...set(w, i32add(get(w), i32c(4))),
    ...set(idx, i32add(get(idx), i32c(4)))
  ]
  const row: Code = [
    ...forLoop(j, get(rowBytes), 16, vstore(i32add(get(out), get(j)), vload(i32add(get(base), get(j))))),
    ...forLoop(k, get(K), 1, term),
    ...set(out, i32add(get(out), get(rowBytes)))
  ]
  return { name: "combine", params: 8, locals: [[4, I32], [1, V128]], body: forLoop(r, get(n), 1, row) }
}

/**
 * combineBack(n, K, rowBytes, idx, w, T, dout, dw, dT): the adjoint of combine:
 *   dw[r·K+k] = dout[r]·T[idx[r·K+k]];  dT[idx[r·K+k]] += w[r·K+k]·dout[r]
 * (the base's gradient, Σ_r dout[r], is left to the caller).
 */
const combineBack = (): FnDef => {
  const [n, K, rowBytes, idx, w, T, dout, dw, dT] = [0, 1, 2, 3, 4, 5, 6, 7, 8]
  const [r, k, j, t, u] = [9, 10, 11, 12, 13]
  const [wv, acc, dv] = [14, 15, 16]
  const term: Code = [
    ...set(wv, fsplat(sload(get(w)))),
    ...set(t, i32mul(i32load(get(idx)), get(rowBytes))),
    ...set(u, i32add(get(dT), get(t))),
    ...set(t, i32add(get(T), get(t))),
    ...set(acc, fconst(0)),
    ...forLoop(j, get(rowBytes), 16, [
      ...set(dv, vload(i32add(get(dout), get(j)))),
      ...set(acc, fadd(get(acc), fmul(get(dv), vload(i32add(get(t), get(j)))))),
      ...vstore(i32add(get(u), get(j)), fadd(vload(i32add(get(u), get(j))), fmul(get(wv), get(dv))))
    ]),
    ...sstore(get(dw), hsum(acc)),
    ...set(w, i32add(get(w), i32c(4))),
    ...set(dw, i32add(get(dw), i32c(4))),
    ...set(idx, i32add(get(idx), i32c(4)))
  ]
  const row: Code = [...forLoop(k, get(K), 1, term), ...set(dout, i32add(get(dout), get(rowBytes)))]
  return { name: "combineBack", params: 9, locals: [[5, I32], [3, V128]], body: forLoop(r, get(n), 1, row) }
}

/** The kernels as one module; loader.ts compiles and instantiates it. */
export const kernelModule = (): Uint8Array => assemble([gatherGelu(), geluFlat(), scatter(), adam(), lnForward(), lnBackward(), combine(), combineBack()])
