/**
 * The portable GEMM: products whose bits do not depend on the CPU (numerics
 * "f32-fma-kseq-v1", backend/Backend.ts).
 *
 * Definition: every output element is one fused multiply-add chain over k in order,
 *   acc = (beta == 0 ? 0 : beta·C[i,j]);  for k = 0..K−1: acc = fma(A[i,k], B[k,j], acc)
 * rounded to float32 at every step (IEEE-754 binary32, round to nearest, no flush to
 * zero). The chain is never split over k — splitting k (blocking, or vectorizing
 * along k) is what makes BLAS libraries round differently from one kernel family to
 * the next. The vector paths vectorize across outputs only (a register tile of MR rows
 * × NR columns, each lane its own chain), so the scalar fmaf path, AVX2+FMA, AVX-512F
 * and NEON give the same bits; the tile shape is a speed choice only.
 *
 * The C below is compiled with -ffp-contract=off and uses explicit FMA intrinsics or
 * fmaf, so the compiler cannot fuse or reassociate anything else. Packing copies
 * operands into tile order (transposes included) and changes no arithmetic. The path
 * is picked by CPUID (the widest the CPU has); GROKFLOW_KERNEL=scalar|avx2|avx512|neon
 * forces one (tests use it to show the bits agree). Single-threaded: parallelism is
 * one worker process per core.
 *
 * The addon also carries the MLP's row kernels (simd/rowKernels.ts) and AdamW
 * (simd/adamKernel.ts) on the same paths, so one build serves a whole portable step.
 */
import type { NativeBlas } from "./nativeBlas.ts"
import { loadAddon, NAPI_GLUE } from "./nativeAddon.ts"
import { ADAM_KERNEL } from "./adamKernel.ts"
import { ROW_KERNELS } from "./rowKernels.ts"

/** The numerics name of this GEMM in cache keys; bump the version when the definition above changes. */
export const PORTABLE_NUMERICS = "f32-fma-kseq-v1"

export type KernelPath = "scalar" | "avx2" | "avx512" | "neon"

export const kernelPaths: ReadonlyArray<KernelPath> = ["scalar", "avx2", "avx512", "neon"]

export interface PortableGemm extends NativeBlas {
  gatherGelu: NonNullable<NativeBlas["gatherGelu"]>
  scatter: NonNullable<NativeBlas["scatter"]>
  softmaxGrad: NonNullable<NativeBlas["softmaxGrad"]>
  /** AdamW in place over the first n elements (simd/adamKernel.ts). */
  adam(n: number, w: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, beta1: number, c1: number, beta2: number, c2: number, stepSize: number, invSqrtBc2: number, eps: number, pre: number, post: number): void
  /** The path in use. */
  kernel(): KernelPath
  /** The paths this CPU can run, narrowest first. */
  kernels(): Array<KernelPath>
  /** Switches the path; throws when the CPU lacks it. */
  select(path: KernelPath): void
}

interface Isa {
  readonly name: KernelPath
  readonly guard: string
  readonly target: string
  readonly vec: string
  readonly lanes: number
  /** Rows and vectors (of `lanes` columns) per register tile. */
  readonly mr: number
  readonly nv: number
  readonly load: string
  readonly store: string
  readonly set1: string
  readonly zero: string
  readonly mul: string
  /** fma(x, b, acc) as a C expression. */
  readonly fma: (x: string, b: string, acc: string) => string
}

