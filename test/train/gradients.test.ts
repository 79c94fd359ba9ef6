import { beforeAll, describe, expect, it } from "vitest"
import type { CellSpec } from "../../src/train/CellSpec.ts"
import type { Tf } from "../../src/train/tfTypes.ts"
import { gradCheck } from "./gradcheck.ts"
import { smallSpec } from "./specs.ts"
import { useBackend } from "./tfBackends.ts"

// H = 6 is not a multiple of 4, so these exercise the plain JS loops.
const tiny = (over: Partial<CellSpec>): CellSpec =>
  smallSpec({ task: { p: 7, op: "add", trainFraction: 0.5 }, model: { kind: "mlp", d: 4, hidden: 6, layerNorm: false }, ...over })

const tinyAttention = (preLayerNorm: boolean, over: Partial<CellSpec>): CellSpec =>
  smallSpec({
    task: { p: 5, op: "add", trainFraction: 0.6 },
    model: { kind: "attention", d: 8, heads: 2, mlpWidth: 12, preLayerNorm },
    ...over
  })

const variants: Array<[string, CellSpec]> = [
  ["MLP CE", tiny({})],
  ["MLP CE tau=1.7", tiny({ tau: 1.7 })],
  ["MLP MSE tau=1.3", tiny({ loss: "mse", tau: 1.3 })],
  ["MLP+LN CE", tiny({ model: { kind: "mlp", d: 4, hidden: 6, layerNorm: true } })],
  ["MLP+LN MSE", tiny({ loss: "mse", model: { kind: "mlp", d: 4, hidden: 6, layerNorm: true } })],
  // H divisible by 4: the wasm SIMD kernels (gather+GELU, LN, scatter) are used.
  ["MLP SIMD path", tiny({ model: { kind: "mlp", d: 4, hidden: 8, layerNorm: false } })],
  ["MLP+LN SIMD path tau=1.4", tiny({ tau: 1.4, model: { kind: "mlp", d: 4, hidden: 8, layerNorm: true } })],
  ["MLP CE stable-audit tau=1.3", tiny({ numerics: "stable-audit", tau: 1.3 })],
  ["MLP div", tiny({ task: { p: 7, op: "div", trainFraction: 0.5 } })],
  ["attention CE", tinyAttention(false, {})],
  ["attention+preLN CE", tinyAttention(true, {})],
  ["attention CE tau=1.5", tinyAttention(false, { tau: 1.5 })],
  ["attention+preLN MSE tau=1.2", tinyAttention(true, { loss: "mse", tau: 1.2 })],
  ["attention CE stable-audit", tinyAttention(false, { numerics: "stable-audit" })],
  // d, M not multiples of 4: the folded attention's JS loops instead of the SIMD mix
  // (pre-LN on the JS loops is checked against the unfolded model, attentionFold.test.ts).
  ["attention JS loops", tinyAttention(false, { model: { kind: "attention", d: 6, heads: 2, mlpWidth: 10, preLayerNorm: false } })]
]

describe("analytic gradients match central finite differences (cpu, float32)", () => {
  let tf: Tf
  beforeAll(async () => {
    tf = await useBackend("cpu")
  })
  for (const [name, spec] of variants) {
    it(name, () => {
      const errs = gradCheck(tf, spec)
      for (const [param, err] of Object.entries(errs)) expect(err, `${name} ${param}`).toBeLessThan(1e-2)
    })
  }
})
