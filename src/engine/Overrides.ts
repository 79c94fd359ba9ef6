/**
 * `--set node.field.path=value`: one config value overridden for this run without
 * editing the profile. Values parse as YAML (scalars and flow collections, so
 * `--set clamp-sweep.rhos=[0.85,1,1.15,1.3]` is a list of numbers) and are then
 * validated with the file, errors naming the flag. `--set defaults.seeds=8` sets a
 * field of the profile's `defaults:` block (every node inheriting it follows).
 */
import { Effect } from "effect"
import { parse } from "yaml"
import { ProfileError } from "./Errors.ts"
import { didYouMean } from "./Suggest.ts"

export interface Override {
  /** The argument as given, minus the value: `clamp-sweep.rhos`. */
  readonly text: string
  readonly node: string
  /** Path inside the node's config. */
  readonly path: ReadonlyArray<string>
  readonly value: unknown
}

export const parseOverrides = Effect.fnUntraced(function*(
  sets: ReadonlyArray<string>,
  nodes: ReadonlySet<string>,
  profileFile: string
) {
  const out: Array<Override> = []
  for (const arg of sets) {
    const eq = arg.indexOf("=")
    const lhs = eq < 0 ? arg : arg.slice(0, eq)
    const flag = `--set ${lhs}`
    if (eq < 0) {
      return yield* new ProfileError({ file: flag, path: "", message: "expected node.field=value" })
    }
    const [node, ...rest] = lhs.split(".")
    if (rest.length === 0 || rest.some((s) => s === "")) {
      return yield* new ProfileError({ file: flag, path: "", message: "expected node.field=value (name a config field of the node)" })
    }
    if (!nodes.has(node)) {
      return yield* new ProfileError({
        file: flag,
        path: "",
        message: `no node "${node}" in ${profileFile}${didYouMean(node, nodes)} (nodes: ${[...nodes].join(", ")})`
      })
    }
    let value: unknown
    try {
      value = parse(arg.slice(eq + 1))
    } catch (e) {
      return yield* new ProfileError({
        file: flag,
        path: "",
        message: `value is not valid YAML: ${(e instanceof Error ? e.message : String(e)).split("\n")[0]}`
      })
    }
    out.push({ text: lhs, node, path: rest, value: value ?? null })
  }
  return out as ReadonlyArray<Override>
})

const clone = (value: unknown): unknown =>
  value === undefined ? undefined : JSON.parse(JSON.stringify(value)) as unknown

/** A copy of `config` with each override written in (creating mappings on the way). */
export const applyOverrides = (config: unknown, overrides: ReadonlyArray<Override>): unknown => {
  if (overrides.length === 0) return config
  const root = (clone(config) ?? {}) as Record<string, unknown>
  for (const o of overrides) {
    let cursor: Record<string, unknown> | Array<unknown> = root
    o.path.forEach((seg, i) => {
      const last = i === o.path.length - 1
      const key: string | number = Array.isArray(cursor) && /^\d+$/.test(seg) ? Number(seg) : seg
      const container = cursor as Record<string | number, unknown>
      if (last) {
        container[key] = o.value
        return
      }
      const next = container[key]
      if (typeof next !== "object" || next === null) container[key] = {}
      cursor = container[key] as Record<string, unknown>
    })
  }
  return root
}
