import { describe, expect, it } from "vitest"
import { cellLabel } from "../../src/cells/cellSpecs.ts"

describe("cellLabel", () => {
  it("keeps the significant digits of small values (an lr of 1.5e-3 is not 2e-3)", () => {
    expect(cellLabel({ p: 59, rho: 1.05, lr: 0.0015 })).toBe("p=59 rho=1.05 lr=1.5e-3")
    expect(cellLabel({ lr: 0.008, tau: 1.3, skipped: undefined })).toBe("lr=8e-3 tau=1.3")
    expect(cellLabel({ "": "mlp+LN", lr: 0.012 })).toBe("mlp+LN lr=0.012")
  })
})
