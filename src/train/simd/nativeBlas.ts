/**
 * The GEMM the models use for their dense products on the host, when the resolved
 * backend names one (backend/resolve.ts): the portable GEMM (simd/portableGemm.ts,
 * the default) or, as an explicit machine-bound choice, OpenBLAS's single-threaded
 * cblas_sgemm (numerics "openblas:<kernel family>").
 *
 * Why OpenBLAS is not the default: each of its kernel families (Haswell, SkylakeX,
 * …) blocks the k loop its own way, so the same product rounds differently from one
 * CPU to the next, and results computed on one machine would not be the results of
 * another (docs/training-speed.md). Installing it never changes the default.
 *
 * The C source below joins the training code's digest. It is linked to
 * libopenblas.so.0 directly (no BLAS headers needed) by the shared builder
 * (simd/nativeAddon.ts). When anything is missing — compiler, headers, OpenBLAS
 * (Debian: libopenblas0-pthread) — `loadNativeBlas()` answers with the reason.
 * GROKFLOW_NATIVE_BLAS=0 turns it off.
 */
import { existsSync, readdirSync } from "node:fs"
import { join } from "node:path"
import { loadAddon, NAPI_GLUE } from "./nativeAddon.ts"

const SOURCE = `/* grokflow native GEMM (src/train/simd/nativeBlas.ts) */
#include <node_api.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

extern void cblas_sgemm(int order, int transA, int transB, int m, int n, int k, float alpha, const float *A, int lda,
                        const float *B, int ldb, float beta, float *C, int ldc);
extern void openblas_set_num_threads(int n);
extern char *openblas_get_corename(void);

#define ROW_MAJOR 101
#define NO_TRANS 111
#define TRANS 112

${NAPI_GLUE}
static napi_value Sgemm(napi_env env, napi_callback_info info) {
  SgemmArgs g;
  if (!sgemm_args(env, info, &g) || g.m == 0 || g.n == 0) return NULL;
  cblas_sgemm(ROW_MAJOR, g.ta ? TRANS : NO_TRANS, g.tb ? TRANS : NO_TRANS, g.m, g.n, g.k, 1.0f, g.A, g.ta ? g.m : g.k, g.B, g.tb ? g.k : g.n, g.beta, g.C, g.n);
  return NULL;
}

static napi_value Corename(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value s;
  const char *name = openblas_get_corename();
  napi_create_string_utf8(env, name == NULL ? "unknown" : name, NAPI_AUTO_LENGTH, &s);
  return s;
}

static napi_value Init(napi_env env, napi_value exports) {
  openblas_set_num_threads(1);
  napi_value f;
  napi_create_function(env, "sgemm", NAPI_AUTO_LENGTH, Sgemm, NULL, &f);
  napi_set_named_property(env, exports, "sgemm", f);
  napi_create_function(env, "corename", NAPI_AUTO_LENGTH, Corename, NULL, &f);
  napi_set_named_property(env, exports, "corename", f);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
`

/** A host GEMM over Float32Arrays: the portable one or OpenBLAS's. */
export interface NativeBlas {
  /** C[m,n] = op(A)·op(B) + beta·C, row-major; op(A) is [m,k] (stored [k,m] when transA). */
  sgemm(transA: boolean, transB: boolean, m: number, n: number, k: number, A: Float32Array, B: Float32Array, C: Float32Array, beta: number): void
  /**
   * The MLP's row gather + GELU with the bits of the wasm SIMD kernel of the same
   * name (simd/kernels.ts), only wider: a speed-up, not other numerics.
   */
  gatherGelu?(n: number, H: number, stride: number, a: Int32Array, b: Int32Array, P: Float32Array, Q: Float32Array, b1: Float32Array, h: Float32Array, g: Float32Array): void
  /** Its adjoint's scatter-add, likewise with the wasm kernel's bits. */
  scatter?(n: number, H: number, stride: number, a: Int32Array, b: Int32Array, dx: Float32Array, g: Float32Array, dP: Float32Array, dQ: Float32Array): void
  /**
   * The float32 CE logit gradient (softmax(z/τ) − onehot(y))·scale on the host, one
   * fixed order (the portable numerics' own; the wasm path's is tfjs's softmax).
   * Rows are `ld` floats apart in z and dz (k when absent).
   */
  softmaxGrad?(n: number, k: number, z: Float32Array, y: Int32Array, tau: number, scale: number, dz: Float32Array, ld?: number): void
}

export interface OpenBlas extends NativeBlas {
  /** OpenBLAS's kernel family for this CPU, e.g. "Haswell" (OPENBLAS_CORETYPE overrides it). */
  corename(): string
}

/** libopenblas.so.0 in the usual Debian/Ubuntu/Fedora places, or undefined. */
const findOpenBlas = (): string | undefined => {
  const roots = ["/usr/lib", "/usr/lib64", "/usr/local/lib"]
  for (const root of roots) {
    if (!existsSync(root)) continue
    const dirs = [root, ...readdirSync(root).filter((e) => e.endsWith("-linux-gnu")).map((e) => join(root, e))]
    for (const dir of dirs) {
      for (const sub of ["", "openblas-pthread", "openblas-openmp", "openblas-serial"]) {
        const lib = join(dir, sub, "libopenblas.so.0")
        if (existsSync(lib)) return lib
      }
    }
  }
  return undefined
}

let loaded: { readonly blas: OpenBlas } | { readonly reason: string } | undefined

/** Builds/loads the OpenBLAS addon once per process. */
export const loadNativeBlas = (): { readonly blas: OpenBlas } | { readonly reason: string } => {
  if (loaded !== undefined) return loaded
  if (process.env.GROKFLOW_NATIVE_BLAS === "0") return (loaded = { reason: "GROKFLOW_NATIVE_BLAS=0" })
  const lib = findOpenBlas()
  if (lib === undefined) return (loaded = { reason: "libopenblas.so.0 not found" })
  // One thread: OpenBLAS sizes its pool from the environment when it loads.
  process.env.OPENBLAS_NUM_THREADS ??= "1"
  const result = loadAddon<OpenBlas>({ name: "blas", source: SOURCE, flags: ["-O2"], libs: [lib] })
  return (loaded = "addon" in result ? { blas: result.addon } : result)
}

let active: NativeBlas | null = null

/** The native GEMM the models use in this process (set by backend/initBackend.ts), or null. */
export const nativeBlas = (): NativeBlas | null => active

/** Turns the native GEMM on (the backend was resolved with it) or off. */
export const useNativeBlas = (blas: NativeBlas | null): void => {
  active = blas
}
