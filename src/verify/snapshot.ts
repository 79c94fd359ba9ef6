/**
 * Reads the two states `grokflow diff` compares from the store: a profile's last
 * run or the run before it (each node's ref keeps the keys of its earlier runs),
 * or a profile's current fresh entries. Cells are read through their own
 * manifests and decoded with the training core's result Schemas.
 */
import { Effect, Result, Schema } from "effect"
import { decodeOutput, displayPath, Store } from "../engine/index.ts"
import type { Manifest, Plan } from "../engine/index.ts"
import { censoredMedian } from "../analysis/index.ts"
import { forkKind, trainKind } from "../cells/cellKinds.ts"
import type { CellResult } from "../train/CellSpec.ts"
import type { NodeOutputs } from "./evaluate.ts"
import type { CellState, Snapshot } from "./diff.ts"

interface Entry {
  readonly stage: string
  readonly key: string
}

/** "T_grok 450 (4/4 grokked)" for a train cell, one such per arm for a fork. */
const outcome = (result: CellResult): string => {
  const times = result.seeds.map((s) => s.tGrok)
  const median = censoredMedian(times)
  const grokked = times.filter((t) => t !== null).length
  return `T_grok ${median === null ? "not identified" : Math.round(median)} (${grokked}/${times.length} grokked)`
}

const decodeTrain = Schema.decodeUnknownResult(trainKind.output)
const decodeFork = Schema.decodeUnknownResult(forkKind.output)

const cellValue = (name: string, bytes: Uint8Array): string => {
  const json: unknown = JSON.parse(new TextDecoder().decode(bytes))
  if (name === forkKind.name) {
    const fork = decodeFork(json)
    if (Result.isFailure(fork)) return "unreadable"
    return Object.entries(fork.success.arms).map(([arm, r]) => `${arm}: ${outcome(r)}`).join("; ")
  }
  const cell = decodeTrain(json)
  return Result.isFailure(cell) ? "unreadable" : outcome(cell.success)
}

/**
 * The outputs and cells of the given entries (node id → stage entry). Cell outcomes
 * are read (each cell's blob, trajectories and all) only for the nodes in
 * `readCells`; other nodes' cells are listed by label and key alone.
 */
export const snapshotOf = Effect.fnUntraced(function*(
  plan: Plan,
  entries: ReadonlyMap<string, Entry>,
  label: string,
  readCells: (node: string) => boolean = () => true
) {
  const store = yield* Store
  const outputs = new Map<string, { readonly output: unknown; readonly manifestPath: string }>()
  const digests = new Map<string, string>()
  const cells = new Map<string, ReadonlyArray<CellState>>()
  for (const node of plan.nodes) {
    const entry = entries.get(node.id)
    if (entry === undefined) continue
    const found = yield* store.lookup("stage", entry.stage, entry.key)
    if (found._tag === "Miss") continue
    const output = decodeOutput(node.node.stage.stage.output, found.bytes)
    if (output === undefined) continue
    outputs.set(node.id, { output, manifestPath: found.manifestPath })
    digests.set(node.id, found.manifest.output.digest)
    cells.set(node.id, yield* cellsOf(found.manifest, readCells(node.id)))
  }
  const nodeOutputs: NodeOutputs = {
    nodes: new Set(plan.nodes.map((n) => n.id)),
    output: (node) => outputs.get(node)?.output,
    source: (node) => {
      const manifest = outputs.get(node)?.manifestPath
      return manifest === undefined ? null : displayPath(manifest)
    }
  }
  return { label, profile: plan.profile.name, outputs: nodeOutputs, cells, digests } satisfies Snapshot
})

const cellsOf = Effect.fnUntraced(function*(manifest: Manifest, withValues: boolean) {
  const store = yield* Store
  const out: Array<CellState> = []
  for (const cell of manifest.cells ?? []) {
    if (!withValues) {
      const entry = yield* store.readManifest("cell", cell.name, cell.key)
      out.push({ label: entry?.label ?? cell.key.slice(0, 12), key: cell.key, value: "" })
      continue
    }
    const found = yield* store.lookup("cell", cell.name, cell.key)
    if (found._tag === "Miss") continue
    out.push({ label: found.manifest.label ?? cell.key.slice(0, 12), key: cell.key, value: cellValue(cell.name, found.bytes) })
  }
  return out as ReadonlyArray<CellState>
})

/** Each node's last run and the run before it, from the profile's refs. */
export const lastTwoRuns = Effect.fnUntraced(function*(plan: Plan) {
  const store = yield* Store
  const last = new Map<string, Entry & { readonly at: string }>()
  const previous = new Map<string, Entry & { readonly at: string }>()
  for (const node of plan.nodes) {
    const runs = yield* store.readRuns(plan.profile.name, node.id)
    if (runs[0] !== undefined) last.set(node.id, runs[0])
    if (runs[1] !== undefined) previous.set(node.id, runs[1])
  }
  return { last, previous }
})

/** A plan's fresh nodes as entries (what `verify` reads). */
export const freshEntries = (plan: Plan): ReadonlyMap<string, Entry> =>
  new Map(plan.nodes.flatMap((n) => (n.status === "fresh" && n.key !== undefined ? [[n.id, { stage: n.stage, key: n.key }] as const] : [])))
