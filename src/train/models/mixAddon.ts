/**
 * The folded attention model's mix of table rows and its adjoint (attentionMix.ts)
 * in C, an addon of its own so that only attention cells key on it (the MLP's key
 * holds the portable GEMM's addon, never this one).
 *
 * They give the bits of the wasm kernels they stand in for (attentionSimd.ts):
 * - the mix: each output element is base + w₀·T₀ + w₁·T₁ + … in term order, every
 *   product and sum an IEEE float32 operation (no FMA: built with
 *   -ffp-contract=off), and the GELU on its first segment is the wasm kernel's,
 *   operation for operation (its exp rounds k with the magic constant 1.5·2²³ + 127);
 * - the adjoint: each weight's gradient dw[r,k] = drow·T[idx[r,k]] sums in the wasm
 *   kernel's lanes — a term of a pair in 8 lanes by column mod 8, the last term of
 *   an odd count in 16 lanes by column mod 16 with the row's last columns in lanes
 *   0–3 — then adds the lanes in its order; dT gets w·drow added in term order.
 * - GELU alone (the pre-LN model's MLP): the row kernels' (simd/rowKernels.ts), the
 *   bits of the wasm gelu kernel.
 * Lanes are GCC vector-extension lanes, so the scalar, AVX2 and AVX-512 builds run
 * the same operations on every element; only the speed differs. The forward keeps
 * 64 columns in registers across all terms, and the adjoint reads each gradient
 * row once for up to four terms; given a second row order, it runs the terms that
 * index by token b in that order, so the rows it adds into stay in cache.
 */
import { AS } from "../simd/kernels.ts"
import { loadAddon, NAPI_GLUE } from "../simd/nativeAddon.ts"
import { ROW_KERNELS } from "../simd/rowKernels.ts"
import type { KernelPath } from "../simd/portableGemm.ts"

/** A float32 constant as the wasm kernels' fconst rounds it (9 digits round-trip). */
const c = (v: number): string => `${Math.fround(v).toPrecision(9)}f`

const EXP_POLY = [1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1]
const MAGIC = 12582912 + 127

/** The most terms one example mixes (the model uses 2·heads). */
const MAX_TERMS = 64

