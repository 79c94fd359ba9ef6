/**
 * Builds and loads the training core's Node-API addons (the portable GEMM,
 * simd/portableGemm.ts, and the OpenBLAS GEMM, simd/nativeBlas.ts) from C source
 * kept inside their modules, so the source joins the training code's digest.
 *
 * Compiled on first use with the system C compiler (`cc`, or $CC) against Node's own
 * node_api.h, into node_modules/.cache/grokflow/ (or the temp directory) under a name
 * that hashes the source, the flags, Node's ABI, the architecture and the libraries;
 * concurrent workers build to temp files and rename. When anything is missing —
 * compiler, headers, a library — the loader answers with the reason, and the caller
 * falls back (the wasm path trains).
 */
import { spawnSync } from "node:child_process"
import { createHash } from "node:crypto"
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"

export interface AddonSource {
  /** File-name stem and module name, e.g. "gemm". */
  readonly name: string
  readonly source: string
  /** Compiler flags besides -shared -fPIC and the include path. */
  readonly flags: ReadonlyArray<string>
  /** Libraries: `-lNAME`, or a shared library's path (which also gets an rpath). */
  readonly libs: ReadonlyArray<string>
}

/**
 * C shared by the addons' sources: typed-array access and the argument check of
 * sgemm(transA, transB, m, n, k, A, B, C, beta), C[m,n] = op(A)·op(B) + beta·C,
 * row-major (op(A) is [m,k], stored [k,m] when transA). Needs node_api.h,
 * stdbool.h, stddef.h.
 */
export const NAPI_GLUE = `
/* An empty array may have no data pointer at all, so success is reported apart from it. */
static bool typed(napi_env env, napi_value v, napi_typedarray_type want, void **data, size_t *length) {
  napi_typedarray_type type;
  void *p = NULL;
  napi_value buffer;
  size_t offset;
  if (napi_get_typedarray_info(env, v, &type, length, &p, &buffer, &offset) != napi_ok || type != want) return false;
  *data = p;
  return true;
}

static bool floats(napi_env env, napi_value v, float **data, size_t *length) {
  return typed(env, v, napi_float32_array, (void **)data, length);
}

static bool ints(napi_env env, napi_value v, int **data, size_t *length) {
  return typed(env, v, napi_int32_array, (void **)data, length);
}

typedef struct {
  bool ta, tb;
  int32_t m, n, k;
  float *A, *B, *C;
  float beta;
} SgemmArgs;

/* Reads and checks sgemm's nine arguments; false (with a JS error thrown) when they do not fit. */
static bool sgemm_args(napi_env env, napi_callback_info info, SgemmArgs *g) {
  size_t argc = 9;
  napi_value a[9];
  napi_get_cb_info(env, info, &argc, a, NULL, NULL);
  if (argc != 9) {
    napi_throw_error(env, NULL, "sgemm: expected 9 arguments");
    return false;
  }
  double beta = 0;
  size_t la = 0, lb = 0, lc = 0;
  bool ok = napi_get_value_bool(env, a[0], &g->ta) == napi_ok && napi_get_value_bool(env, a[1], &g->tb) == napi_ok &&
            napi_get_value_int32(env, a[2], &g->m) == napi_ok && napi_get_value_int32(env, a[3], &g->n) == napi_ok &&
            napi_get_value_int32(env, a[4], &g->k) == napi_ok && napi_get_value_double(env, a[8], &beta) == napi_ok &&
            floats(env, a[5], &g->A, &la) && floats(env, a[6], &g->B, &lb) && floats(env, a[7], &g->C, &lc);
  if (!ok || g->m < 0 || g->n < 0 || g->k < 0 || la < (size_t)g->m * g->k || lb < (size_t)g->k * g->n || lc < (size_t)g->m * g->n) {
    napi_throw_error(env, NULL, "sgemm: bad operands");
    return false;
  }
  g->beta = (float)beta;
  return true;
}
`

export type Loaded<T> = { readonly addon: T } | { readonly reason: string }

/** The directory holding Node's node_api.h, or undefined. */
const findNodeHeaders = (): string | undefined =>
  [join(dirname(dirname(process.execPath)), "include", "node"), "/usr/include/node", "/usr/local/include/node"].find((d) => existsSync(join(d, "node_api.h")))

const cacheDir = (): string => {
  const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../../..")
  const modules = join(repo, "node_modules")
  return existsSync(modules) ? join(modules, ".cache", "grokflow") : join(tmpdir(), "grokflow-native")
}

/** Builds (once per source/flags/ABI/libraries) and returns the addon's path, or the reason it cannot. */
const build = (spec: AddonSource): { readonly path: string } | { readonly reason: string } => {
  const headers = findNodeHeaders()
  if (headers === undefined) return { reason: "Node's node_api.h not found" }
  const hash = createHash("sha256").update(spec.source).update(spec.flags.join(" ")).update(process.versions.modules).update(process.arch)
  for (const lib of spec.libs) hash.update(lib)
  const tag = hash.digest("hex").slice(0, 16)
  const dir = cacheDir()
  const out = join(dir, `${spec.name}-${tag}.node`)
  if (existsSync(out)) return { path: out }
  try {
    mkdirSync(dir, { recursive: true })
    const unique = `${process.pid}-${Date.now()}`
    const src = join(dir, `${spec.name}-${tag}-${unique}.c`)
    const tmp = join(dir, `${spec.name}-${tag}-${unique}.node`)
    writeFileSync(src, spec.source)
    const cc = process.env.CC ?? "cc"
    const args = [...spec.flags, "-shared", "-fPIC", "-I", headers, `-DNODE_GYP_MODULE_NAME=grokflow_${spec.name}`, src, "-o", tmp, ...spec.libs.flatMap((lib) => (lib.startsWith("-l") ? [lib] : [lib, `-Wl,-rpath,${dirname(lib)}`]))]
    const r = spawnSync(cc, args, { encoding: "utf8" })
    rmSync(src, { force: true })
    if (r.status !== 0) return { reason: `${cc} failed: ${(r.stderr ?? r.error?.message ?? "").trim().split("\n")[0]}` }
    renameSync(tmp, out)
    return { path: out }
  } catch (e) {
    return { reason: e instanceof Error ? e.message : String(e) }
  }
}

/** Builds if needed and loads the addon; never throws. */
export const loadAddon = <T>(spec: AddonSource): Loaded<T> => {
  const built = build(spec)
  if ("reason" in built) return built
  try {
    return { addon: createRequire(import.meta.url)(built.path) as T }
  } catch (e) {
    return { reason: e instanceof Error ? e.message : String(e) }
  }
}
