/**
 * The figures layer's public API: typed inputs → Vega-Lite specs → SVG/PNG files
 * (incremental) → one offline HTML report. Stages and the CLI import from here.
 */
export * from "./data.ts"
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
export { buildReport, formatDuration, inlineSvg, loadReportFigures, type ReportFigure, type ReportInput, writeReport } from "./report.ts"
export { buildSpec, DEFAULT_TITLES, figureTitle } from "./specs/index.ts"
export { theme } from "./theme.ts"
