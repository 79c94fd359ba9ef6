/**
 * Dev loop (not a test): render every fixture figure to a folder for a visual check.
 *   npx tsx test/figures/dev-render.ts [outDir] [kind…]
 */
import { mkdirSync, writeFileSync } from "node:fs"
import { specToSvg, svgToPng } from "../../src/figures/draw.ts"
import { figureRegistry } from "../../src/figures/registry.ts"
import { syntheticFigures } from "./fixtures.ts"

const [outDir = "/tmp/figdemo", ...only] = process.argv.slice(2)
mkdirSync(outDir, { recursive: true })
const registry = await figureRegistry()
for (const f of syntheticFigures()) {
  if (only.length > 0 && !only.includes(f.kind)) continue
  const svg = await specToSvg(registry.spec(f))
  writeFileSync(`${outDir}/${f.kind}.svg`, svg)
  writeFileSync(`${outDir}/${f.kind}.png`, svgToPng(svg))
  console.log(f.kind, svg.length)
}
