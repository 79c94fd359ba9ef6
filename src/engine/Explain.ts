/**
 * Why is a node stale? Compares the key it would have now with the preimage of
 * the key it last ran with (refs/<profile>/<node>.json, else the newest entry of
 * that node), field by field: `config.rhos changed [..] -> [..]`,
 * `code: src/train/adamw.ts changed`, `inputs.wc changed (upstream output)`.
 */
import { Effect } from "effect"
import { canonicalJson } from "./Canonical.ts"
import type { Manifest } from "./Manifest.ts"
import type { Plan, PlannedNode } from "./Plan.ts"
import { Store } from "./Store.ts"

const show = (value: unknown): string => {
  const text = canonicalJson(value)
  return text.length > 80 ? `${text.slice(0, 77)}...` : text
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v)

/** Leaf-level differences; arrays are compared whole (a list is one value to a reader). */
const diffValues = (before: unknown, after: unknown, at: string, out: Array<string>): void => {
  if (canonicalJson(before ?? null) === canonicalJson(after ?? null)) return
  if (isRecord(before) && isRecord(after)) {
    for (const key of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
      const p = `${at}.${key}`
      if (!(key in before)) out.push(`${p} added ${show(after[key])}`)
      else if (!(key in after)) out.push(`${p} removed (was ${show(before[key])})`)
      else diffValues(before[key], after[key], p, out)
    }
    return
  }
  out.push(`${at} changed ${show(before)} -> ${show(after)}`)
}

/** Which files of a code digest changed, as phrases (the first few: a branch switch can touch dozens). */
export const codeChanges = (before: unknown, after: Readonly<Record<string, string>>): Array<string> => {
  const codeBefore = isRecord(before) ? before : {}
  const changedFiles = [...new Set([...Object.keys(codeBefore), ...Object.keys(after)])]
    .sort()
    .flatMap((file) => {
      if (!(file in codeBefore)) return [`code: ${file} added`]
      if (!(file in after)) return [`code: ${file} removed`]
      return codeBefore[file] === after[file] ? [] : [`code: ${file} changed`]
    })
  const shown = changedFiles.slice(0, 8)
  if (changedFiles.length > 8) shown.push(`code: ${changedFiles.length - 8} more files differ`)
  return shown
}

/** Leaf-level differences of two environments, as phrases (`env.detail changed "simd" -> "simd+openblas:SkylakeX"`). */
export const envChanges = (before: unknown, after: unknown): Array<string> => {
  const out: Array<string> = []
  diffValues(before ?? {}, after ?? {}, "env", out)
  return out
}

/** The differences between a previous preimage and the current one, as phrases. */
export const diffPreimages = (
  before: Readonly<Record<string, unknown>>,
  after: PlannedNode["preimage"],
  pendingInputs: ReadonlyArray<string>,
  upstreamOf: (input: string) => string | undefined
): Array<string> => {
  const out: Array<string> = []
  if (before.keyFormat !== after.keyFormat) out.push(`keyFormat changed ${show(before.keyFormat)} -> ${show(after.keyFormat)}`)
  if (before.stage !== after.stage) out.push(`stage changed ${show(before.stage)} -> ${show(after.stage)}`)
  if (before.version !== after.version) out.push(`version changed ${show(before.version)} -> ${show(after.version)}`)
  out.push(...codeChanges(before.code, after.code))
  diffValues(before.config, after.config, "config", out)
  const inputsBefore = isRecord(before.inputs) ? before.inputs : {}
  for (const name of [...new Set([...Object.keys(inputsBefore), ...Object.keys(after.inputs)])].sort()) {
    const upstream = upstreamOf(name)
    if (pendingInputs.includes(name)) {
      out.push(`inputs.${name}: upstream ${upstream ?? name} will rerun first`)
      continue
    }
    if (!(name in inputsBefore)) out.push(`inputs.${name} added`)
    else if (!(name in after.inputs)) out.push(`inputs.${name} removed`)
    else if (inputsBefore[name] !== after.inputs[name]) {
      out.push(
        after.inputs[name] === null ? `inputs.${name} now absent` : inputsBefore[name] === null ? `inputs.${name} now bound (${upstream})` : `inputs.${name} changed (output of ${upstream} differs)`
      )
    }
  }
  diffValues(before.env, after.env, "env", out)
  return out
}

/** The newest manifest this node produced, when no ref points at one (e.g. another profile ran it). */
// Unreadable manifests are `cache verify`'s business, and an unreadable store here only means no previous entry.
const newestForNode = (store: Store["Service"], stage: string, node: string): Effect.Effect<Manifest | undefined> =>
  store.listEntries({ kind: "stage", name: stage }).pipe(
    Effect.map((rows) => {
      let best: Manifest | undefined
      for (const { manifest: m } of rows) {
        if (m !== undefined && m.node === node && (best === undefined || m.timings.finishedAt > best.timings.finishedAt)) best = m
      }
      return best
    }),
    Effect.orElseSucceed(() => undefined)
  )

export interface Explanation {
  readonly id: string
  readonly status: PlannedNode["status"]
  /** No entry of this node exists at all: not stale, it has simply not run yet. */
  readonly neverRan: boolean
  readonly reasons: ReadonlyArray<string>
}

/** One explanation per stale or pending node (fresh nodes need none). */
export const explainPlan = Effect.fnUntraced(function*(plan: Plan) {
  const store = yield* Store
  const out: Array<Explanation> = []
  for (const node of plan.nodes) {
    if (node.status === "fresh") continue
    const ref = yield* store.readRef(plan.profile.name, node.id)
    const previous = (ref === undefined ? undefined : yield* store.readManifest("stage", ref.stage, ref.key)) ??
      (yield* newestForNode(store, node.stage, node.id))
    const upstreamOf = (input: string) => node.node.inputs.find((i) => i.name === input)?.node
    let reasons: Array<string>
    if (previous === undefined) {
      reasons = ["never ran (no previous entry for this node)"]
    } else {
      reasons = diffPreimages(previous.preimage, node.preimage, node.unknownInputs, upstreamOf)
      if (reasons.length === 0) {
        reasons = [node.problem ?? "same key as its last run, but the entry is gone (cache gc or deleted)"]
      } else if (node.problem !== undefined) reasons.push(node.problem)
    }
    out.push({ id: node.id, status: node.status, neverRan: previous === undefined, reasons })
  }
  return out as ReadonlyArray<Explanation>
})