const KERNELS = `
typedef float vf16 __attribute__((vector_size(64)));
typedef float vf8 __attribute__((vector_size(32)));
typedef int vi16 __attribute__((vector_size(64)));
typedef unsigned vu16 __attribute__((vector_size(64)));
#define MAX_TERMS ${MAX_TERMS}

#define INL static inline __attribute__((always_inline))
INL vf16 ld16(const float *p) { vf16 v; memcpy(&v, p, 64); return v; }
INL void st16(float *p, vf16 v) { memcpy(p, &v, 64); }
INL vf8 ld8(const float *p) { vf8 v; memcpy(&v, p, 32); return v; }
INL vf16 sel16(vi16 mask, vf16 a, vf16 b) { return (vf16)(((vi16)a & mask) | ((vi16)b & ~mask)); }
/* (l0 + l1) + (l2 + l3) of four lanes from q, as the wasm kernels' hsum. */
INL float hsum4(const float *l) { return (l[0] + l[1]) + (l[2] + l[3]); }

/* GELU and GELU' as the wasm mix kernel's geluVec, operation for operation. */
INL void gelu16(vf16 x, vf16 *h, vf16 *g) {
  const vf16 z = (vf16)((vi16)x & 0x7fffffff) * ${c(Math.SQRT1_2)};
  const vf16 t = 1.0f / (1.0f + ${c(0.3275911)} * z);
  vf16 y = 0.0f - z * z;
  y = sel16(y < ${c(-87.3)}, (vf16){0} + ${c(-87.3)}, y);
  const vf16 tk = y * ${c(1.4426950408889634)} + ${c(MAGIC)};
  const vf16 kf = tk - ${c(MAGIC)};
  const vf16 R = (y - kf * ${c(0.693359375)}) - kf * ${c(-2.12194440e-4)};
  vf16 p = ${c(EXP_POLY[0])} * R;
${EXP_POLY.slice(1).map((v, i) => `  p = p + ${c(v)};${i < EXP_POLY.length - 2 ? "\n  p = p * R;" : ""}`).join("\n")}
  p = p * (R * R) + R;
  p = p + 1.0f;
  const vf16 e = p * (vf16)((vu16)tk << 23);
  vf16 q = (vf16){0} + ${c(AS[4]!)};
${[3, 2, 1, 0].map((i) => `  q = ${c(AS[i]!)} + t * q;`).join("\n")}
  vf16 cdf = (0.5f * t) * (q * e);
  cdf = sel16(x < 0.0f, cdf, 1.0f - cdf);
  *h = x * cdf;
  *g = cdf + x * (e * ${c(0.3989422804014327)});
}

/* A partial vector: lanes past w are zero on load and left alone on store. */
INL vf16 part16(const float *p, int w) { vf16 v = {0}; for (int q = 0; q < w; q++) v[q] = p[q]; return v; }
INL void put16(float *p, vf16 v, int w) { for (int q = 0; q < w; q++) p[q] = v[q]; }

/* One output segment of len columns from column off: dst (and GELU' into gdst when gelu). */
#define SEGMENT_BODY \\
  int j = 0; \\
  for (; j + 64 <= len; j += 64) { \\
    vf16 a0 = ld16(base + off + j), a1 = ld16(base + off + j + 16), a2 = ld16(base + off + j + 32), a3 = ld16(base + off + j + 48); \\
    for (int k = 0; k < kc; k++) { \\
      const vf16 wk = (vf16){0} + wr[k]; \\
      const float *t = rows[k] + off + j; \\
      a0 = a0 + wk * ld16(t); a1 = a1 + wk * ld16(t + 16); a2 = a2 + wk * ld16(t + 32); a3 = a3 + wk * ld16(t + 48); \\
    } \\
    if (gelu) { \\
      vf16 h, gg; \\
      gelu16(a0, &h, &gg); st16(dst + j, h); st16(gdst + j, gg); \\
      gelu16(a1, &h, &gg); st16(dst + j + 16, h); st16(gdst + j + 16, gg); \\
      gelu16(a2, &h, &gg); st16(dst + j + 32, h); st16(gdst + j + 32, gg); \\
      gelu16(a3, &h, &gg); st16(dst + j + 48, h); st16(gdst + j + 48, gg); \\
    } else { st16(dst + j, a0); st16(dst + j + 16, a1); st16(dst + j + 32, a2); st16(dst + j + 48, a3); } \\
  } \\
  for (; j < len; j += 16) { \\
    const int w = len - j < 16 ? len - j : 16; \\
    vf16 a = part16(base + off + j, w); \\
    for (int k = 0; k < kc; k++) a = a + ((vf16){0} + wr[k]) * part16(rows[k] + off + j, w); \\
    if (gelu) { vf16 h, gg; gelu16(a, &h, &gg); put16(dst + j, h, w); put16(gdst + j, gg, w); } \\
    else put16(dst + j, a, w); \\
  }

/* o[r] = base + sum over k < kc of w[r,k]·T[idx[r,k]]; row r of o is out1[r] (seg1 columns, GELU'd into out1 and g when g) then out2[r]. */
#define MIX_BODY \\
  const int seg2 = width - seg1; \\
  for (int r = 0; r < n; r++) { \\
    const float *wr = w + (ptrdiff_t)r * K; \\
    const float *rows[MAX_TERMS]; \\
    for (int k = 0; k < kc; k++) rows[k] = T + (ptrdiff_t)idx[(ptrdiff_t)r * K + k] * width; \\
    { const int off = 0, len = seg1, gelu = g != NULL; float *dst = out1 + (ptrdiff_t)r * seg1, *gdst = gelu ? g + (ptrdiff_t)r * seg1 : NULL; SEGMENT_BODY } \\
    { const int off = seg1, len = seg2, gelu = 0; float *dst = out2 + (ptrdiff_t)r * seg2, *gdst = NULL; (void)gdst; SEGMENT_BODY } \\
  }

/* Terms k0..k0+nt-1 of a row, all of a pair (8 lanes by column mod 8), in one pass over drow. */
#define PAIRS_BODY \\
  vf8 acc[4] = {{0}, {0}, {0}, {0}}; \\
  int j = 0; \\
  for (; j + 16 <= width; j += 16) { \\
    const vf16 dv = ld16(drow + j); \\
    for (int t = 0; t < nt; t++) { \\
      const vf16 prod = dv * ld16(rows[k0 + t] + j); \\
      const union { vf16 v; vf8 h[2]; } halves = {prod}; \\
      const vf8 lo = halves.h[0], hi = halves.h[1]; \\
      acc[t] = acc[t] + lo; \\
      acc[t] = acc[t] + hi; \\
      float *u = drows[k0 + t] + j; \\
      st16(u, ld16(u) + ((vf16){0} + wr[k0 + t]) * dv); \\
    } \\
  } \\
  if (j + 8 <= width) { \\
    const vf8 dv = ld8(drow + j); \\
    for (int t = 0; t < nt; t++) { \\
      acc[t] = acc[t] + dv * ld8(rows[k0 + t] + j); \\
      float *u = drows[k0 + t] + j; \\
      for (int q = 0; q < 8; q++) u[q] = u[q] + wr[k0 + t] * dv[q]; \\
    } \\
    j += 8; \\
  } \\
  for (int t = 0; t < nt; t++) { \\
    for (int q = 0; j + q < width; q++) { \\
      acc[t][q] = acc[t][q] + drow[j + q] * rows[k0 + t][j + q]; \\
      drows[k0 + t][j + q] = drows[k0 + t][j + q] + wr[k0 + t] * drow[j + q]; \\
    } \\
    float l[8]; \\
    memcpy(l, &acc[t], 32); \\
    dwr[k0 + t] = hsum4(l) + hsum4(l + 4); \\
  }

/* The last term of an odd count: 16 lanes by column mod 16, the row's last (width mod 16) columns in lanes 0-3. */
#define LAST_BODY \\
  vf16 acc = {0}; \\
  int j = 0; \\
  for (; j + 16 <= width; j += 16) { \\
    const vf16 dv = ld16(drow + j); \\
    acc = acc + dv * ld16(rows[k0] + j); \\
    float *u = drows[k0] + j; \\
    st16(u, ld16(u) + ((vf16){0} + wr[k0]) * dv); \\
  } \\
  for (; j < width; j += 4) \\
    for (int q = 0; q < 4; q++) { \\
      acc[q] = acc[q] + drow[j + q] * rows[k0][j + q]; \\
      drows[k0][j + q] = drows[k0][j + q] + wr[k0] * drow[j + q]; \\
    } \\
  float l[16]; \\
  memcpy(l, &acc, 64); \\
  dwr[k0] = ((hsum4(l) + hsum4(l + 4)) + hsum4(l + 8)) + hsum4(l + 12);

/* Terms [lo, hi) of row r: the pairs four at a time, then the odd last term if it is among them. */
#define TERMS_BODY \
  { \
    const int pairEnd = hi < paired ? hi : paired; \
    for (int k0 = lo; k0 < pairEnd; k0 += 4) { const int nt = pairEnd - k0 < 4 ? pairEnd - k0 : 4; PAIRS_BODY } \
    if ((kc & 1) && hi == kc && kc - 1 >= lo) { const int k0 = kc - 1; LAST_BODY } \
  }

#define ROWS_OF_R \
  const float *wr = w + (ptrdiff_t)r * K; \
  float *dwr = dw + (ptrdiff_t)r * K; \
  const float *rows[MAX_TERMS]; \
  float *drows[MAX_TERMS]; \
  for (int k = 0; k < kc; k++) { \
    const ptrdiff_t at = (ptrdiff_t)idx[(ptrdiff_t)r * K + k] * width; \
    rows[k] = T + at; \
    drows[k] = dT + at; \
  }

/* The adjoint: drow = d1[r] (times g[r], written back, when g) then d2[r]; dbase += drow;
   dw and dT per term. With perm, the terms from split on run in a second pass, rows in
   perm's order: for the caller whose terms from split on touch table rows no earlier
   term touches, and whose perm lists the rows stably sorted by those table rows, every
   dT row then gets its terms in the same order as in one pass (the same bits), while
   the rows it adds into stay in cache. */
#define MIX_BACK_BODY \
  const int seg2 = width - seg1; \
  const int paired = kc & ~1; \
  const int first = perm != NULL ? split : kc; \
  for (int r = 0; r < n; r++) { \
    float *drow = scratch; \
    float *d1r = d1 + (ptrdiff_t)r * seg1; \
    if (g != NULL) { \
      const float *gr = g + (ptrdiff_t)r * seg1; \
      int j = 0; \
      for (; j + 16 <= seg1; j += 16) st16(d1r + j, ld16(d1r + j) * ld16(gr + j)); \
      for (; j < seg1; j++) d1r[j] = d1r[j] * gr[j]; \
    } \
    memcpy(drow, d1r, (size_t)seg1 * sizeof(float)); \
    memcpy(drow + seg1, d2 + (ptrdiff_t)r * seg2, (size_t)seg2 * sizeof(float)); \
    { \
      int j = 0; \
      for (; j + 16 <= width; j += 16) st16(dbase + j, ld16(dbase + j) + ld16(drow + j)); \
      for (; j < width; j++) dbase[j] = dbase[j] + drow[j]; \
    } \
    ROWS_OF_R \
    const int lo = 0, hi = first; \
    TERMS_BODY \
  } \
  if (perm != NULL) \
    for (int i = 0; i < n; i++) { \
      const int r = perm[i]; \
      float *drow = scratch; \
      memcpy(drow, d1 + (ptrdiff_t)r * seg1, (size_t)seg1 * sizeof(float)); \
      memcpy(drow + seg1, d2 + (ptrdiff_t)r * seg2, (size_t)seg2 * sizeof(float)); \
      ROWS_OF_R \
      const int lo = first, hi = kc; \
      TERMS_BODY \
    }

/* GELU and GELU' of count elements: the row kernels' vgelu, the wasm gelu kernel's bits (pre-LN's MLP). */
#define GELU_BODY \\
  for (int j = 0; j < count; j += 16) { \\
    const int w = count - j < 16 ? count - j : 16; \\
    vf h, gg; \\
    vgelu(part16(x + j, w), &h, &gg); \\
    put16(hid + j, h, w); \\
    put16(g + j, gg, w); \\
  }

#define MIX_SIGNATURE (int n, int kc, int K, const int *idx, const float *w, const float *T, int width, int seg1, const float *base, float *out1, float *out2, float *g)
#define BACK_SIGNATURE (int n, int kc, int K, const int *idx, const float *w, const float *T, int width, int seg1, float *d1, const float *g, const float *d2, float *dw, float *dT, float *scratch, float *dbase, const int *perm, int split)
#define GELU_SIGNATURE (int count, const float *x, float *hid, float *g)
typedef void (*Mix) MIX_SIGNATURE;
typedef void (*MixBack) BACK_SIGNATURE;
typedef void (*Gelu) GELU_SIGNATURE;
#define PATH(SUFFIX, TARGET) \\
  TARGET static void mix_##SUFFIX MIX_SIGNATURE { MIX_BODY } \\
  TARGET static void mix_back_##SUFFIX BACK_SIGNATURE { MIX_BACK_BODY } \\
  TARGET static void gelu_##SUFFIX GELU_SIGNATURE { GELU_BODY }
PATH(base, )
#if defined(__x86_64__)
PATH(avx2, __attribute__((target("avx2"))))
PATH(avx512, __attribute__((target("avx512f"))))
#endif
`

