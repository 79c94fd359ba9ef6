/**
 * The README tells the truth about the CLI: its command-line reference is the one
 * generated from the command tree, every `grokflow <command> --flag` it mentions
 * (in code blocks and inline code) exists, and every profile it names is a
 * pipeline/*.yaml, with the profiles table listing each of them.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { Command } from "effect/cli"
import { describe, expect, it } from "vitest"
import { listProfileNamesSync } from "../../src/engine/index.ts"
import { grokflow } from "../../src/cli/main.ts"
import { projectFlag } from "../../src/cli/Project.ts"
import { cliReference, commandEntries, END, START } from "../../src/cli/reference.ts"
import type { CommandNode } from "../../src/cli/reference.ts"
import { ROOT } from "../engine/helpers.ts"

const README = fs.readFileSync(path.join(ROOT, "README.md"), "utf8")
const profiles = new Set(listProfileNamesSync(ROOT))
const globals = (Command.make("globals", { project: projectFlag.flag }) as unknown as CommandNode).buildHelpDoc(["globals"]).flags
const BUILT_IN = ["--help", "-h", "--version", "-v", "--wizard", "--completions", "--log-level"]

/** Every stretch of code: fenced blocks (continuation lines joined) and inline spans. */
const codeOf = (markdown: string): Array<string> => {
  const out: Array<string> = []
  const prose = markdown.replace(/^```[^\n]*\n([\s\S]*?)^```/gm, (_all, body: string) => {
    out.push(...body.replace(/\\\n\s*/g, " ").split("\n"))
    return ""
  })
  for (const m of prose.matchAll(/`([^`]+)`/g)) out.push(m[1]!.replace(/\s+/g, " "))
  return out
}

/**
 * `grokflow <words> <flags>` in one stretch of code, up to a shell separator: the
 * command at the start, after `npx`, `bin/` or a separator (not a database named
 * grokflow in `createdb -O grokflow grokflow`).
 */
const mentions = (code: string): Array<ReadonlyArray<string>> =>
  [...code.matchAll(/(?:^|npx |&& |; |\| |\$\(|bin\/)grokflow(?:\.js)?((?: +[^\s;&|#`]+)*)/gm)].map((m) => m[1]!.trim().split(/ +/).filter((t) => t !== ""))

const entries = commandEntries(grokflow)
const byPath = new Map(entries.map((e) => [e.path.join(" "), e]))

/** Each `grokflow …` mention naming a command, subcommand or flag that does not exist. */
const commandProblems = (markdown: string): { problems: Array<string>; flagsChecked: number } => {
  const problems: Array<string> = []
  let flagsChecked = 0
  for (const code of codeOf(markdown)) {
    for (const tokens of mentions(code)) {
      let at: Array<string> = []
      let i = 0
      while (i < tokens.length && byPath.has([...at, tokens[i]!].join(" "))) at = [...at, tokens[i++]!]
      const next = tokens[i]
      const word = next !== undefined && /^[a-z][a-z-]*$/.test(next)
      if (at.length === 0 && word) problems.push(`\`grokflow ${next}\`: no such command`)
      if (at.length > 0 && word && !byPath.get(at.join(" "))!.leaf) problems.push(`\`grokflow ${at.join(" ")} ${next}\`: no such subcommand`)
      if (at.length === 0 && !(next ?? "").startsWith("-")) continue
      const own = at.length === 0 ? [] : byPath.get(at.join(" "))!.flags.flatMap((f) => [`--${f.name}`, ...f.aliases])
      const flags = new Set([...own, ...globals.map((f) => `--${f.name}`), ...BUILT_IN])
      for (const t of tokens.slice(i)) {
        const flag = /^(--?[a-z][a-z-]*)(=.*)?$/.exec(t)?.[1]
        if (flag === undefined) continue
        flagsChecked++
        if (!flags.has(flag)) problems.push(`\`grokflow ${tokens.join(" ")}\`: ${flag} is not a flag of \`grokflow ${at.join(" ")}\``)
      }
    }
  }
  return { problems, flagsChecked }
}

/** Profiles named with --profile or as pipeline/NAME.yaml that do not exist; the profiles table against pipeline/. */
const profileProblems = (markdown: string): Array<string> => {
  const named = new Set<string>()
  for (const code of codeOf(markdown)) for (const m of code.matchAll(/(?:--profile|-p)[ =]([a-z][a-z0-9-]*)\b(?![./])/g)) named.add(m[1]!)
  // pipeline/ also holds files that are not profiles (remotes.yaml): a path names a profile only if no such file exists.
  for (const m of markdown.matchAll(/\bpipeline\/([a-z][a-z0-9-]*)\.yaml/g)) if (!fs.existsSync(path.join(ROOT, "pipeline", `${m[1]!}.yaml`))) named.add(m[1]!)
  const from = markdown.indexOf("\n## Profiles")
  const section = from < 0 ? "" : markdown.slice(from, markdown.indexOf("\n## ", from + 1))
  const tabled = new Set([...section.matchAll(/^\| `([a-z][a-z0-9-]*)` \|/gm)].map((m) => m[1]!))
  return [
    ...[...named].filter((p) => !profiles.has(p)).map((p) => `names profile "${p}", which is not in pipeline/`),
    ...[...tabled].filter((p) => !profiles.has(p)).map((p) => `the profiles table lists "${p}", which is not in pipeline/`),
    ...[...profiles].filter((p) => !tabled.has(p)).map((p) => `the profiles table (## Profiles) does not list "${p}"`)
  ]
}

describe("README.md", () => {
  it("holds the command-line reference generated from the command tree (regenerate: node --import tsx src/cli/reference.ts --write)", () => {
    const a = README.indexOf(START)
    const b = README.indexOf(END)
    expect(a, "README.md lacks the cli-reference markers").toBeGreaterThan(0)
    expect(README.slice(a + START.length, b).trim()).toBe(cliReference(grokflow, globals).trim())
  })

  it("names no command or flag that does not exist", () => {
    const { problems, flagsChecked } = commandProblems(README)
    expect(problems).toEqual([])
    expect(flagsChecked).toBeGreaterThan(20)
  })

  it("names no profile that does not exist, and its profiles table lists every profile", () => {
    expect(profileProblems(README)).toEqual([])
  })

  it("the checks can fail: a made-up command, subcommand, flag and profile are caught", () => {
    const bad = [
      "```sh",
      "npx grokflow frobnicate",
      "sudo -u postgres createdb -O grokflow grokflow",
      "grokflow run --profile quik --jobz 2 \\",
      "  --dry-run && grokflow cache lss",
      "```",
      "and `grokflow status\n--explian`, see pipeline/nosuch.yaml.",
      "## Profiles",
      "| `quick` | x |",
      "## Next"
    ].join("\n")
    expect(commandProblems(bad).problems).toEqual([
      "`grokflow frobnicate`: no such command",
      "`grokflow run --profile quik --jobz 2 --dry-run`: --jobz is not a flag of `grokflow run`",
      "`grokflow cache lss`: no such subcommand",
      "`grokflow status --explian`: --explian is not a flag of `grokflow status`"
    ])
    const profileIssues = profileProblems(bad)
    expect(profileIssues).toContain('names profile "quik", which is not in pipeline/')
    expect(profileIssues).toContain('names profile "nosuch", which is not in pipeline/')
    expect(profileIssues).toContain('the profiles table (## Profiles) does not list "smoke"')
  })
})
