/**
 * `grokflow verify`: the papers' claims (pipeline/claims) against what this
 * profile measured. Prints the table, writes it as JSON for the report, and exits
 * 1 when any claim the profile tests FAILs.
 */
import { mkdir, rename, writeFile } from "node:fs/promises"
import * as path from "node:path"
import { Effect } from "effect"
import { Command } from "effect/cli"
import { planPipeline } from "../../engine/index.ts"
import { evaluateClaims, formatMeasured } from "../../verify/evaluate.ts"
import type { ClaimRow } from "../../verify/evaluate.ts"
import { asNodeOutputs, freshOutputs } from "../../verify/freshOutputs.ts"
import { loadClaims } from "../../verify/loadClaims.ts"
import { reportDir } from "../../verify/reportDir.ts"
import { engineFlags, out, profileFrom, setExitCode, withEngine } from "../Shared.ts"

const table = (rows: ReadonlyArray<ClaimRow>): string => {
  const cells = rows.map((r) => [r.id, r.paperValue, formatMeasured(r), r.tolerance || "—", r.status])
  const header = ["claim", "paper", "measured [95% CI]", "tolerance", "status"]
  const widths = header.map((h, i) => Math.min(42, Math.max(h.length, ...cells.map((c) => c[i].length))))
  const line = (c: ReadonlyArray<string>) => c.map((x, i) => (i === c.length - 1 ? x : x.slice(0, widths[i]).padEnd(widths[i]))).join("  ")
  const notes = rows.filter((r) => r.status === "FAIL" && r.reason !== null).map((r) => `  ${r.id}: ${r.reason}`)
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...cells.map(line), ...(notes.length ? ["", "failures:", ...notes] : [])].join("\n")
}

export const writeJsonAtomic = async (file: string, value: unknown): Promise<void> => {
  await mkdir(path.dirname(file), { recursive: true })
  const tmp = `${file}.${process.pid}.tmp`
  await writeFile(tmp, `${JSON.stringify(value, null, 2)}\n`)
  await rename(tmp, file)
}

export const verifyProfile = (flags: Parameters<typeof profileFrom>[0]) =>
  Effect.gen(function*() {
    const profile = yield* profileFrom(flags)
    const plan = yield* planPipeline(profile)
    const claims = yield* loadClaims(process.cwd())
    const outputs = yield* freshOutputs(plan)
    const rows = evaluateClaims(claims, profile.name, asNodeOutputs(plan, outputs))
    return { profile, plan, outputs, rows, claims }
  })

export const verify = Command.make("verify", engineFlags, (flags) =>
  withEngine(
    flags,
    Effect.gen(function*() {
      const { profile, rows } = yield* verifyProfile(flags)
      const file = path.join(reportDir(profile.name), "verify.json")
      yield* Effect.promise(() => writeJsonAtomic(file, { profile: profile.name, generatedAt: new Date().toISOString(), rows }))
      const count = (s: ClaimRow["status"]) => rows.filter((r) => r.status === s).length
      yield* out(table(rows))
      yield* out(`\n${profile.name}: ${count("PASS")} passed, ${count("FAIL")} failed, ${count("NOT RUN")} not run (${path.relative(process.cwd(), file)})`)
      if (count("FAIL") > 0) setExitCode(1)
    })
  )).pipe(Command.withDescription("compare the papers' claims with the measured numbers (exit 1 on any FAIL)"))
