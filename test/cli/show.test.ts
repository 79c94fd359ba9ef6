/** `grokflow show`: a node's stored output as rows, YAML or JSON, with its cache entry. */
import { describe, expect, it } from "vitest"
import { cli } from "../engine/helpers.ts"
import { makeHarness } from "../stages/harness.ts"

describe("grokflow show", () => {
  const h = makeHarness({ cliEnv: true })
  const show = (...args: ReadonlyArray<string>) => cli(["show", ...args, "--cache-dir", h.cacheDir])

  it("prints wc-vs-op as one row per operation (op, Wc, median T_grok, grokked) with its entry", async () => {
    expect((await h.run("ops")).failed).toBe(0)
    const r = await show("wc-vs-op", "--profile", "ops")
    expect(r.stderr).toBe("")
    expect(r.code).toBe(0)
    const lines = r.stdout.split("\n")
    expect(lines[0]).toMatch(/^op\s+wc\s+medianTGrok\s+grokked$/)
    for (const op of ["add", "sub", "mul", "div"]) expect(lines.filter((l) => l.startsWith(`${op} `))).toHaveLength(1)
    // The synthetic law's Wc (50) with its seed noise, and 4 of 4 seeds grokked.
    expect(lines.find((l) => l.startsWith("add "))).toMatch(/^add\s+(49|50)\.\d+\s+\d+\s+4$/)
    expect(r.stdout).toMatch(/wc-vs-op \(ops\) from .*entries\/wc-vs-op\/[0-9a-f]{64}\.json/)
  })

  it("NODE:path selects like a claim does; --json prints JSON on stdout and the entry on stderr", async () => {
    const one = await show("wc-vs-op:[op=mul]", "--profile", "ops")
    expect(one.stdout).toMatch(/^op: mul\nwc: [\d.]+\nmedianTGrok: \d+\ngrokked: 4\n/)
    const json = await show("wc-vs-op:[op=mul].wc", "--profile", "ops", "--json")
    expect(typeof JSON.parse(json.stdout)).toBe("number")
    expect(json.stderr).toMatch(/^entry: .*entries\/wc-vs-op\//)
  })

  it("an unknown node or path is a usage error (exit 2); a node not yet run says so (exit 1)", async () => {
    const unknown = await show("wc-vs-opp", "--profile", "ops")
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toMatch(/no node "wc-vs-opp" in pipeline\/ops\.yaml \(did you mean "wc-vs-op"\?\) \(nodes: wc-vs-op\)/)
    const nothing = await show("wc-vs-op:[op=pow]", "--profile", "ops")
    expect(nothing.code).toBe(2)
    expect(nothing.stderr).toMatch(/nothing at "\[op=pow\]"/)
    const stale = await show("wc-vs-op", "--profile", "ops", "--set", "wc-vs-op.seeds=5")
    expect(stale.code).toBe(1)
    expect(stale.stderr).toMatch(/^grokflow: wc-vs-op: stale \(config\.seeds changed 4 -> 5\); run `grokflow run --profile ops` first\n$/)
  })
})