const ISAS: ReadonlyArray<Isa> = [
  {
    name: "avx2", guard: "defined(__x86_64__)", target: `__attribute__((target("avx2,fma")))`, vec: "__m256", lanes: 8, mr: 6, nv: 2,
    load: "_mm256_loadu_ps", store: "_mm256_storeu_ps", set1: "_mm256_set1_ps", zero: "_mm256_setzero_ps()", mul: "_mm256_mul_ps",
    fma: (x, b, acc) => `_mm256_fmadd_ps(${x}, ${b}, ${acc})`
  },
  {
    name: "avx512", guard: "defined(__x86_64__)", target: `__attribute__((target("avx512f")))`, vec: "__m512", lanes: 16, mr: 8, nv: 2,
    load: "_mm512_loadu_ps", store: "_mm512_storeu_ps", set1: "_mm512_set1_ps", zero: "_mm512_setzero_ps()", mul: "_mm512_mul_ps",
    fma: (x, b, acc) => `_mm512_fmadd_ps(${x}, ${b}, ${acc})`
  },
  {
    name: "neon", guard: "defined(__aarch64__)", target: "", vec: "float32x4_t", lanes: 4, mr: 8, nv: 3,
    load: "vld1q_f32", store: "vst1q_f32", set1: "vdupq_n_f32", zero: "vdupq_n_f32(0.0f)", mul: "vmulq_f32",
    fma: (x, b, acc) => `vfmaq_f32(${acc}, ${x}, ${b})`
  }
]

/**
 * One register tile: MR rows × NR columns of C, over kc steps of k. A's rows are read
 * in place, k-major (`a[k·as + r]`: a transposed operand or a packed edge block) or
 * row-major (`a[r·as + k]`); B comes packed, NR columns per k.
 */
const tile = (isa: Isa, layout: "k" | "r"): string => {
  const { name, mr, nv, lanes } = isa
  const nr = nv * lanes
  const aAt = layout === "k" ? "a[(ptrdiff_t)k * as + r]" : "a[(ptrdiff_t)r * as + k]"
  return `
${isa.target}
static void tile_${name}_${layout}(int kc, const float *a, ptrdiff_t as, const float *bp, float *c, ptrdiff_t ldc, float beta) {
  ${isa.vec} acc[${mr}][${nv}];
#pragma GCC unroll 16
  for (int r = 0; r < ${mr}; r++)
#pragma GCC unroll 16
    for (int v = 0; v < ${nv}; v++)
      acc[r][v] = beta == 0.0f ? ${isa.zero} : ${isa.mul}(${isa.set1}(beta), ${isa.load}(c + r * ldc + v * ${lanes}));
  for (int k = 0; k < kc; k++) {
    ${isa.vec} b[${nv}];
#pragma GCC unroll 16
    for (int v = 0; v < ${nv}; v++) b[v] = ${isa.load}(bp + (size_t)k * ${nr} + v * ${lanes});
#pragma GCC unroll 16
    for (int r = 0; r < ${mr}; r++) {
      ${isa.vec} x = ${isa.set1}(${aAt});
#pragma GCC unroll 16
      for (int v = 0; v < ${nv}; v++) acc[r][v] = ${isa.fma("x", "b[v]", "acc[r][v]")};
    }
  }
#pragma GCC unroll 16
  for (int r = 0; r < ${mr}; r++)
#pragma GCC unroll 16
    for (int v = 0; v < ${nv}; v++) ${isa.store}(c + r * ldc + v * ${lanes}, acc[r][v]);
}
`
}

