/**
 * `grokflow audit --profile P --sample N [--seed S]`: retrains N random units
 * (one seed of one cell each) out of the profile's lock and compares their bytes
 * with the stored outputs (src/audit/Audit.ts). Exit 1 on any mismatch, naming
 * the unit and the first field that differs; when the tree no longer reproduces
 * the lock, the message names the release as stale and the command that refreshes it.
 */
import * as os from "node:os"
import { Effect, Layer, Option } from "effect"
import { Command, Flag } from "effect/cli"
import { displayPath, Keyer, readLock, UsageError } from "../../engine/index.ts"
import { auditUnit, auditUnits, drawUnits, newAuditSeed } from "../../audit/Audit.ts"
import type { UnitVerdict } from "../../audit/Audit.ts"
import { staleMessage } from "../../audit/Release.ts"
import { localExecutor } from "../../executor/local.ts"
import { engineFlags, out, profileFrom, setExitCode, withEngine } from "../Shared.ts"

const sampleFlag = Flag.Int("sample").pipe(Flag.withAlias("n"), Flag.withDescription("how many units to retrain"), Flag.withDefault(1))
const seedFlag = Flag.Int("seed").pipe(Flag.withDescription("seed of the draw (printed; pass it to replay an audit)"), Flag.optional)

const nameOf = (v: UnitVerdict) => `${v.unit.entry.label ?? v.unit.entry.name}${v.unit.seedOf === undefined ? "" : ` [seed ${v.unit.seedOf} of the whole cell]`}`
const labelOf = (v: UnitVerdict) => `${nameOf(v)} (key ${v.unit.entry.key.slice(0, 12)}, ${v.seconds.toFixed(1)} s)`

export const audit = Command.make("audit", { ...engineFlags, sample: sampleFlag, seed: seedFlag }, (flags) =>
  withEngine(
    flags,
    Effect.gen(function*() {
      if (flags.sample < 1) return yield* new UsageError({ message: `--sample ${flags.sample}: expected at least 1` })
      const profile = yield* profileFrom(flags)
      const lock = yield* readLock(profile)
      if (lock === undefined) {
        return yield* new UsageError({ message: `${profile.file}: no lock to audit (grokflow run --profile ${profile.name} --split-seeds writes one; grokflow pull fetches its entries)` })
      }
      const units = yield* auditUnits(lock)
      if (units.length === 0) {
        return yield* new UsageError({ message: `${displayPath(lock.file)} has no training cells to retrain` })
      }
      const seed = Option.getOrElse(flags.seed, newAuditSeed)
      const drawn = drawUnits(units, flags.sample, seed)
      yield* out(`audit ${profile.name}: seed ${seed} (replay: grokflow audit --profile ${profile.name} --sample ${flags.sample} --seed ${seed}); ${drawn.length} of ${units.length} units, lock numerics ${lock.header.numerics}`)
      const workers = Math.max(1, Math.min(drawn.length, os.availableParallelism()))
      const keyer = Keyer.make(profile)
      const verdicts = yield* Effect.forEach(drawn, (u) => auditUnit(profile, u, keyer), { concurrency: workers }).pipe(
        Effect.provide(Layer.mergeAll(localExecutor({ backend: flags.backend, workers })))
      )
      const lines: Array<string> = []
      const stale: Array<string> = []
      for (const v of verdicts) {
        if (v._tag === "Match") lines.push(`  match     ${labelOf(v)}`)
        else if (v._tag === "KeyMoved") {
          lines.push(`  STALE     ${labelOf(v)}: same bytes, but its key moved (${v.reasons.join("; ")})`)
          stale.push(`unit ${nameOf(v)} keys differently in this tree (${v.reasons.join("; ")})`)
        } else {
          lines.push(`  MISMATCH  ${labelOf(v)}: first difference at ${v.field}: stored ${v.stored}, retrained ${v.retrained}`)
          stale.push(
            `unit ${nameOf(v)} retrains to different bytes (first at ${v.field})` +
              (v.keyMoved.length > 0 ? `, and its key moved (${v.keyMoved.join("; ")})` : "")
          )
        }
      }
      const matched = verdicts.filter((v) => v._tag === "Match").length
      lines.push(`audit ${profile.name}: ${matched} of ${verdicts.length} units reproduce their released bytes`)
      if (stale.length > 0) {
        lines.push(staleMessage(profile.name, stale.join("; ")))
        setExitCode(1)
      }
      yield* out(lines.join("\n"))
    })
  )).pipe(Command.withDescription("retrain random units of the profile's lock and compare their bytes with the stored ones (exit 1 on any difference)"))
