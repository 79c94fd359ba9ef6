/**
 * The MLP's host loops in C, compiled into the portable GEMM's addon (one copy per
 * kernel path, simd/portableGemm.ts): the row gather + GELU and the scatter-add with
 * the bits of the wasm SIMD kernels of the same names (simd/kernels.ts), and the
 * float32 CE logit gradient. Every operation is an IEEE one with no FMA contraction
 * (the addon is built with -ffp-contract=off), lanes are independent and every sum
 * runs in one fixed order, so each path gives the same bits; vectors are 16 lanes
 * (GCC vector extensions), which the AVX-512, AVX2 and baseline builds split as their
 * registers allow.
 */

import { AS } from "./kernels.ts"

/** A float32 constant exactly as the wasm kernels' fconst rounds it (9 digits round-trip). */
const f32 = (v: number): string => `${Math.fround(v).toPrecision(9)}f`

const EXP_POLY = [1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1]

/**
 * GELU as in simd/kernels.ts (gatherGelu), operation for operation in the same order:
 * Abramowitz–Stegun 7.1.26 for Φ with a Cody–Waite/cephes exp, no FMA. The
 * round-to-nearest-even of k is the 1.5·2²³ trick, exact for |y| < 2²², so each lane
 * gives the wasm kernel's bits: a speed-up of the same numerics. Then the scatter-add
 * (likewise) and the CE logit gradient (the portable numerics' own, using this exp).
 */
