/**
 * Planning: for each node, in topological order, its key and whether the store
 * already holds it. A node whose upstream will rerun has no key yet (its inputs'
 * digests are unknown until they exist): it is `pending`, and may still turn
 * out reusable by early cutoff when the upstream reproduces identical bytes.
 */
import { Effect } from "effect"
import type { AnyCellKind } from "./CellKind.ts"
import { allCellCode, cellCodeOf, variantOf } from "./CellKind.ts"
import type { Json } from "./Canonical.ts"
import { EnvResolver } from "./Env.ts"
import type { StoreError } from "./Errors.ts"
import { CodeHasher, KEY_FORMAT, keyOf } from "./Key.ts"
import type { CodeDigest, Env, StagePreimage } from "./Key.ts"
import type { Profile, ProfileNode } from "./Profile.ts"
import { Store } from "./Store.ts"

export type NodeStatus = "fresh" | "stale" | "pending"

export interface PlannedNode {
  readonly id: string
  readonly stage: string
  readonly node: ProfileNode
  readonly status: NodeStatus
  /** Known unless pending. */
  readonly key?: string
  /**
   * The key's preimage; for a pending node, `inputs` holds null where the
   * upstream digest is not known yet (and `unknownInputs` names them).
   */
  readonly preimage: StagePreimage
  readonly unknownInputs: ReadonlyArray<string>
  /** For a fresh node: its manifest and output digest. */
  readonly manifestPath?: string
  readonly outputDigest?: string
  /** For a stale node whose entry exists but is unusable: what is wrong. */
  readonly problem?: string
}

export interface Plan {
  readonly profile: Profile
  readonly nodes: ReadonlyArray<PlannedNode>
  readonly byId: ReadonlyMap<string, PlannedNode>
}

const cellCode = (kinds: ReadonlyArray<AnyCellKind> | undefined): ReadonlyArray<string> => (kinds ?? []).flatMap(allCellCode)

/** Builds stage preimages; shared by plan and run so both key identically. */
export class Keyer {
  private readonly codes = new Map<string, Effect.Effect<CodeDigest, StoreError>>()
  constructor(readonly hasher: CodeHasher) {}

  /** One import-graph parse covers every stage module and cell kind the registry knows. */
  static make(profile: Profile): Keyer {
    const stages = [...profile.registry.byName.values()]
    const stageFiles = new Set(stages.map((s) => s.relFile))
    const entries = stages.flatMap((s) => [s.relFile, ...cellCode(s.stage.cells)])
    return new Keyer(new CodeHasher(profile.registry.root, entries, (file) => stageFiles.has(file)))
  }

  /** The stage module's import closure, its cell kinds' code, and any declared extra globs. */
  code(node: ProfileNode): Effect.Effect<CodeDigest, StoreError> {
    const stage = node.stage
    let memo = this.codes.get(stage.stage.name)
    if (memo === undefined) {
      memo = Effect.cached(this.hasher.digest([stage.relFile, ...cellCode(stage.stage.cells)], stage.stage.code ?? [])).pipe(Effect.runSync)
      this.codes.set(stage.stage.name, memo)
    }
    return memo
  }

  /** The import closure a cell of this kind keys on: its kind's code and its variant's (memoized per kind and variant). */
  cellCode(kind: AnyCellKind, variant: string | undefined): Effect.Effect<CodeDigest, StoreError> {
    const id = `cell:${kind.name}:${variant ?? "*"}`
    let memo = this.codes.get(id)
    if (memo === undefined) {
      memo = Effect.cached(this.hasher.digest(cellCodeOf(kind, variant))).pipe(Effect.runSync)
      this.codes.set(id, memo)
    }
    return memo
  }

  /** The code digest of the cell with this encoded payload. */
  payloadCode(kind: AnyCellKind, payload: Json): Effect.Effect<CodeDigest, StoreError> {
    return this.cellCode(kind, variantOf(kind, payload))
  }

  /** One digest per variant of the kind (one for a kind without variants): what a cell might have keyed on. */
  variantCodes(kind: AnyCellKind): Effect.Effect<ReadonlyArray<CodeDigest>, StoreError> {
    const names = Object.keys(kind.variants?.code ?? {})
    return Effect.forEach(names.length === 0 ? [undefined] : names, (v) => this.cellCode(kind, v))
  }

  /** The environment joining this node's key: empty for stages that run no cells. */
  env(node: ProfileNode): Effect.Effect<Env, never, EnvResolver> {
    if ((node.stage.stage.cells ?? []).length === 0) return Effect.succeed({})
    return Effect.gen(function*() {
      const resolver = yield* EnvResolver
      return yield* resolver.env
    })
  }

  preimage(node: ProfileNode, inputs: Readonly<Record<string, string | null>>): Effect.Effect<StagePreimage, StoreError, EnvResolver> {
    const self = this
    return Effect.gen(function*() {
      const code = yield* self.code(node)
      const env = yield* self.env(node)
      return {
        keyFormat: KEY_FORMAT,
        kind: "stage",
        stage: node.stage.stage.name,
        version: node.stage.stage.version,
        code,
        config: node.configJson,
        inputs,
        env
      } satisfies StagePreimage
    })
  }
}

export const planPipeline = Effect.fnUntraced(function*(profile: Profile, keyer: Keyer = Keyer.make(profile)) {
  const store = yield* Store
  const planned = new Map<string, PlannedNode>()
  const nodes: Array<PlannedNode> = []
  for (const node of profile.nodes) {
    const inputs: Record<string, string | null> = {}
    const unknownInputs: Array<string> = []
    for (const input of node.inputs) {
      if (input.node === undefined) {
        inputs[input.name] = null
        continue
      }
      const upstream = planned.get(input.node)!
      if (upstream.status === "fresh" && upstream.outputDigest !== undefined) inputs[input.name] = upstream.outputDigest
      else {
        inputs[input.name] = null
        unknownInputs.push(input.name)
      }
    }
    const preimage = yield* keyer.preimage(node, inputs)
    let result: PlannedNode
    if (unknownInputs.length > 0) {
      result = { id: node.id, stage: node.stage.stage.name, node, status: "pending", preimage, unknownInputs }
    } else {
      const key = keyOf(preimage)
      const found = yield* store.lookup("stage", node.stage.stage.name, key)
      result = found._tag === "Hit"
        ? {
          id: node.id,
          stage: node.stage.stage.name,
          node,
          status: "fresh",
          key,
          preimage,
          unknownInputs,
          manifestPath: found.manifestPath,
          outputDigest: found.manifest.output.digest
        }
        : {
          id: node.id,
          stage: node.stage.stage.name,
          node,
          status: "stale",
          key,
          preimage,
          unknownInputs,
          ...(found.problem === undefined ? {} : { problem: found.problem })
        }
    }
    planned.set(node.id, result)
    nodes.push(result)
  }
  return { profile, nodes, byId: planned } satisfies Plan
})
