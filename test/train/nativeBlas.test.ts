/**
 * The host GEMMs (src/train/simd/portableGemm.ts, the default, and OpenBLAS's,
 * src/train/simd/nativeBlas.ts): where each builds (a C compiler and Node's headers;
 * OpenBLAS for the second), the models' native path gives the wasm path's gradients
 * to float32 rounding, matches finite differences, and is deterministic. Skipped
 * where it does not build (the wasm path then trains).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { CellSpec } from "../../src/train/CellSpec.ts"
import { layoutOf, type ParamSet } from "../../src/train/params.ts"
import { loadNativeBlas, useNativeBlas, type NativeBlas } from "../../src/train/simd/nativeBlas.ts"
import { loadPortableGemm } from "../../src/train/simd/portableGemm.ts"
import type { Tf } from "../../src/train/tfTypes.ts"
import { gradCheck, gradientsAtInit } from "./gradcheck.ts"
import { smallSpec } from "./specs.ts"
import { useBackend } from "./tfBackends.ts"

const openblas = loadNativeBlas()
const portable = loadPortableGemm()
const gemms: Array<[string, NativeBlas | string]> = [
  ["portable", "gemm" in portable ? portable.gemm : portable.reason],
  [`openblas ${"blas" in openblas ? openblas.blas.corename() : ""}`, "blas" in openblas ? openblas.blas : openblas.reason]
]

for (const [gemmName, native] of gemms) {
  const available = typeof native !== "string"

  const mlp = (layerNorm: boolean, over: Partial<CellSpec> = {}): CellSpec =>
    smallSpec({ task: { p: 23, op: "add", trainFraction: 0.5 }, model: { kind: "mlp", d: 16, hidden: 32, layerNorm }, ...over })

  const gradients = (tf: Tf, spec: CellSpec, withNative: boolean): ParamSet => {
    useNativeBlas(withNative && typeof native !== "string" ? native : null)
    try {
      return gradientsAtInit(tf, spec)
    } finally {
      useNativeBlas(null)
    }
  }

  const relErr = (a: Float32Array, b: Float32Array): number => {
    let num = 0
    let den = 0
    a.forEach((v, i) => {
      num += (v - b[i]) ** 2
      den += b[i] ** 2
    })
    return Math.sqrt(num / Math.max(den, 1e-30))
  }

  describe.skipIf(!available)(`native GEMM ${gemmName} (${typeof native === "string" ? native : "builds"})`, () => {
    let tf: Tf
    beforeAll(async () => {
      tf = await useBackend("wasm")
    })
    afterAll(() => useNativeBlas(null))
    const cases: Array<[string, CellSpec]> = [
      ["MLP CE", mlp(false)],
      ["MLP+LN MSE tau=1.3", mlp(true, { loss: "mse", tau: 1.3 })],
      ["MLP CE stable-audit", mlp(false, { numerics: "stable-audit", tau: 1.2 })]
    ]
    for (const [name, spec] of cases) {
      it(`${name}: same gradients as the wasm path`, () => {
        const a = gradients(tf, spec, true)
        const b = gradients(tf, spec, false)
        for (const info of layoutOf(spec)) expect(relErr(a[info.name], b[info.name]), info.name).toBeLessThan(1e-5)
        // Deterministic: the same call gives the same bits.
        const again = gradients(tf, spec, true)
        for (const info of layoutOf(spec)) expect(Array.from(again[info.name])).toEqual(Array.from(a[info.name]))
      })
    }
    it("matches central finite differences", () => {
      if (typeof native === "string") return
      useNativeBlas(native)
      try {
        const spec = smallSpec({ task: { p: 7, op: "add", trainFraction: 0.5 }, model: { kind: "mlp", d: 4, hidden: 8, layerNorm: true } })
        for (const [param, err] of Object.entries(gradCheck(tf, spec))) expect(err, param).toBeLessThan(1e-2)
      } finally {
        useNativeBlas(null)
      }
    })
  })

  describe.skipIf(!available)(`native GEMM ${gemmName}: attention`, () => {
    let tf: Tf
    beforeAll(async () => {
      tf = await useBackend("wasm")
    })
    const attention = (preLayerNorm: boolean): CellSpec =>
      smallSpec({ task: { p: 13, op: "add", trainFraction: 0.5 }, model: { kind: "attention", d: 16, heads: 4, mlpWidth: 32, preLayerNorm } })
    for (const preLN of [false, true]) {
      it(`${preLN ? "pre-LN" : "no LN"}: same gradients as the wasm path`, () => {
        const spec = attention(preLN)
        const a = gradients(tf, spec, true)
        const b = gradients(tf, spec, false)
        for (const info of layoutOf(spec)) expect(relErr(a[info.name], b[info.name]), info.name).toBeLessThan(1e-5)
      })
    }
    for (const preLayerNorm of [false, true]) {
      it(`${preLayerNorm ? "pre-LN" : "no LN"}: matches central finite differences`, () => {
        if (typeof native === "string") return
        useNativeBlas(native)
        try {
          const spec = smallSpec({ task: { p: 5, op: "add", trainFraction: 0.6 }, model: { kind: "attention", d: 8, heads: 2, mlpWidth: 12, preLayerNorm } })
          for (const [param, err] of Object.entries(gradCheck(tf, spec))) expect(err, param).toBeLessThan(1e-2)
        } finally {
          useNativeBlas(null)
        }
      })
    }
  })
}
