/** An unknown subcommand is exit 2 with its name, whether or not `--help` is given. */
import { describe, expect, it } from "vitest"
import { cli } from "../engine/helpers.ts"

describe("unknown subcommands", () => {
  it.each([["nosuch", "--help"], ["nosuch"], ["cache", "nosuch", "--help"], ["--help", "nosuch"]])("grokflow %s … exits 2 naming it", async (...args) => {
    const r = await cli(args)
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/unknown subcommand "nosuch"/)
    expect(r.stdout).not.toMatch(/SUBCOMMANDS/)
  })

  it("known subcommands' help still prints and exits 0", async () => {
    for (const args of [["--help"], ["cache", "--help"], ["cache", "--cache-dir", "/tmp/x", "ls", "--help"], ["run", "--help"]]) {
      const r = await cli(args)
      expect(r.code, args.join(" ")).toBe(0)
      expect(r.stdout).toMatch(/USAGE/)
    }
  })
})
