/**
 * `grokflow verify`: the papers' claims (pipeline/claims) against what this
 * profile measured. Prints the table (or, with --json, the same rows as data),
 * writes it as JSON for the report, and exits 1 when any claim the profile tests
 * FAILs or is NOT RUN (each with why: src/verify/notRun.ts); --allow-missing lets
 * NOT RUN claims pass, for exploration.
 */
import * as path from "node:path"
import { Effect } from "effect"
import { Command, Flag } from "effect/cli"
import { writeAtomic } from "../../engine/Atomic.ts"
import { displayPath, nodeDrift, planPipeline, projectRoot, readLock } from "../../engine/index.ts"
import { evaluateClaims, formatMeasured } from "../../verify/evaluate.ts"
import type { ClaimRow } from "../../verify/evaluate.ts"
import { asNodeOutputs, freshOutputs } from "../../verify/freshOutputs.ts"
import { loadClaims } from "../../verify/loadClaims.ts"
import { explainNotRun, missingRows } from "../../verify/notRun.ts"
import { staleMessage } from "../../audit/Release.ts"
import { reportDir } from "../../report/dir.ts"
import { engineFlags, out, profileFrom, setExitCode, switchFlag, withEngine } from "../Shared.ts"

const allowMissingFlag = switchFlag("allow-missing", "do not fail on claims the profile tests but has not measured (NOT RUN)")
const jsonFlag = switchFlag("json", "print the table as JSON")
const allFlag = switchFlag("all", "list every claim, also those only other profiles test (the JSON always holds every claim)")

const table = (rows: ReadonlyArray<ClaimRow>, missing: ReadonlyArray<ClaimRow>): string => {
  const cells = rows.map((r) => [r.id, r.paperValue, formatMeasured(r), r.tolerance || "—", r.status])
  const header = ["claim", "paper", "measured [95% CI]", "tolerance", "status"]
  const widths = header.map((h, i) => Math.min(42, Math.max(h.length, ...cells.map((c) => c[i].length))))
  const line = (c: ReadonlyArray<string>) => c.map((x, i) => (i === c.length - 1 ? x : x.slice(0, widths[i]).padEnd(widths[i]))).join("  ")
  const notes = rows.filter((r) => r.status === "FAIL" && r.reason !== null).map((r) => `  ${r.id}: ${r.reason}`)
  const missed = missing.map((r) => `  ${r.id}: ${r.reason ?? ""}`)
  return [
    line(header),
    line(widths.map((w) => "-".repeat(w))),
    ...cells.map(line),
    ...(notes.length ? ["", "failures:", ...notes] : []),
    ...(missed.length ? ["", "not run (tested by this profile):", ...missed] : [])
  ].join("\n")
}

/** The rows as the report reads them (indented JSON), written as the engine writes any file. */
export const writeJsonAtomic = (file: string, value: unknown): Promise<void> => writeAtomic(file, `${JSON.stringify(value, null, 2)}\n`)

export const verifyProfile = (flags: Parameters<typeof profileFrom>[0]) =>
  Effect.gen(function*() {
    const profile = yield* profileFrom(flags)
    const plan = yield* planPipeline(profile)
    const claims = yield* loadClaims(projectRoot())
    const outputs = yield* freshOutputs(plan)
    const evaluated = evaluateClaims(claims, profile.name, asNodeOutputs(plan, outputs))
    const lock = yield* readLock(profile)
    const drift = evaluated.some((r) => r.status === "NOT RUN") ? yield* nodeDrift(plan, lock) : []
    const rows = drift.length > 0 ? explainNotRun(plan, claims, evaluated, drift) : evaluated
    const missing = missingRows(claims, rows, profile.name)
    // Locked nodes this tree keys differently: what the lock (and a release made from it) holds is stale.
    const moved = missing.length === 0 ? [] : drift.filter((d) => d.lockReasons.length > 0 && d.status === "stale")
    const stale = moved.length === 0 ? undefined : staleMessage(profile.name, `${moved.map((d) => d.id).join(", ")} no longer key as locked (${moved[0]!.lockReasons[0]!.replace(/^key differs from [^:]+: /, "")})`)
    return { profile, plan, outputs, rows, missing, stale, claims }
  })

export const verify = Command.make("verify", { ...engineFlags, allowMissing: allowMissingFlag, json: jsonFlag, all: allFlag }, (flags) =>
  withEngine(
    flags,
    Effect.gen(function*() {
      const { profile, rows, missing, stale, claims } = yield* verifyProfile(flags)
      const file = path.join(reportDir(profile.name), "verify.json")
      yield* Effect.promise(() => writeJsonAtomic(file, { profile: profile.name, generatedAt: new Date().toISOString(), rows }))
      const count = (s: ClaimRow["status"]) => rows.filter((r) => r.status === s).length
      const failed = count("FAIL") > 0 || (missing.length > 0 && !flags.allowMissing)
      if (flags.json) {
        yield* out(JSON.stringify({ profile: profile.name, ok: !failed, passed: count("PASS"), failed: count("FAIL"), notRun: count("NOT RUN"), missing: missing.map((r) => r.id), stale: stale ?? null, rows }, null, 2))
      } else {
        // A profile tests a handful of the papers' claims; the rest would bury them.
        const tested = new Set(claims.filter((c) => c.tests[profile.name] !== undefined).map((c) => c.id))
        const others = rows.length - tested.size
        yield* out(table(flags.all ? rows : rows.filter((r) => tested.has(r.id)), missing))
        const missed = missing.length === 0 ? "" : `; ${missing.length} tested but not run${flags.allowMissing ? " (allowed: --allow-missing)" : ""}`
        if (stale !== undefined) yield* out(`\n${stale}`)
        const notRun = flags.all ? `, ${count("NOT RUN")} not run` : ""
        const hidden = flags.all || others === 0 ? "" : `; ${others} claims that only other profiles test not shown (--all)`
        yield* out(`\n${profile.name}: ${count("PASS")} passed, ${count("FAIL")} failed${notRun}${missed}${hidden} (${displayPath(file)})`)
      }
      if (failed) setExitCode(1)
    })
  )).pipe(Command.withDescription("compare the papers' claims with the measured numbers (exit 1 on any FAIL, or on a tested claim NOT RUN unless --allow-missing)"))