const SOURCE = `/* grokflow attention mix (src/train/models/mixAddon.ts). */
#include <node_api.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <math.h>
${ROW_KERNELS}
${KERNELS}
typedef struct {
  const char *name;
  Mix mix;
  MixBack back;
  Gelu gelu;
  bool usable;
} Path;

static Path paths[] = {
  {"scalar", mix_base, mix_back_base, gelu_base, true},
#if defined(__x86_64__)
  {"avx2", mix_avx2, mix_back_avx2, gelu_avx2, false},
  {"avx512", mix_avx512, mix_back_avx512, gelu_avx512, false},
#endif
#if defined(__aarch64__)
  {"neon", mix_base, mix_back_base, gelu_base, true},
#endif
};
#define PATHS ((int)(sizeof(paths) / sizeof(paths[0])))
static _Thread_local int current = 0;

${NAPI_GLUE}

/* A Float32Array, or null (data NULL, length 0). */
static bool floatsOrNull(napi_env env, napi_value v, float **data, size_t *length) {
  napi_valuetype type;
  if (napi_typeof(env, v, &type) == napi_ok && type == napi_null) {
    *data = NULL;
    *length = 0;
    return true;
  }
  return floats(env, v, data, length);
}

/* Exactly want arguments into v. */
static bool args(napi_env env, napi_callback_info info, size_t want, napi_value *v) {
  size_t argc = want;
  return napi_get_cb_info(env, info, &argc, v, NULL, NULL) == napi_ok && argc == want;
}

/* The shape arguments both kernels share, checked against every array they index. */
typedef struct {
  int32_t n, kc, K, width, seg1;
  int *idx;
  float *w, *T;
  size_t nIdx, nW, nT;
} Shape;

static bool shape(napi_env env, napi_value *v, Shape *s) {
  bool ok = napi_get_value_int32(env, v[0], &s->n) == napi_ok && napi_get_value_int32(env, v[1], &s->kc) == napi_ok &&
            napi_get_value_int32(env, v[2], &s->K) == napi_ok && ints(env, v[3], &s->idx, &s->nIdx) && floats(env, v[4], &s->w, &s->nW) &&
            floats(env, v[5], &s->T, &s->nT) && napi_get_value_int32(env, v[6], &s->width) == napi_ok && napi_get_value_int32(env, v[7], &s->seg1) == napi_ok;
  ok = ok && s->n >= 0 && s->kc >= 0 && s->kc <= MAX_TERMS && s->kc <= s->K && s->width > 0 && s->width % 4 == 0 && s->seg1 >= 0 &&
       s->seg1 <= s->width && s->seg1 % 4 == 0 && s->nIdx >= (size_t)s->n * s->K && s->nW >= (size_t)s->n * s->K;
  const size_t tableRows = ok ? s->nT / (size_t)s->width : 0;
  for (int r = 0; ok && r < s->n; r++)
    for (int k = 0; ok && k < s->kc; k++) {
      const int row = s->idx[(size_t)r * s->K + k];
      ok = row >= 0 && (size_t)row < tableRows;
    }
  return ok;
}

/* mixRows(n, kc, K, idx, w, T, width, seg1, base, out1, out2, g | null) */
static napi_value MixFn(napi_env env, napi_callback_info info) {
  napi_value v[12];
  Shape s;
  float *base = NULL, *out1 = NULL, *out2 = NULL, *g = NULL;
  size_t lb = 0, l1 = 0, l2 = 0, lg = 0;
  bool ok = args(env, info, 12, v) && shape(env, v, &s) && floats(env, v[8], &base, &lb) && floats(env, v[9], &out1, &l1) && floats(env, v[10], &out2, &l2) &&
            floatsOrNull(env, v[11], &g, &lg);
  ok = ok && lb >= (size_t)s.width && l1 >= (size_t)s.n * s.seg1 && l2 >= (size_t)s.n * (s.width - s.seg1) && (g == NULL || lg >= (size_t)s.n * s.seg1);
  if (!ok) {
    napi_throw_error(env, NULL, "mixRows: bad operands");
    return NULL;
  }
  paths[current].mix(s.n, s.kc, s.K, s.idx, s.w, s.T, s.width, s.seg1, base, out1, out2, g);
  return NULL;
}

/* mixRowsBack(n, kc, K, idx, w, T, width, seg1, d1, g | null, d2, dw, dT, scratch, dbase, perm | null, split) */
static napi_value MixBackFn(napi_env env, napi_callback_info info) {
  napi_value v[17];
  Shape s;
  float *f[7] = {NULL};
  size_t len[7] = {0};
  int *perm = NULL;
  size_t lp = 0;
  int32_t split = 0;
  napi_valuetype permType = napi_undefined;
  bool ok = args(env, info, 17, v) && shape(env, v, &s) && floats(env, v[8], &f[0], &len[0]) && floatsOrNull(env, v[9], &f[1], &len[1]);
  for (int i = 2; ok && i < 7; i++) ok = floats(env, v[8 + i], &f[i], &len[i]);
  ok = ok && napi_typeof(env, v[15], &permType) == napi_ok && (permType == napi_null || ints(env, v[15], &perm, &lp)) &&
       napi_get_value_int32(env, v[16], &split) == napi_ok;
  const size_t n = ok ? (size_t)s.n : 0, seg2 = ok ? (size_t)(s.width - s.seg1) : 0;
  ok = ok && len[0] >= n * s.seg1 && (f[1] == NULL || len[1] >= n * s.seg1) && len[2] >= n * seg2 && len[3] >= n * s.K && len[4] >= s.nT &&
       len[5] >= (size_t)s.width && len[6] >= (size_t)s.width && (perm == NULL || (lp >= n && split >= 0 && split <= s.kc));
  for (size_t i = 0; ok && perm != NULL && i < n; i++) ok = perm[i] >= 0 && (size_t)perm[i] < n;
  if (!ok) {
    napi_throw_error(env, NULL, "mixRowsBack: bad operands");
    return NULL;
  }
  paths[current].back(s.n, s.kc, s.K, s.idx, s.w, s.T, s.width, s.seg1, f[0], f[1], f[2], f[3], f[4], f[5], f[6], perm, split);
  return NULL;
}

/* gelu(count, x, hid, g) */
static napi_value GeluFn(napi_env env, napi_callback_info info) {
  napi_value v[4];
  int32_t count = 0;
  float *f[3] = {NULL};
  size_t len[3] = {0};
  bool ok = args(env, info, 4, v) && napi_get_value_int32(env, v[0], &count) == napi_ok && count >= 0;
  for (int i = 0; ok && i < 3; i++) ok = floats(env, v[1 + i], &f[i], &len[i]) && len[i] >= (size_t)count;
  if (!ok) {
    napi_throw_error(env, NULL, "gelu: bad operands");
    return NULL;
  }
  paths[current].gelu(count, f[0], f[1], f[2]);
  return NULL;
}

static napi_value string(napi_env env, const char *str) {
  napi_value v;
  napi_create_string_utf8(env, str, NAPI_AUTO_LENGTH, &v);
  return v;
}

static napi_value Kernels(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value list;
  napi_create_array(env, &list);
  uint32_t count = 0;
  for (int i = 0; i < PATHS; i++)
    if (paths[i].usable) napi_set_element(env, list, count++, string(env, paths[i].name));
  return list;
}

static napi_value Kernel(napi_env env, napi_callback_info info) {
  (void)info;
  return string(env, paths[current].name);
}

static napi_value Select(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value a[1];
  napi_get_cb_info(env, info, &argc, a, NULL, NULL);
  char name[32] = {0};
  size_t len = 0;
  if (argc == 1 && napi_get_value_string_utf8(env, a[0], name, sizeof name, &len) == napi_ok)
    for (int i = 0; i < PATHS; i++)
      if (strcmp(paths[i].name, name) == 0 && paths[i].usable) {
        current = i;
        return NULL;
      }
  napi_throw_error(env, NULL, "select: this CPU cannot run that path");
  return NULL;
}

static napi_value Init(napi_env env, napi_value exports) {
#if defined(__x86_64__)
  __builtin_cpu_init();
  paths[1].usable = __builtin_cpu_supports("avx2");
  paths[2].usable = __builtin_cpu_supports("avx512f");
#endif
  for (int i = 0; i < PATHS; i++)
    if (paths[i].usable) current = i;
  const struct {
    const char *name;
    napi_callback f;
  } fns[] = {{"mixRows", MixFn}, {"mixRowsBack", MixBackFn}, {"gelu", GeluFn}, {"kernel", Kernel}, {"kernels", Kernels}, {"select", Select}};
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
    napi_value f;
    napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, fns[i].f, NULL, &f);
    napi_set_named_property(env, exports, fns[i].name, f);
  }
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
`