/** One vector path: its tiles and the driver that packs B and walks the tiles. */
const vectorPath = (isa: Isa): string => {
  const { name, mr, nv, lanes } = isa
  const nr = nv * lanes
  return `
#if ${isa.guard}
${tile(isa, "k")}
${tile(isa, "r")}
${isa.target}
static void row_${name}(int n, int K, const float *a, ptrdiff_t as, const float *B, ptrdiff_t ldb, float *c, float beta) {
  int j = 0;
  for (; j + ${lanes} <= n; j += ${lanes}) {
    ${isa.vec} acc = beta == 0.0f ? ${isa.zero} : ${isa.mul}(${isa.set1}(beta), ${isa.load}(c + j));
    for (int k = 0; k < K; k++) acc = ${isa.fma(`${isa.set1}(a[(ptrdiff_t)k * as])`, `${isa.load}(B + (ptrdiff_t)k * ldb + j)`, "acc")};
    ${isa.store}(c + j, acc);
  }
  for (; j < n; j++) {
    float acc = beta == 0.0f ? 0.0f : beta * c[j];
    for (int k = 0; k < K; k++) acc = fmaf(a[(ptrdiff_t)k * as], B[(ptrdiff_t)k * ldb + j], acc);
    c[j] = acc;
  }
}
${isa.target}
static void tiles_${name}(const Job *g, int ib, int jb, int k0, int kc, float beta, float *tmp) {
  const int i0 = ib * ${mr}, rows = g->m - i0 < ${mr} ? g->m - i0 : ${mr};
  const int j0 = jb * ${nr}, cols = g->n - j0 < ${nr} ? g->n - j0 : ${nr};
  const float *bp = g->Bp + (size_t)jb * g->K * ${nr} + (size_t)k0 * ${nr};
  float *c = g->C + (ptrdiff_t)i0 * g->cs0 + (ptrdiff_t)j0 * g->cs1;
  float *out = c;
  ptrdiff_t ldc = g->cs0;
  const int direct = g->cs1 == 1 && rows == ${mr} && cols == ${nr};
  if (!direct) {
    /* An edge (or transposed) tile runs whole on a copy, zero-padded; only its valid part goes back. */
    for (int r = 0; r < ${mr}; r++)
      for (int q = 0; q < ${nr}; q++) tmp[r * ${nr} + q] = r < rows && q < cols && beta != 0.0f ? c[(ptrdiff_t)r * g->cs0 + (ptrdiff_t)q * g->cs1] : 0.0f;
    out = tmp;
    ldc = ${nr};
  }
  if (rows < ${mr}) tile_${name}_k(kc, g->Ap + (size_t)k0 * ${mr}, ${mr}, bp, out, ldc, beta);
  else if (g->A.s1 == 1) tile_${name}_r(kc, g->A.p + (ptrdiff_t)i0 * g->A.s0 + k0, g->A.s0, bp, out, ldc, beta);
  else tile_${name}_k(kc, g->A.p + (ptrdiff_t)k0 * g->A.s1 + i0, g->A.s1, bp, out, ldc, beta);
  if (!direct)
    for (int r = 0; r < rows; r++)
      for (int q = 0; q < cols; q++) c[(ptrdiff_t)r * g->cs0 + (ptrdiff_t)q * g->cs1] = tmp[r * ${nr} + q];
}

${isa.target}
static int gemm_${name}(int m, int n, int K, View A, View B, float *C, float beta) {
  /* One row (a column sum, say) with B as stored: nothing to pack, one chain per lane. */
  if (m == 1 && B.s1 == 1) {
    row_${name}(n, K, A.p, A.s1, B.p, B.s0, C, beta);
    return 1;
  }
  Job g;
  if (!plan(&g, m, n, K, A, B, C, ${mr}, ${nr})) return 0;
  const int mb = (g.m + ${mr - 1}) / ${mr}, nb = (g.n + ${nr - 1}) / ${nr};
  float tmp[${mr * nr}] __attribute__((aligned(64)));
  /* k in slices of KC: a tile's accumulators go to C between slices and come back
     exactly (they are float32 in registers too), so each element's chain runs on
     unbroken, k in order; the slices only keep the tiles' operands in cache. */
  for (int k0 = 0; k0 < K; k0 += KC) {
    const int kc = K - k0 < KC ? K - k0 : KC;
    const float b0 = k0 == 0 ? beta : 1.0f;
    /* B's panel stays in L1 while A's row blocks pass (measured faster here than the
       other order on every MLP product). */
    for (int jb = 0; jb < nb; jb++)
      for (int ib = 0; ib < mb; ib++) tiles_${name}(&g, ib, jb, k0, kc, b0, tmp);
  }
  return 1;
}
#endif
`
}