export const ROW_KERNELS = `
typedef float vf __attribute__((vector_size(64)));
typedef int vi __attribute__((vector_size(64)));

static inline __attribute__((always_inline)) vf vselect(vi mask, vf a, vf b) {
  return (vf)(((vi)a & mask) | ((vi)b & ~mask));
}

static inline __attribute__((always_inline)) vf vexp(vf y) {
  y = vselect(y < ${f32(-87.3)}, (vf){0} + ${f32(-87.3)}, y);
  const vf k = (y * ${f32(1.4426950408889634)} + 12582912.0f) - 12582912.0f;
  const vf r = (y - k * ${f32(0.693359375)}) - k * ${f32(-2.12194440e-4)};
  vf p = ${f32(EXP_POLY[0])} * r;
${EXP_POLY.slice(1).map((c, i) => `  p = p + ${f32(c)};${i < EXP_POLY.length - 2 ? "\n  p = p * r;" : ""}`).join("\n")}
  p = p * (r * r) + r;
  p = p + 1.0f;
  const vi e = (__builtin_convertvector(k, vi) + 127) << 23;
  return p * (vf)e;
}

static inline __attribute__((always_inline)) void vgelu(vf x, vf *h, vf *g) {
  const vf z = (vf)((vi)x & 0x7fffffff) * ${f32(Math.SQRT1_2)};
  const vf t = 1.0f / (1.0f + ${f32(0.3275911)} * z);
  const vf e = vexp(0.0f - z * z);
  vf q = (vf){0} + ${f32(AS[4])};
${[3, 2, 1, 0].map((i) => `  q = ${f32(AS[i])} + t * q;`).join("\n")}
  vf cdf = (0.5f * t) * (q * e);
  cdf = vselect(x < 0.0f, cdf, 1.0f - cdf);
  *h = x * cdf;
  *g = cdf + x * (e * ${f32(0.3989422804014327)});
}

/* x = P[a[r]] + Q[b[r]] + b1 per row of H floats; rows of P and Q are stride floats apart. */
#define GATHER_GELU_BODY \\
  for (int r = 0; r < n; r++) { \\
    const float *pa = P + (ptrdiff_t)a[r] * stride, *qb = Q + (ptrdiff_t)b[r] * stride; \\
    float *hr = h + (ptrdiff_t)r * H, *gr = g + (ptrdiff_t)r * H; \\
    int j = 0; \\
    for (; j + 16 <= H; j += 16) { \\
      vf vp, vq, vb, vh, vg; \\
      memcpy(&vp, pa + j, 64); \\
      memcpy(&vq, qb + j, 64); \\
      memcpy(&vb, b1 + j, 64); \\
      vgelu((vp + vq) + vb, &vh, &vg); \\
      memcpy(hr + j, &vh, 64); \\
      memcpy(gr + j, &vg, 64); \\
    } \\
    if (j < H) { /* the row's tail, zero-padded: lanes are independent */ \\
      const size_t w = (size_t)(H - j) * 4; \\
      vf vp = {0}, vq = {0}, vb = {0}, vh, vg; \\
      memcpy(&vp, pa + j, w); \\
      memcpy(&vq, qb + j, w); \\
      memcpy(&vb, b1 + j, w); \\
      vgelu((vp + vq) + vb, &vh, &vg); \\
      memcpy(hr + j, &vh, w); \\
      memcpy(gr + j, &vg, w); \\
    } \\
  }

/* The adjoint: v = dx·g per row, added into its P row and its Q row, rows in order (as the wasm kernel). */
#define SCATTER_BODY \\
  for (int r = 0; r < n; r++) { \\
    float *pa = dP + (ptrdiff_t)a[r] * stride, *qb = dQ + (ptrdiff_t)b[r] * stride; \\
    const float *xr = dx + (ptrdiff_t)r * H, *gr = g + (ptrdiff_t)r * H; \\
    int j = 0; \\
    for (; j + 16 <= H; j += 16) { \\
      vf vx, vg, vp, vq; \\
      memcpy(&vx, xr + j, 64); \\
      memcpy(&vg, gr + j, 64); \\
      memcpy(&vp, pa + j, 64); \\
      memcpy(&vq, qb + j, 64); \\
      const vf v = vx * vg; \\
      vp = vp + v; \\
      vq = vq + v; \\
      memcpy(pa + j, &vp, 64); \\
      memcpy(qb + j, &vq, 64); \\
    } \\
    for (; j < H; j++) { \\
      const float v = xr[j] * gr[j]; \\
      pa[j] = pa[j] + v; \\
      qb[j] = qb[j] + v; \\
    } \\
  }

typedef void (*Scatter)(int n, int H, int stride, const int *a, const int *b, const float *dx, const float *g, float *dP, float *dQ);
#define SCATTER(NAME, TARGET) \\
  TARGET static void NAME(int n, int H, int stride, const int *a, const int *b, const float *dx, const float *g, float *dP, float *dQ) { SCATTER_BODY }
SCATTER(scatter_base, )
#if defined(__x86_64__)
SCATTER(scatter_avx2, __attribute__((target("avx2"))))
SCATTER(scatter_avx512, __attribute__((target("avx512f"))))
#endif

/* The CE logit gradient of one row of k classes: t = z/τ, e = exp(t − max t) (0 below
   e^−87.3, where float32 ends), p = e/Σe with the sum over classes in order, and
   dz = (p − onehot(y))·scale. When Σ_{c≠y} e_c is below half an ulp of 1, p_y is
   exactly 1 and its gradient exactly 0: the softmax collapse of float32, kept. Rows
   are ld floats apart in z and dz. Every lane is its own element and the max is
   exact whatever the order, so only the sum needs (and keeps) one order. Partial
   vectors move lane by lane: a memcpy of variable length is a libc call. */
#define SOFTMAX_GRAD_BODY \
  for (int r = 0; r < n; r++) { \
    const float *zr = z + (ptrdiff_t)r * ld; \
    float *gr = dz + (ptrdiff_t)r * ld; \
    vf vm = (vf){0} - INFINITY; \
    for (int c = 0; c < k; c += 16) { \
      const int w = k - c < 16 ? k - c : 16; \
      vf t = (vf){0} - INFINITY; \
      if (w == 16) memcpy(&t, zr + c, 64); \
      else for (int q = 0; q < w; q++) t[q] = zr[c + q]; \
      if (tau != 1.0f) t = t / tau; \
      vm = vselect(t > vm, t, vm); \
      if (w == 16) memcpy(gr + c, &t, 64); \
      else for (int q = 0; q < w; q++) gr[c + q] = t[q]; \
    } \
    float m = vm[0]; \
    for (int q = 1; q < 16; q++) if (vm[q] > m) m = vm[q]; \
    for (int c = 0; c < k; c += 16) { \
      const int w = k - c < 16 ? k - c : 16; \
      vf t = {0}; \
      if (w == 16) memcpy(&t, gr + c, 64); \
      else for (int q = 0; q < w; q++) t[q] = gr[c + q]; \
      t = t - m; \
      const vf e = vselect(t < ${f32(-87.3)}, (vf){0}, vexp(t)); \
      if (w == 16) memcpy(gr + c, &e, 64); \
      else for (int q = 0; q < w; q++) gr[c + q] = e[q]; \
    } \
    float sum = 0.0f; \
    for (int c = 0; c < k; c++) sum = sum + gr[c]; \
    const float ey = gr[y[r]]; \
    for (int c = 0; c < k; c += 16) { \
      const int w = k - c < 16 ? k - c : 16; \
      vf e = {0}; \
      if (w == 16) memcpy(&e, gr + c, 64); \
      else for (int q = 0; q < w; q++) e[q] = gr[c + q]; \
      const vf d = (e / sum - 0.0f) * scale; \
      if (w == 16) memcpy(gr + c, &d, 64); \
      else for (int q = 0; q < w; q++) gr[c + q] = d[q]; \
    } \
    gr[y[r]] = (ey / sum - 1.0f) * scale; \
  }

typedef void (*SoftmaxGrad)(int n, int k, int ld, const float *z, const int *y, float tau, float scale, float *dz);
#define SOFTMAX_GRAD(NAME, TARGET) \
  TARGET static void NAME(int n, int k, int ld, const float *z, const int *y, float tau, float scale, float *dz) { SOFTMAX_GRAD_BODY }
SOFTMAX_GRAD(softmax_grad_base, )
#if defined(__x86_64__)
SOFTMAX_GRAD(softmax_grad_avx2, __attribute__((target("avx2"))))
SOFTMAX_GRAD(softmax_grad_avx512, __attribute__((target("avx512f"))))
#endif

typedef void (*GatherGelu)(int n, int H, int stride, const int *a, const int *b, const float *P, const float *Q, const float *b1, float *h, float *g);
#define GATHER_GELU(NAME, TARGET) \\
  TARGET static void NAME(int n, int H, int stride, const int *a, const int *b, const float *P, const float *Q, const float *b1, float *h, float *g) { GATHER_GELU_BODY }
GATHER_GELU(gather_gelu_base, )
#if defined(__x86_64__)
GATHER_GELU(gather_gelu_avx2, __attribute__((target("avx2"))))
GATHER_GELU(gather_gelu_avx512, __attribute__((target("avx512f"))))
#endif
`
