/**
 * Checks a claim's `node:path` against the output schema of the stage bound to that
 * node, before anything runs: a typo or a renamed field is an error here, instead
 * of a claim that silently shows NOT RUN (or "not identified") after a long run.
 * The path grammar is measuredValue.ts's: `.field`, `[i]`, `[key=value]`.
 */
import { SchemaAST } from "effect"
import { didYouMean } from "../engine/index.ts"
import { pathSegments } from "./measuredValue.ts"

type AST = SchemaAST.AST

/** The alternatives of a node, with null/undefined, suspensions and encodings removed. */
const alternatives = (ast: AST): ReadonlyArray<AST> => {
  const t = SchemaAST.toType(ast)
  if (t._tag === "Suspend") return alternatives(t.thunk())
  if (t._tag === "Union") return t.types.flatMap(alternatives)
  if (t._tag === "Null" || t._tag === "Undefined") return []
  return [t]
}

const stepInto = (ast: AST, segment: string): ReadonlyArray<AST> =>
  alternatives(ast).flatMap((alt): ReadonlyArray<AST> => {
    if (segment.startsWith("[")) {
      if (alt._tag !== "Arrays") return []
      const inner = segment.slice(1, -1)
      const eq = inner.indexOf("=")
      const elements = [...alt.elements, ...alt.rest]
      if (eq < 0) return elements
      // `[key=value]` selects an element by a field, which the element must have.
      const key = inner.slice(0, eq)
      return elements.filter((el) => stepInto(el, key).length > 0)
    }
    if (alt._tag !== "Objects") return []
    const property = alt.propertySignatures.find((p) => p.name === segment)
    if (property !== undefined) return [property.type]
    return alt.indexSignatures.map((i) => i.type)
  })

/** True when `ast` can hold what resolveMeasured reads: a number, or an interval with an `estimate`. */
const isMeasurable = (ast: AST): boolean =>
  alternatives(ast).some((alt) => alt._tag === "Number" || (alt._tag === "Objects" && alt.propertySignatures.some((p) => p.name === "estimate")))

/**
 * Why `path` does not lead to a number (or an interval) in `output`, or null when it
 * does. The message names the first segment that does not exist.
 */
export const checkPathAgainstSchema = (output: AST, path: string): string | null => {
  let current: ReadonlyArray<AST> = [output]
  const done: Array<string> = []
  for (const segment of pathSegments(path)) {
    const next = current.flatMap((ast) => stepInto(ast, segment))
    if (next.length === 0) {
      const at = done.length === 0 ? "the output" : done.join("")
      const fields = current.flatMap((ast) => alternatives(ast).flatMap((alt) => (alt._tag === "Objects" ? alt.propertySignatures.map((p) => String(p.name)) : [])))
      return `${segment.startsWith("[") ? segment : `.${segment}`} does not exist in ${at}${segment.startsWith("[") ? "" : didYouMean(segment, fields)}`
    }
    done.push(segment.startsWith("[") ? segment : `${done.length === 0 ? "" : "."}${segment}`)
    current = next
  }
  return current.some(isMeasurable) ? null : `${path} is not a number or an interval`
}
