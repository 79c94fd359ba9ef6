/**
 * `grokflow report`: draws the figures the profile's fresh nodes feed (each stage
 * declares its figure kinds; only figures whose spec or data changed since the
 * last report are redrawn), runs the claims, and writes one self-contained
 * offline HTML file. Prints its path.
 */
import * as path from "node:path"
import { Effect } from "effect"
import { Command } from "effect/cli"
import { CodeHasher, displayPath, Store } from "../../engine/index.ts"
import { readRunRecords } from "../../engine/RunRecord.ts"
import { reportDir } from "../../report/dir.ts"
import { reportFigures } from "../../report/figures.ts"
import { reportInputOf } from "../../report/fromVerify.ts"
import { loadReportFigures, writeReport } from "../../report/html.ts"
import { engineFlags, out, warn, withEngine } from "../Shared.ts"
import { verifyProfile, writeJsonAtomic } from "./verify.ts"

export const report = Command.make("report", engineFlags, (flags) =>
  withEngine(
    flags,
    Effect.gen(function*() {
      const { profile, plan, outputs, rows, claims } = yield* verifyProfile(flags)
      const store = yield* Store
      const runs = yield* readRunRecords(store, profile.name)
      // Loaded here, not at start-up: vega, vega-lite and resvg cost ~0.6 s to load.
      const { figureRegistry, renderFigures } = yield* Effect.promise(() => import("../../figures/index.ts"))
      const dir = reportDir(profile.name)
      const registry = yield* Effect.promise(() => figureRegistry())
      const { figures, problems } = reportFigures(plan, outputs, registry)
      for (const problem of problems) warn(`figure left out: ${problem}`)
      const unrun = plan.nodes.filter((n) => (n.node.stage.stage.figures ?? []).length > 0 && !outputs.has(n.id)).map((n) => n.id)
      if (unrun.length > 0) warn(`${unrun.join(", ")} not computed for this profile: their figures are missing (run \`grokflow run --profile ${profile.name}\` first)`)
      const rendererCode = yield* new CodeHasher(profile.registry.root).digest(["src/figures/draw.ts"])
      const rendered = yield* Effect.promise(() => renderFigures(figures, path.join(dir, "figures"), registry, rendererCode))
      const file = path.join(dir, "index.html")
      yield* Effect.promise(async () =>
        writeReport(file, reportInputOf({
          title: `grokflow — ${profile.name}: ${profile.description}`,
          plan,
          outputs,
          rows,
          claims,
          runs,
          figures: await loadReportFigures(rendered.figures),
          notes: [
            "Every number links to the cache entry that produced it (Provenance). Claims this profile does not test are folded into one line under its own, with the profiles that test them.",
            "Evaluation every 25 steps; T_grok = first evaluated step with test accuracy ≥ 0.90, counted from step 0."
          ]
        }))
      )
      yield* Effect.promise(() => writeJsonAtomic(path.join(dir, "verify.json"), { profile: profile.name, rows }))
      yield* out(
        `figures: ${rendered.rendered.length} drawn, ${rendered.reused.length} reused (${displayPath(path.join(dir, "figures"))})`
      )
      yield* out(displayPath(file))
    })
  )).pipe(Command.withDescription("draw the figures and write the offline HTML report; prints its path"))