/** The addon's kernels; argument order and meaning as attentionSimd.ts's MixKernels, widths in floats. */
export interface MixAddon {
  mixRows(n: number, kc: number, K: number, idx: Int32Array, w: Float32Array, T: Float32Array, width: number, seg1: number, base: Float32Array, out1: Float32Array, out2: Float32Array, g: Float32Array | null): void
  /** With perm, terms from `split` on run in a second pass in perm's row order (see MIX_BACK_BODY for when that keeps the bits). */
  mixRowsBack(n: number, kc: number, K: number, idx: Int32Array, w: Float32Array, T: Float32Array, width: number, seg1: number, d1: Float32Array, g: Float32Array | null, d2: Float32Array, dw: Float32Array, dT: Float32Array, scratch: Float32Array, dbase: Float32Array, perm: Int32Array | null, split: number): void
  /** hid, g = GELU(x), GELU′(x) with the wasm gelu kernel's bits (simd/kernels.ts, via simd/rowKernels.ts). */
  gelu(count: number, x: Float32Array, hid: Float32Array, g: Float32Array): void
  kernel(): KernelPath
  kernels(): Array<KernelPath>
  select(path: KernelPath): void
}

let loaded: { readonly addon: MixAddon } | { readonly reason: string } | undefined

/**
 * Builds/loads the addon once per process, on the path GROKFLOW_KERNEL names (as the
 * portable GEMM does) or else the widest; the reason when it does not build.
 */
export const loadMixAddon = (): { readonly addon: MixAddon } | { readonly reason: string } => {
  if (loaded === undefined) {
    loaded = loadAddon<MixAddon>({ name: "attention-mix", source: SOURCE, flags: ["-O2", "-ffp-contract=off", "-fno-fast-math", "-std=gnu11", "-Wno-psabi"], libs: ["-lm"] })
    const forced = process.env.GROKFLOW_KERNEL
    if ("addon" in loaded && forced !== undefined && forced !== "" && (loaded.addon.kernels() as Array<string>).includes(forced)) loaded.addon.select(forced as KernelPath)
  }
  return loaded
}

/** The addon, or undefined where it does not build (the wasm kernels then give the same bits). */
export const mixAddon = (): MixAddon | undefined => {
  const l = loadMixAddon()
  return "addon" in l ? l.addon : undefined
}
