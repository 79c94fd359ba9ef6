/**
 * AdamW in C, in the portable GEMM's addon, in place on the parameters' own
 * arrays. The wasm kernel (simd/kernels.ts, `adam`) reads only its own memory, so
 * each step copied every parameter, gradient and moment in and out; this runs the
 * same float32 operations in the same order per element, with no FMA (the addon is
 * built with -ffp-contract=off) and an IEEE square root, so every path gives the
 * wasm kernel's bits: a speed-up of the same numerics.
 *
 *   m ← β1·m + c1·g;  v ← β2·v + c2·(g·g);  w ← (w·pre − (stepSize·m)/(√v·invSqrtBc2 + ε))·post
 */

/** One element, or a vector of them: `OP(a, b)` names each operation of the vector type. */
const body = (mul: string, add: string, sub: string, div: string, sqrt: string, load: string, store: string, set1: string) => `
    const V gv = ${load}(g + i);
    const V mv = ${add}(${mul}(${set1}(beta1), ${load}(m + i)), ${mul}(${set1}(c1), gv));
    const V vv = ${add}(${mul}(${set1}(beta2), ${load}(v + i)), ${mul}(${set1}(c2), ${mul}(gv, gv)));
    ${store}(m + i, mv);
    ${store}(v + i, vv);
    const V den = ${add}(${mul}(${sqrt}(vv), ${set1}(invSqrtBc2)), ${set1}(eps));
    ${store}(w + i, ${mul}(${sub}(${mul}(${load}(w + i), ${set1}(pre)), ${div}(${mul}(${set1}(stepSize), mv), den)), ${set1}(post)));`

const SIGNATURE = "(int n, float *w, const float *g, float *m, float *v, float beta1, float c1, float beta2, float c2, float stepSize, float invSqrtBc2, float eps, float pre, float post)"

/** The elements from \`i\` on, one at a time (all of them on the scalar path, the tail on the others). */
const scalarLoop = (init: string) => `
  for (${init}; i < n; i++) {
#define V float
${body("S_MUL", "S_ADD", "S_SUB", "S_DIV", "sqrtf", "*", "S_STORE", "")}
#undef V
  }`

export const ADAM_KERNEL = `
#define S_MUL(a, b) ((a) * (b))
#define S_ADD(a, b) ((a) + (b))
#define S_SUB(a, b) ((a) - (b))
#define S_DIV(a, b) ((a) / (b))
#define S_STORE(p, x) (*(p) = (x))
typedef void (*Adam)${SIGNATURE};
static void adam_base${SIGNATURE} {${scalarLoop("int i = 0")}
}
#if defined(__x86_64__)
__attribute__((target("avx2"))) static void adam_avx2${SIGNATURE} {
  int i = 0;
  for (; i + 8 <= n; i += 8) {
#define V __m256
${body("_mm256_mul_ps", "_mm256_add_ps", "_mm256_sub_ps", "_mm256_div_ps", "_mm256_sqrt_ps", "_mm256_loadu_ps", "_mm256_storeu_ps", "_mm256_set1_ps")}
#undef V
  }${scalarLoop("")}
}
__attribute__((target("avx512f"))) static void adam_avx512${SIGNATURE} {
  int i = 0;
  for (; i + 16 <= n; i += 16) {
#define V __m512
${body("_mm512_mul_ps", "_mm512_add_ps", "_mm512_sub_ps", "_mm512_div_ps", "_mm512_sqrt_ps", "_mm512_loadu_ps", "_mm512_storeu_ps", "_mm512_set1_ps")}
#undef V
  }${scalarLoop("")}
}
#endif
`
