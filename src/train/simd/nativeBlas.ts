/**
 * The optional native GEMM: a Node-API addon over the system OpenBLAS's cblas_sgemm,
 * single-threaded (one worker process per core is the deployment), used by the MLP
 * when the resolved backend says so ("simd+openblas:<core>", backend/resolve.ts).
 *
 * Why: XNNPACK's wasm SIMD products run at ~20–27 GFLOP/s here (128-bit, no FMA);
 * OpenBLAS's AVX2/FMA sgemm runs the same shapes at ~70–80 GFLOP/s on one core
 * (docs/training-speed.md), and transposed operands cost nothing (no tf.transpose,
 * no upload of the [n, H] activations).
 *
 * The C source below is part of this module, so it joins the training code's digest
 * (cache keys follow it). It is compiled on first use with the system C compiler
 * (`cc`, or $CC) against Node's own node_api.h and linked to libopenblas.so.0
 * directly (no BLAS headers needed), into node_modules/.cache/grokflow/ (or the temp
 * directory) under a name that hashes the source, Node's ABI and the library path;
 * concurrent workers build to temp files and rename. When anything is missing —
 * compiler, headers, OpenBLAS (Debian: libopenblas0-pthread) — `nativeBlas()` is null
 * and the wasm path trains. GROKFLOW_NATIVE_BLAS=0 turns it off.
 */
import { spawnSync } from "node:child_process"
import { createHash } from "node:crypto"
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"

const SOURCE = `/* grokflow native GEMM (src/train/simd/nativeBlas.ts) */
#include <node_api.h>
#include <stdbool.h>
#include <stddef.h>

extern void cblas_sgemm(int order, int transA, int transB, int m, int n, int k, float alpha, const float *A, int lda,
                        const float *B, int ldb, float beta, float *C, int ldc);
extern void openblas_set_num_threads(int n);
extern char *openblas_get_corename(void);

#define ROW_MAJOR 101
#define NO_TRANS 111
#define TRANS 112

static float *floats(napi_env env, napi_value v, size_t *length) {
  napi_typedarray_type type;
  void *data = NULL;
  napi_value buffer;
  size_t offset;
  if (napi_get_typedarray_info(env, v, &type, length, &data, &buffer, &offset) != napi_ok || type != napi_float32_array) return NULL;
  return (float *)data;
}

static napi_value Sgemm(napi_env env, napi_callback_info info) {
  size_t argc = 9;
  napi_value a[9];
  napi_get_cb_info(env, info, &argc, a, NULL, NULL);
  if (argc != 9) {
    napi_throw_error(env, NULL, "sgemm: expected 9 arguments");
    return NULL;
  }
  bool ta = false, tb = false;
  int32_t m = 0, n = 0, k = 0;
  double beta = 0;
  napi_get_value_bool(env, a[0], &ta);
  napi_get_value_bool(env, a[1], &tb);
  napi_get_value_int32(env, a[2], &m);
  napi_get_value_int32(env, a[3], &n);
  napi_get_value_int32(env, a[4], &k);
  napi_get_value_double(env, a[8], &beta);
  size_t la = 0, lb = 0, lc = 0;
  float *A = floats(env, a[5], &la);
  float *B = floats(env, a[6], &lb);
  float *C = floats(env, a[7], &lc);
  if (A == NULL || B == NULL || C == NULL || m < 0 || n < 0 || k < 0 || la < (size_t)m * k || lb < (size_t)k * n || lc < (size_t)m * n) {
    napi_throw_error(env, NULL, "sgemm: bad operands");
    return NULL;
  }
  if (m == 0 || n == 0) return NULL;
  cblas_sgemm(ROW_MAJOR, ta ? TRANS : NO_TRANS, tb ? TRANS : NO_TRANS, m, n, k, 1.0f, A, ta ? m : k, B, tb ? k : n, (float)beta, C, n);
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

export interface NativeBlas {
  /** C[m,n] = op(A)·op(B) + beta·C, row-major; op(A) is [m,k] (stored [k,m] when transA). */
  sgemm(transA: boolean, transB: boolean, m: number, n: number, k: number, A: Float32Array, B: Float32Array, C: Float32Array, beta: number): void
  /** OpenBLAS's kernel family for this CPU, e.g. "Haswell". */
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

/** The directory holding Node's node_api.h, or undefined. */
const findNodeHeaders = (): string | undefined =>
  [join(dirname(dirname(process.execPath)), "include", "node"), "/usr/include/node", "/usr/local/include/node"].find((d) => existsSync(join(d, "node_api.h")))

const cacheDir = (): string => {
  const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../../..")
  const modules = join(repo, "node_modules")
  return existsSync(modules) ? join(modules, ".cache", "grokflow") : join(tmpdir(), "grokflow-native")
}

/** Builds (once per source/ABI/library) and returns the addon's path, or the reason it cannot. */
const build = (): { readonly path: string } | { readonly reason: string } => {
  const lib = findOpenBlas()
  if (lib === undefined) return { reason: "libopenblas.so.0 not found" }
  const headers = findNodeHeaders()
  if (headers === undefined) return { reason: "Node's node_api.h not found" }
  const tag = createHash("sha256").update(SOURCE).update(process.versions.modules).update(lib).update(process.arch).digest("hex").slice(0, 16)
  const dir = cacheDir()
  const out = join(dir, `blas-${tag}.node`)
  if (existsSync(out)) return { path: out }
  try {
    mkdirSync(dir, { recursive: true })
    const unique = `${process.pid}-${Date.now()}`
    const src = join(dir, `blas-${tag}-${unique}.c`)
    const tmp = join(dir, `blas-${tag}-${unique}.node`)
    writeFileSync(src, SOURCE)
    const cc = process.env.CC ?? "cc"
    const r = spawnSync(cc, ["-O2", "-shared", "-fPIC", "-I", headers, "-DNODE_GYP_MODULE_NAME=grokflow_blas", src, "-o", tmp, lib, `-Wl,-rpath,${dirname(lib)}`], { encoding: "utf8" })
    if (r.status !== 0) return { reason: `${cc} failed: ${(r.stderr ?? r.error?.message ?? "").trim().split("\n")[0]}` }
    renameSync(tmp, out)
    rmSync(src, { force: true })
    return { path: out }
  } catch (e) {
    return { reason: e instanceof Error ? e.message : String(e) }
  }
}

let loaded: { readonly blas: NativeBlas } | { readonly reason: string } | undefined

/** Builds/loads the addon once per process. */
export const loadNativeBlas = (): { readonly blas: NativeBlas } | { readonly reason: string } => {
  if (loaded !== undefined) return loaded
  if (process.env.GROKFLOW_NATIVE_BLAS === "0") return (loaded = { reason: "GROKFLOW_NATIVE_BLAS=0" })
  const built = build()
  if ("reason" in built) return (loaded = built)
  try {
    // One thread: OpenBLAS sizes its pool from the environment when it loads.
    process.env.OPENBLAS_NUM_THREADS ??= "1"
    const blas = createRequire(import.meta.url)(built.path) as NativeBlas
    return (loaded = { blas })
  } catch (e) {
    return (loaded = { reason: e instanceof Error ? e.message : String(e) })
  }
}

let active: NativeBlas | null = null

/** The native GEMM the models use in this process (set by backend/init.ts), or null. */
export const nativeBlas = (): NativeBlas | null => active

/** Turns the native GEMM on (the backend was resolved with it) or off. */
export const useNativeBlas = (blas: NativeBlas | null): void => {
  active = blas
}