const SOURCE = `/* grokflow portable GEMM (src/train/simd/portableGemm.ts): one FMA chain over k per output. */
#include <node_api.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif
#if defined(__aarch64__)
#include <arm_neon.h>
#endif

/* A strided matrix: element (r, c) is p[r * s0 + c * s1]. */
typedef struct {
  const float *p;
  ptrdiff_t s0, s1;
} View;

static View transposed(View v) {
  View t = {v.p, v.s1, v.s0};
  return t;
}

#ifndef KC
#define KC 256
#endif


/* Per thread: a process may load the addon in several worker threads. */
static _Thread_local float *apack, *bpack;
static _Thread_local size_t apack_cap, bpack_cap;

static float *grow(float **buf, size_t *cap, size_t n) {
  if (n <= *cap) return *buf;
  free(*buf);
  *buf = aligned_alloc(64, (n * sizeof(float) + 63) / 64 * 64);
  *cap = *buf == NULL ? 0 : n;
  return *buf;
}

static View shifted(View v, int rows) {
  View s = {v.p + (ptrdiff_t)rows * v.s0, v.s0, v.s1};
  return s;
}

/* Rows of M in blocks of R, k-major inside a block: P[blk][k][r] = M(blk·R + r, k), zero past the last row. */
static void pack(View M, int rows, int K, int R, float *P) {
  for (int i0 = 0; i0 < rows; i0 += R) {
    float *dst = P + (size_t)(i0 / R) * K * R;
    const int n = rows - i0 < R ? rows - i0 : R;
    const float *src = M.p + (ptrdiff_t)i0 * M.s0;
    if (M.s0 == 1) {
      for (int k = 0; k < K; k++) {
        memcpy(dst + (size_t)k * R, src + (ptrdiff_t)k * M.s1, (size_t)n * sizeof(float));
        for (int r = n; r < R; r++) dst[(size_t)k * R + r] = 0.0f;
      }
      continue;
    }
    /* A transpose: 16 k at a time, so reads and writes both stay within a few lines. */
    for (int k0 = 0; k0 < K; k0 += 16) {
      const int k1 = K - k0 < 16 ? K : k0 + 16;
      for (int r = 0; r < R; r++)
        for (int k = k0; k < k1; k++) dst[(size_t)k * R + r] = r < n ? src[(ptrdiff_t)r * M.s0 + (ptrdiff_t)k * M.s1] : 0.0f;
    }
  }
}

/* One product as the vector paths run it: C'(i, j) = Σ_k A(i, k)·B(k, j) for i < m, j < n,
   stored at C[i·cs0 + j·cs1]; B packed in panels, A's last (partial) row block packed. */
typedef struct {
  int m, n, K;
  View A;
  const float *Ap, *Bp;
  float *C;
  ptrdiff_t cs0, cs1;
} Job;

/* When B is stored transposed and A is the smaller operand, packing B (a transpose)
   costs more than the product saves: compute Cᵀ = Bᵀ·Aᵀ instead, written back
   transposed. Each element is still the same chain over k. */
static int plan(Job *g, int m, int n, int K, View A, View B, float *C, int MR, int NR) {
  const int swap = B.s1 != 1 && m < n;
  if (swap) {
    const View a = transposed(B);
    B = transposed(A);
    A = a;
    const int t = m;
    m = n;
    n = t;
  }
  const int mb = (m + MR - 1) / MR, nb = (n + NR - 1) / NR, edge = m % MR != 0;
  float *Ap = grow(&apack, &apack_cap, edge ? (size_t)MR * K : 1);
  float *Bp = grow(&bpack, &bpack_cap, (size_t)nb * NR * K);
  if (Ap == NULL || Bp == NULL) return 0;
  if (edge) pack(shifted(A, (mb - 1) * MR), m - (mb - 1) * MR, K, MR, Ap);
  pack(transposed(B), n, K, NR, Bp);
  Job j = {m, n, K, A, Ap, Bp, C, swap ? 1 : n, swap ? m : 1};
  *g = j;
  return 1;
}

static int gemm_scalar(int m, int n, int K, View A, View B, float *C, float beta) {
  for (int i = 0; i < m; i++)
    for (int j = 0; j < n; j++) {
      float acc = beta == 0.0f ? 0.0f : beta * C[(ptrdiff_t)i * n + j];
      for (int k = 0; k < K; k++) acc = fmaf(A.p[(ptrdiff_t)i * A.s0 + (ptrdiff_t)k * A.s1], B.p[(ptrdiff_t)k * B.s0 + (ptrdiff_t)j * B.s1], acc);
      C[(ptrdiff_t)i * n + j] = acc;
    }
  return 1;
}
${ISAS.map(vectorPath).join("")}
${ROW_KERNELS}
${ADAM_KERNEL}
typedef int (*Gemm)(int m, int n, int K, View A, View B, float *C, float beta);

typedef struct {
  const char *name;
  Gemm gemm;
  GatherGelu gatherGelu;
  Scatter scatter;
  SoftmaxGrad softmaxGrad;
  Adam adam;
  bool usable;
} Path;

static Path paths[] = {
  {"scalar", gemm_scalar, gather_gelu_base, scatter_base, softmax_grad_base, adam_base, true},
#if defined(__x86_64__)
  {"avx2", gemm_avx2, gather_gelu_avx2, scatter_avx2, softmax_grad_avx2, adam_avx2, false},
  {"avx512", gemm_avx512, gather_gelu_avx512, scatter_avx512, softmax_grad_avx512, adam_avx512, false},
#endif
#if defined(__aarch64__)
  {"neon", gemm_neon, gather_gelu_base, scatter_base, softmax_grad_base, adam_base, true},
#endif
};
#define PATHS ((int)(sizeof(paths) / sizeof(paths[0])))
static _Thread_local int current = 0;

static void detect(void) {
#if defined(__x86_64__)
  __builtin_cpu_init();
  paths[1].usable = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  paths[2].usable = __builtin_cpu_supports("avx512f");
#endif
  for (int i = 0; i < PATHS; i++)
    if (paths[i].usable) current = i;
}

${NAPI_GLUE}
/* sgemm(transA, transB, m, n, k, A, B, C, beta): C[m,n] = op(A)·op(B) + beta·C, row-major, as the OpenBLAS addon. */
static napi_value Sgemm(napi_env env, napi_callback_info info) {
  SgemmArgs g;
  if (!sgemm_args(env, info, &g) || g.m == 0 || g.n == 0) return NULL;
  const int m = g.m, n = g.n, k = g.k;
  const float b = g.beta;
  float *A = g.A, *B = g.B, *C = g.C;
  const bool ta = g.ta, tb = g.tb;
  if (k == 0) {
    for (size_t i = 0; i < (size_t)m * n; i++) C[i] = b == 0.0f ? 0.0f : b * C[i];
    return NULL;
  }
  View vA = ta ? (View){A, 1, m} : (View){A, k, 1};
  View vB = tb ? (View){B, 1, k} : (View){B, n, 1};
  if (!paths[current].gemm(m, n, k, vA, vB, C, b)) napi_throw_error(env, NULL, "sgemm: out of memory");
  return NULL;
}

/* The arguments of the row kernels: n, H, stride, a, b, then count float arrays, of
   which P and Q (by index) are read at rows a[r] and b[r] of stride floats, those in
   the perRow mask hold n rows of H and those in the perColumn mask H. False (a JS error thrown) when
   anything does not fit. */
typedef struct {
  int32_t n, H, stride;
  int *a, *b;
  float *f[5];
} RowArgs;

static bool row_args(napi_env env, napi_callback_info info, const char *name, size_t count, int P, int Q, unsigned perRow, unsigned perColumn, RowArgs *g) {
  size_t argc = 10;
  napi_value v[10];
  napi_get_cb_info(env, info, &argc, v, NULL, NULL);
  size_t la = 0, lb = 0, len[5] = {0};
  bool ok = argc == 5 + count && napi_get_value_int32(env, v[0], &g->n) == napi_ok && napi_get_value_int32(env, v[1], &g->H) == napi_ok &&
            napi_get_value_int32(env, v[2], &g->stride) == napi_ok && ints(env, v[3], &g->a, &la) && ints(env, v[4], &g->b, &lb) &&
            g->n >= 0 && g->H >= 0 && g->stride >= g->H && la >= (size_t)g->n && lb >= (size_t)g->n;
  for (size_t i = 0; ok && i < count; i++) {
    ok = floats(env, v[5 + i], &g->f[i], &len[i]);
    if (ok && (perRow >> i & 1u)) ok = len[i] >= (size_t)g->n * g->H;
    if (ok && (perColumn >> i & 1u)) ok = len[i] >= (size_t)g->H;
  }
  if (!ok) {
    napi_throw_error(env, NULL, name);
    return false;
  }
  for (int r = 0; r < g->n; r++)
    if (g->a[r] < 0 || g->b[r] < 0 || (size_t)g->a[r] * g->stride + g->H > len[P] || (size_t)g->b[r] * g->stride + g->H > len[Q]) {
      napi_throw_error(env, NULL, "row index out of range");
      return false;
    }
  return true;
}

/* gatherGelu(n, H, stride, a, b, P, Q, b1, h, g), as the wasm kernel of the same name. */
static napi_value GatherGeluFn(napi_env env, napi_callback_info info) {
  RowArgs g;
  if (row_args(env, info, "gatherGelu: bad operands", 5, 0, 1, 3u << 3, 1u << 2, &g))
    paths[current].gatherGelu(g.n, g.H, g.stride, g.a, g.b, g.f[0], g.f[1], g.f[2], g.f[3], g.f[4]);
  return NULL;
}

/* scatter(n, H, stride, a, b, dx, g, dP, dQ), as the wasm kernel of the same name. */
static napi_value ScatterFn(napi_env env, napi_callback_info info) {
  RowArgs g;
  if (row_args(env, info, "scatter: bad operands", 4, 2, 3, 3u, 0u, &g))
    paths[current].scatter(g.n, g.H, g.stride, g.a, g.b, g.f[0], g.f[1], g.f[2], g.f[3]);
  return NULL;
}

/* softmaxGrad(n, k, z, y, tau, scale, dz[, ld]): the CE logit gradient of n rows of
   k classes, rows ld floats apart in z and dz (k when absent: a padded row stays in place). */
static napi_value SoftmaxGradFn(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value v[8];
  napi_get_cb_info(env, info, &argc, v, NULL, NULL);
  int32_t n = 0, k = 0, ld = 0;
  double tau = 1, scale = 1;
  float *z = NULL, *dz = NULL;
  int *y = NULL;
  size_t lz = 0, ly = 0, ldz = 0;
  bool ok = (argc == 7 || argc == 8) && napi_get_value_int32(env, v[0], &n) == napi_ok && napi_get_value_int32(env, v[1], &k) == napi_ok &&
            floats(env, v[2], &z, &lz) && ints(env, v[3], &y, &ly) && napi_get_value_double(env, v[4], &tau) == napi_ok &&
            napi_get_value_double(env, v[5], &scale) == napi_ok && floats(env, v[6], &dz, &ldz) && n >= 0 && k > 0;
  if (ok) ok = argc == 7 ? (ld = k, true) : napi_get_value_int32(env, v[7], &ld) == napi_ok;
  const size_t need = n == 0 ? 0 : (size_t)(n - 1) * ld + k;
  ok = ok && ld >= k && lz >= need && ly >= (size_t)n && ldz >= need;
  for (int r = 0; ok && r < n; r++) ok = y[r] >= 0 && y[r] < k;
  if (!ok) {
    napi_throw_error(env, NULL, "softmaxGrad: bad operands");
    return NULL;
  }
  paths[current].softmaxGrad(n, k, ld, z, y, (float)tau, (float)scale, dz);
  return NULL;
}

/* adam(n, w, g, m, v, beta1, c1, beta2, c2, stepSize, invSqrtBc2, eps, pre, post): AdamW in place (simd/adamKernel.ts). */
static napi_value AdamFn(napi_env env, napi_callback_info info) {
  size_t argc = 14;
  napi_value a[14];
  napi_get_cb_info(env, info, &argc, a, NULL, NULL);
  int32_t n = 0;
  float *f[4] = {NULL};
  size_t len[4] = {0};
  double s[9] = {0};
  bool ok = argc == 14 && napi_get_value_int32(env, a[0], &n) == napi_ok && n >= 0;
  for (int i = 0; ok && i < 4; i++) ok = floats(env, a[1 + i], &f[i], &len[i]) && len[i] >= (size_t)n;
  for (int i = 0; ok && i < 9; i++) ok = napi_get_value_double(env, a[5 + i], &s[i]) == napi_ok;
  if (!ok) {
    napi_throw_error(env, NULL, "adam: bad operands");
    return NULL;
  }
  /* float32 scalars, rounded to nearest as the wasm kernel's f32 parameters are. */
  paths[current].adam(n, f[0], f[1], f[2], f[3], (float)s[0], (float)s[1], (float)s[2], (float)s[3], (float)s[4], (float)s[5], (float)s[6], (float)s[7], (float)s[8]);
  return NULL;
}

static napi_value string(napi_env env, const char *s) {
  napi_value v;
  napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &v);
  return v;
}

static napi_value Kernel(napi_env env, napi_callback_info info) {
  (void)info;
  return string(env, paths[current].name);
}

static napi_value Kernels(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value list;
  napi_create_array(env, &list);
  uint32_t n = 0;
  for (int i = 0; i < PATHS; i++)
    if (paths[i].usable) napi_set_element(env, list, n++, string(env, paths[i].name));
  return list;
}

static napi_value Select(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value a[1];
  napi_get_cb_info(env, info, &argc, a, NULL, NULL);
  char name[32] = {0};
  size_t len = 0;
  if (argc != 1 || napi_get_value_string_utf8(env, a[0], name, sizeof name, &len) != napi_ok) {
    napi_throw_error(env, NULL, "select: expected a path name");
    return NULL;
  }
  for (int i = 0; i < PATHS; i++)
    if (strcmp(paths[i].name, name) == 0 && paths[i].usable) {
      current = i;
      return NULL;
    }
  napi_throw_error(env, NULL, "select: this CPU cannot run that path");
  return NULL;
}

static napi_value Init(napi_env env, napi_value exports) {
  detect();
  const struct {
    const char *name;
    napi_callback f;
  } fns[] = {{"sgemm", Sgemm}, {"gatherGelu", GatherGeluFn}, {"scatter", ScatterFn}, {"softmaxGrad", SoftmaxGradFn}, {"adam", AdamFn}, {"kernel", Kernel}, {"kernels", Kernels}, {"select", Select}};
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
    napi_value f;
    napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, fns[i].f, NULL, &f);
    napi_set_named_property(env, exports, fns[i].name, f);
  }
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
`

