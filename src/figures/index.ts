/**
 * The figures layer's public API: figure kinds (kinds/*.ts, discovered) → typed
 * figures → Vega-Lite specs → SVG/PNG files (incremental). The HTML report that
 * shows them is assembled in src/report/.
 */
export { defineFigure, feed, figureFields, figureId, figureMetaFields, titleOf } from "./Figure.ts"
export type { AnyFigure, DefinedFigure, FigureData, FigureKind } from "./Figure.ts"
export { CellOutcome, ExponentialFit, Interval, TemperatureCell } from "./fields.ts"
export { figureRegistry, KINDS_DIR, registerBundledFigures } from "./registry.ts"
export type { FigureRegistry } from "./registry.ts"
export { fontFiles, PNG_SCALE, RENDERER_VERSIONS, specToSvg, svgToPng } from "./draw.ts"
export {
  FIGURE_KEY_FORMAT,
  figureKey,
  MANIFEST_FILE,
  type RenderedFigure,
  type RenderResult,
  renderCount,
  renderFigures,
  resetRenderCount
} from "./render.ts"
export { theme } from "./theme.ts"
