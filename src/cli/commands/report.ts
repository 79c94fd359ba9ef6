/**
 * `grokflow report`: draws the figures of the profile's `plots` node (only those
 * whose spec or data changed since the last report), runs the claims, and writes
 * one self-contained offline HTML file. Prints its path.
 */
import * as path from "node:path"
import { Effect } from "effect"
import { Command } from "effect/cli"
import type { FigureInput } from "../../figures/index.ts"
import { reportDir } from "../../verify/reportDir.ts"
import { provenanceOf, toVerifyRow, weakSpotsOf } from "../../verify/reportInputs.ts"
import { engineFlags, out, warn, withEngine } from "../Shared.ts"
import { verifyProfile, writeJsonAtomic } from "./verify.ts"

const isFigure = (x: unknown): x is FigureInput =>
  typeof x === "object" && x !== null && typeof (x as { kind?: unknown }).kind === "string"

export const report = Command.make("report", engineFlags, (flags) =>
  withEngine(
    flags,
    Effect.gen(function*() {
      const { profile, plan, outputs, rows } = yield* verifyProfile(flags)
      // Loaded here, not at start-up: vega, vega-lite and resvg cost ~0.6 s to load.
      const { loadReportFigures, renderFigures, writeReport } = yield* Effect.promise(() => import("../../figures/index.ts"))
      const dir = reportDir(profile.name)
      const plotsNode = plan.nodes.find((n) => n.stage === "plots")
      const plots = plotsNode === undefined ? undefined : outputs.get(plotsNode.id)
      if (plotsNode === undefined) warn(`${profile.file} has no plots node: the report will have no figures`)
      else if (plots === undefined) warn(`${plotsNode.id} has not run for this profile: run \`grokflow run --profile ${profile.name}\` first`)
      const stored = (plots?.output as { readonly figures?: ReadonlyArray<unknown> } | undefined)?.figures ?? []
      // A figure names the plots inputs it was drawn from; cite their cache entries.
      const entryOf = (input: string): string => {
        const node = plotsNode?.node.inputs.find((i) => i.name === input)?.node
        const manifest = node === undefined ? undefined : outputs.get(node)?.manifestPath
        return manifest === undefined ? input : path.relative(process.cwd(), manifest)
      }
      const figures = stored.filter(isFigure).map((f): FigureInput => ({
        ...f,
        source: (Array.isArray(f.source) ? f.source : [f.source]).map((s: string) => entryOf(s))
      }))
      const rendered = yield* Effect.promise(() => renderFigures(figures, path.join(dir, "figures")))
      const file = path.join(dir, "index.html")
      yield* Effect.promise(async () =>
        writeReport(file, {
          title: `grokflow — ${profile.name}: ${profile.description}`,
          verifyRows: rows.map(toVerifyRow),
          figures: await loadReportFigures(rendered.figures),
          provenance: provenanceOf(plan, outputs),
          weakSpots: weakSpotsOf(outputs),
          notes: [
            "Every number links to the cache entry that produced it (Provenance). Claims a profile does not test show NOT RUN.",
            "Evaluation every 25 steps; T_grok = first evaluated step with test accuracy ≥ 0.90, counted from step 0."
          ]
        })
      )
      yield* Effect.promise(() => writeJsonAtomic(path.join(dir, "verify.json"), { profile: profile.name, rows }))
      yield* out(
        `figures: ${rendered.rendered.length} drawn, ${rendered.reused.length} reused (${path.relative(process.cwd(), path.join(dir, "figures"))})`
      )
      yield* out(path.relative(process.cwd(), file))
    })
  )).pipe(Command.withDescription("draw the figures and write the offline HTML report; prints its path"))