const isKernelPath = (s: string): s is KernelPath => (kernelPaths as ReadonlyArray<string>).includes(s)

let loaded: { readonly gemm: PortableGemm } | { readonly reason: string } | undefined

/**
 * Builds/loads the portable GEMM once per process, on the path GROKFLOW_KERNEL names
 * or else the widest this CPU has. A forced path the CPU lacks is an error, not a
 * fallback: the caller asked for that path.
 */
export const loadPortableGemm = (): { readonly gemm: PortableGemm } | { readonly reason: string } => {
  if (loaded !== undefined) return loaded
  // -fno-math-errno lets sqrtf be the one IEEE instruction, without an errno path; it changes no value.
  const result = loadAddon<PortableGemm>({ name: "gemm", source: SOURCE, flags: ["-O2", "-ffp-contract=off", "-fno-fast-math", "-fno-math-errno", "-std=gnu11", "-Wno-psabi"], libs: ["-lm"] })
  if ("reason" in result) return (loaded = result)
  const gemm = result.addon
  const forced = process.env.GROKFLOW_KERNEL
  if (forced !== undefined && forced !== "") {
    if (!isKernelPath(forced) || !gemm.kernels().includes(forced)) {
      throw new Error(`GROKFLOW_KERNEL=${forced}: expected one of ${gemm.kernels().join(", ")} (the portable GEMM paths this CPU runs)`)
    }
    gemm.select(forced)
  }
  return (loaded = { gemm })
}
